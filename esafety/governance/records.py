"""Governance records in subject-access exports: bans for getting round the filter (about the
person) and filtering responsibilities they hold. Monitoring alerts name accounts only as the
provider wrote them and are safeguarding records: they are not exported."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..personal_data import DataSubject, SubjectRecords, row
from .models import Circumvention, FilteringResponsibility, SocialMediaAccount

#: Oversight records (approvals, reviews, filter checks, the account register) are the school's
#: evidence that it follows its own policy, kept with the policy; a ban for getting round the
#: filter ends on its own end date but its record stays for the governors' yearly review.
KEPT_BECAUSE = "the school's evidence of oversight, reviewed by governors each year"


def subject_records(subject: DataSubject) -> SubjectRecords:
    records = SubjectRecords()
    user_id = subject.user.id
    bans = db.session.scalars(
        select(Circumvention).where(Circumvention.user_id == user_id).order_by(Circumvention.id)
    ).all()
    if bans:
        records.sections["Getting round the school's filter"] = [
            row(b, "occurred_on", "what", "sanction", "ends_on", "supervised_use") for b in bans
        ]
    roles = db.session.scalars(
        select(FilteringResponsibility).where(
            or_(
                FilteringResponsibility.slt_lead_id == user_id,
                FilteringResponsibility.governor_id == user_id,
            )
        )
    ).all()
    accounts = db.session.scalars(
        select(SocialMediaAccount).where(SocialMediaAccount.responsible_id == user_id)
    ).all()
    if roles or accounts:
        records.sections["Responsibilities"] = [
            {"responsibility": "Filtering and monitoring", **row(r, "updated_at")} for r in roles
        ] + [{"responsibility": f"Social media account {a.platform} {a.handle}"} for a in accounts]
    return records
