"""The demo school's filtering and monitoring records and social media accounts: named people,
last year's review, this term's checks, two alerts waiting and one ban in force."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ..clock import today
from ..extensions import db
from ..school.demo import DemoSchool
from . import filtering, social_accounts
from .models import CheckResult, FilteringReview


def seed(school: DemoSchool) -> None:
    """Written once: a second run finds the review and adds nothing."""
    if db.session.scalar(db.select(FilteringReview.id).limit(1)) is not None:
        return
    head, esafety = school.staff["head"], school.staff["esafety"]
    filtering.name_responsible(
        head,
        slt_lead_id=school.staff["deputy"].id,
        governor_id=school.staff["governor"].id,
        filter_provider="The local authority's schools filter",
        monitoring_provider="A monitoring service on school laptops",
    )
    day = today()
    filtering.record_review(
        esafety,
        reviewed_on=day - timedelta(days=300),
        confirmed=list(filtering.CHECKLIST_KEYS),
        notes="Added the Year 6 tablets to the monitoring service.",
    )
    filtering.record_check(
        esafety,
        checked_on=day - timedelta(days=40),
        where="Year 5 laptops on the pupil Wi-Fi",
        what="A test page from each blocked category, and facebook.com",
        result=CheckResult.BLOCKED_AS_EXPECTED,
    )
    filtering.import_alerts(
        esafety,
        (
            "Alert ID,Date/Time,User,Device,Category,Severity,Detail\n"
            f"DEMO-1,{day - timedelta(days=1)} 10:42,y6.laptop.user,LAPTOP-12,"
            "Search terms,Medium,a search for a game rated 18\n"
            f"DEMO-2,{day - timedelta(days=1)} 13:05,staff.office,OFFICE-PC,"
            "Adult content,Low,an advert on a news website\n"
        ).encode(),
    )
    pupil = school.pupils[max(school.pupils)][0]
    filtering.record_circumvention(
        esafety,
        user_id=pupil.user_id,
        occurred_on=day - timedelta(days=3),
        what="Tried a proxy website to reach a video site.",
        ends_on=day + timedelta(days=11),
    )
    social_accounts.save_account(
        head,
        None,
        platform="X (Twitter)",
        handle="@meadowbankps",
        responsible_id=school.staff["computing"].id,
        access_holders="Tom Reid, Priti Shah",
        password_changed_on=datetime.combine(day - timedelta(days=60), time()).date(),
    )
