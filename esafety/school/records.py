"""The foundation's records about a person: account, roles, pupil or staff record, consent."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..personal_data import DataSubject, SubjectRecords, row
from .models import AcademicYear, ConsentKind, ParentLink, PhotoConsentChange

#: Accounts, pupil and staff records stay while the person is at the school; a leaver's are
#: anonymised by erasure (records.erasure) and consent starts afresh each year.
KEPT_BECAUSE = "kept while the person is at the school; leavers are erased on request"


def subject_records(subject: DataSubject) -> SubjectRecords:
    user = subject.user
    records = SubjectRecords()
    records.sections["Account"] = [
        {
            **row(
                user,
                "id",
                "first_name",
                "last_name",
                "email",
                "active",
                "created_at",
                "last_login_at",
            ),
            "roles": sorted(r.value for r in user.role_set),
        }
    ]
    if subject.pupil is not None:
        pupil = subject.pupil
        records.sections["Pupil record"] = [
            {
                **row(pupil, "reference", "first_name", "last_name", "date_of_birth", "left_on"),
                "class": pupil.school_class.label if pupil.school_class else None,
            }
        ]
        consents = db.session.execute(
            select(PhotoConsentChange, AcademicYear.name)
            .join(AcademicYear, AcademicYear.id == PhotoConsentChange.academic_year_id)
            .where(PhotoConsentChange.pupil_id == pupil.id)
            .order_by(PhotoConsentChange.id)
        ).all()
        records.sections["Photo consent"] = [
            {
                **row(c, *(kind.value for kind in ConsentKind), "source", "recorded_at"),
                "academic_year": year,
            }
            for c, year in consents
        ]
        records.sections["Parents and carers"] = [
            {"name": link.parent.full_name, "relationship": link.relationship_to_pupil}
            for link in db.session.scalars(
                select(ParentLink).where(ParentLink.pupil_id == pupil.id)
            )
        ]
    children = db.session.scalars(select(ParentLink).where(ParentLink.parent_id == user.id)).all()
    if children:
        records.sections["Children"] = [
            {
                "name": link.pupil.first_name + " " + link.pupil.last_name,
                "relationship": link.relationship_to_pupil,
            }
            for link in children
        ]
    if subject.staff is not None:
        records.sections["Staff record"] = [
            row(subject.staff, "job_title", "start_date", "left_on", "is_chair_of_governors")
        ]
    return records
