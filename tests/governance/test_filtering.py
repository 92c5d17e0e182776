"""Filtering and monitoring: alerts in (CSV or typed), each dismissed or made a concern; bans
for getting round the filter that end on their date; exports that block subdomains."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from esafety.auth.roles import Role
from esafety.clock import today, utcnow
from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.governance import filtering
from esafety.governance.models import AlertStatus, CheckResult
from esafety.safeguarding import register
from esafety.safeguarding.models import Concern, ConcernKind
from esafety.safeguarding.statistics import concern_figures, shown
from esafety.school.models import YearGroup
from tests import factories

EXPORT = (
    "Alert ID,Date/Time,User,Device,Category,Severity,Detail\n"
    "A-100,2026-11-30 14:05,y5.pupil3,LAPTOP-07,Self-harm,High,searched for a worrying phrase\n"
    "A-101,30/11/2026 15:10,staff.jb,DESKTOP-02,Adult content,Low,advert on a news site\n"
)


@pytest.fixture
def officer(db):
    return factories.make_user(Role.ESAFETY_OFFICER, email="eso@school.example")


def test_the_providers_export_is_taken_in_once(officer):
    result = filtering.import_alerts(officer, EXPORT.encode())
    assert (result.ok, result.added, result.already_held) == (True, 2, 0)
    again = filtering.import_alerts(officer, EXPORT.encode())
    assert (again.added, again.already_held) == (0, 2)
    first = next(a for a in filtering.alerts() if a.reference == "A-100")
    assert (first.account, first.device, first.severity) == ("y5.pupil3", "LAPTOP-07", "High")


def test_a_bad_export_adds_nothing_and_says_which_line(officer):
    bad = EXPORT + "A-102,yesterday,someone,PC,Violence,,\n,2026-11-30 10:00,x,y,,,\n"
    result = filtering.import_alerts(officer, bad.encode())
    assert not result.ok and result.added == 0
    assert any(p.startswith("Line 4:") and "yesterday" in p for p in result.problems)
    assert any(p.startswith("Line 5:") for p in result.problems)
    assert filtering.alerts("all") == []
    missing = filtering.import_alerts(officer, b"Name,When\nx,y\n")
    assert "needs columns for: reference, occurred at, category" in missing.problems[0]


def test_a_monitoring_alert_becomes_a_concern(officer):
    factories.make_user(Role.HEADTEACHER)
    filtering.import_alerts(officer, EXPORT.encode())
    alert = next(a for a in filtering.alerts() if a.reference == "A-100")
    filtering.alert_to_concern(officer, alert.id, "Pupil known to the DSL.")
    assert alert.status is AlertStatus.CONCERN
    concern = db.session.get(Concern, alert.concern_id)
    assert concern.kind is ConcernKind.INAPPROPRIATE_CONTENT and concern.in_school
    assert "A-100" in concern.description and "Pupil known to the DSL." in concern.description
    with pytest.raises(DomainError, match="already been handled"):
        filtering.dismiss_alert(officer, alert.id, "No.")


def test_an_alert_is_dismissed_only_with_a_reason(officer):
    alert = filtering.add_alert(officer, occurred_at=utcnow(), category="Adult content")
    with pytest.raises(DomainError) as error:
        filtering.dismiss_alert(officer, alert.id, "  ")
    assert error.value.field == "reason"
    filtering.dismiss_alert(officer, alert.id, "An advert on a news site; filter updated.")
    assert alert.status is AlertStatus.DISMISSED
    with pytest.raises(NotAllowed):
        filtering.add_alert(
            factories.make_user(Role.TEACHER), occurred_at=utcnow(), category="Anything"
        )


def test_a_circumvention_ban_ends_on_its_date(officer, school):
    pupil = school.pupils[YearGroup.YEAR_6][0]
    ends = today() + timedelta(days=10)
    entry = filtering.record_circumvention(
        officer, user_id=pupil.user_id, occurred_on=today(), what="Used a proxy site", ends_on=ends
    )
    assert entry.sanction == filtering.DEFAULT_SANCTION and entry.supervised_use
    assert filtering.is_banned(pupil.user, ends) == entry
    assert filtering.is_banned(pupil.user, ends + timedelta(days=1)) is None
    assert filtering.sanctions_in_force(ends) == [entry]
    assert filtering.sanctions_in_force(ends + timedelta(days=1)) == []
    with pytest.raises(DomainError) as error:
        filtering.record_circumvention(
            officer,
            user_id=pupil.user_id,
            occurred_on=today(),
            what="Again",
            ends_on=today() - timedelta(days=1),
        )
    assert error.value.field == "ends_on"
    with pytest.raises(NotAllowed):
        filtering.circumventions(factories.make_user(Role.SLT))


def test_the_review_and_checks_are_recorded_with_what_was_not_confirmed(officer):
    with pytest.raises(DomainError) as error:
        filtering.record_review(officer, reviewed_on=today(), confirmed=["people_named"], notes="")
    assert error.value.field == "notes"
    filtering.record_review(
        officer, reviewed_on=today(), confirmed=list(filtering.CHECKLIST_KEYS), notes=""
    )
    with pytest.raises(DomainError) as error:
        filtering.record_check(
            officer,
            checked_on=today(),
            where="Year 6 tablets",
            what="A test page of each category",
            result=CheckResult.NOT_BLOCKED,
        )
    assert error.value.field == "action"
    filtering.record_check(
        officer,
        checked_on=today(),
        where="Year 6 tablets",
        what="A test page of each category",
        result=CheckResult.NOT_BLOCKED,
        action="Provider asked to fix the gambling category.",
    )
    state = filtering.status()
    assert not state.review_overdue and not state.check_overdue
    assert state.failed_checks_this_year == 1
    assert state.review_due_on == today() + timedelta(days=365)


def test_the_head_names_the_senior_leader_and_governor(officer):
    head = factories.make_user(Role.HEADTEACHER)
    slt = factories.make_user(Role.SLT)
    governor = factories.make_user(Role.GOVERNOR)
    with pytest.raises(NotAllowed):
        filtering.name_responsible(officer, slt_lead_id=slt.id, governor_id=governor.id)
    with pytest.raises(DomainError) as error:
        filtering.name_responsible(head, slt_lead_id=governor.id, governor_id=governor.id)
    assert error.value.field == "slt_lead_id"
    row = filtering.name_responsible(
        head, slt_lead_id=slt.id, governor_id=governor.id, filter_provider="LGfL"
    )
    assert (row.slt_lead, row.governor, row.filter_provider) == (slt, governor, "LGfL")


def test_the_exports_block_every_subdomain(officer):
    register.record_domain(officer, "https://www.facebook.com/", "Social media")
    assert "*.facebook.com" in register.wildcard_list().splitlines()
    assert "address=/facebook.com/" in register.dnsmasq_config().splitlines()
    assert '    local-zone: "facebook.com." always_nxdomain' in register.unbound_config()
    rpz = register.rpz_zone(serial=2026120301).splitlines()
    assert "facebook.com CNAME ." in rpz and "*.facebook.com CNAME ." in rpz
    hosts = register.hosts_file().splitlines()
    assert {"0.0.0.0 facebook.com", "0.0.0.0 www.facebook.com", "0.0.0.0 m.facebook.com"} <= set(
        hosts
    )


def test_the_exports_and_the_alert_import_on_the_page(client, login_as, officer):
    register.record_domain(officer, "instagram.com", "Social media")
    login_as(officer)
    with client.get("/governance/filtering/blocked/dnsmasq") as response:
        assert response.status_code == 200 and "address=/instagram.com/" in response.text
    assert client.get("/governance/filtering/blocked/nonsense").status_code == 404
    page = client.post(
        "/governance/filtering/alerts/import",
        data={"file": (io.BytesIO(b"Alert ID,Date/Time,Category\nA-1,soon,Bullying\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400 and "Nothing was imported" in page.get_data(as_text=True)
    login_as(Role.TEACHER)
    assert client.get("/governance/filtering").status_code == 403


def test_small_numbers_are_hidden(officer):
    assert [shown(n) for n in (0, 1, 2, 3, 12)] == ["0", "fewer than 3", "fewer than 3", "3", "12"]
    assert concern_figures(date(2000, 1, 1)).terms == []


def test_the_social_media_account_register_never_holds_a_password(client, login_as):
    from esafety.governance import social_accounts

    computing = factories.make_user(Role.COMPUTING_LEAD, first_name="Tom", last_name="Reid")
    with pytest.raises(DomainError) as error:
        social_accounts.save_account(
            computing,
            None,
            platform="X",
            handle="@school",
            responsible_id=computing.id,
            access_holders="Tom Reid, password: Summer2026",
            password_changed_on=None,
        )
    assert error.value.field == "access_holders"
    account = social_accounts.save_account(
        computing,
        None,
        platform="X",
        handle="@school",
        responsible_id=computing.id,
        access_holders="Tom Reid",
        password_changed_on=today() - timedelta(days=400),
    )
    assert social_accounts.password_overdue(account)
    with pytest.raises(NotAllowed):
        social_accounts.save_account(
            factories.make_user(Role.TEACHER),
            account.id,
            platform="X",
            handle="@school",
            responsible_id=computing.id,
            access_holders="",
            password_changed_on=None,
        )
    login_as(factories.make_user(Role.GOVERNOR))
    page = client.get("/governance/social-media-accounts").get_data(as_text=True)
    assert "@school" in page and "Change it" in page and "Add an account" not in page


def test_a_pupils_ban_and_agreement_are_in_their_subject_access_export(officer, school):
    from esafety.induction import agreements
    from esafety.records.subject_access import DataSubject, collect

    pupil = school.pupils[YearGroup.YEAR_5][0]
    filtering.record_circumvention(
        officer, user_id=pupil.user_id, occurred_on=today(), what="A VPN app", ends_on=today()
    )
    agreements.record_class_agreement(school.teachers[YearGroup.YEAR_5], pupil.class_id, [pupil.id])
    sections = collect(DataSubject.of(pupil.user)).sections
    assert sections["Getting round the school's filter"][0]["what"] == "A VPN app"
    assert sections["Acceptable-use agreement (agreed in class)"][0]["kind"] == "ks2"
