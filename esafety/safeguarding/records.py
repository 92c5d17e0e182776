"""Safeguarding concerns in subject-access requests and retention (date of birth + 25 years).

A concern's content is never exported automatically: a subject-access export only lists the
concerns a safeguarding role must review and redact before anything is shared.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..auth.roles import Role
from ..extensions import db
from ..personal_data import DataSubject, DueRecord, Rule, SubjectRecords, plain
from ..school.models import Pupil
from . import evidence
from .models import (
    BlockedSite,
    CaseTask,
    Concern,
    ConcernAccess,
    ConcernAction,
    ConcernPupil,
    Evidence,
    Referral,
)


def _involving(user_id: int, pupil_id: int | None):
    """Concerns the person reported, or that are about them."""
    about = [Concern.reporter_id == user_id, Concern.staff_member_id == user_id]
    if pupil_id is not None:
        about.append(Concern.pupil_id == pupil_id)
        about.append(
            Concern.id.in_(select(ConcernPupil.concern_id).where(ConcernPupil.pupil_id == pupil_id))
        )
    return or_(*about)


def concerns_involving(user_id: int, pupil_id: int | None) -> list[int]:
    """The concerns a person reported or is the subject of (for erasure and holds)."""
    return list(
        db.session.scalars(
            select(Concern.id).where(_involving(user_id, pupil_id)).order_by(Concern.id)
        )
    )


def subject_records(subject: DataSubject) -> SubjectRecords:
    """Only a list for review, and only for the DSL: which concerns exist, never what they
    say. Anyone else making the export (the office, the headteacher about herself) sees no
    trace; the DSL is emailed a link to review them instead."""
    from . import services

    records = SubjectRecords()
    pupil_id = subject.pupil.id if subject.pupil else None
    concerns = list(
        db.session.scalars(
            select(Concern).where(_involving(subject.user.id, pupil_id)).order_by(Concern.id)
        )
    )
    if not concerns:
        return records
    actor = subject.requested_by
    chair = services.chair_id()
    if actor is not None and actor.has_role(Role.DSL):
        shown = [c for c in concerns if services.can_open(actor, c, chair)]
        records.withheld = [
            {
                "kind": "safeguarding concern",
                "id": c.id,
                "reference": c.reference,
                "date": plain(c.created_at.date()),
            }
            for c in shown
        ]
        return records
    _ask_dsl_to_review(subject, concerns, chair)
    return records


def _ask_dsl_to_review(subject: DataSubject, concerns: list[Concern], chair: int | None) -> None:
    """Tell each DSL (never one a concern is about) that a subject-access export was made
    and which concerns they should review before anything more is shared."""
    from .. import mail
    from . import routing, services

    for dsl in routing.dsls():
        theirs = [c.reference for c in concerns if services.can_open(dsl, c, chair)]
        if not theirs or not dsl.email or dsl.id == subject.user.id:
            continue
        mail.queue(
            dsl.email,
            "A subject-access request touches safeguarding records",
            f"Dear {dsl.first_name},\n\nA subject-access export was made for "
            f"{subject.user.full_name}. Safeguarding records were left out of it and need "
            f"your review: {', '.join(theirs)}.\n\nThe details are kept in the safeguarding "
            "record, not in email.\n",
            private=True,
        )


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    """Concerns 25 years past the child's date of birth, with their evidence and chronology.

    The child is the pupil involved, else the reporter if a pupil; a concern with no child at
    all counts from when it was raised. Blocked sites stay on the register (the block is the
    school's filtering policy, not personal data) and only let go of the concern's number.
    """
    rule = schedule["safeguarding_concerns"]
    cutoff = rule.cutoff(on)
    involved = aliased(Pupil)
    reporting_pupil = aliased(Pupil)
    found = db.session.execute(
        select(
            Concern.id,
            Concern.created_at,
            Concern.reporter_id,
            Concern.staff_member_id,
            involved.user_id,
            involved.date_of_birth,
            reporting_pupil.date_of_birth,
        )
        .outerjoin(involved, involved.id == Concern.pupil_id)
        .outerjoin(reporting_pupil, reporting_pupil.user_id == Concern.reporter_id)
        .where(
            or_(
                involved.date_of_birth < cutoff,
                and_(involved.id.is_(None), reporting_pupil.date_of_birth < cutoff),
                and_(
                    involved.id.is_(None),
                    reporting_pupil.id.is_(None),
                    Concern.created_at < datetime.combine(cutoff, time.min),
                ),
            )
        )
        .order_by(Concern.id)
    ).all()
    if not found:
        return []
    ids = [concern_id for concern_id, *_ in found]
    files: dict[int, list[tuple[int, str]]] = {}
    for evidence_id, concern_id, stored_path in db.session.execute(
        select(Evidence.id, Evidence.concern_id, Evidence.stored_path)
        .where(Evidence.concern_id.in_(ids))
        .order_by(Evidence.id)
    ):
        files.setdefault(concern_id, []).append((evidence_id, stored_path))
    actions = _ids_by_concern(ConcernAction, ids)
    accesses = _ids_by_concern(ConcernAccess, ids)
    blocks = _ids_by_concern(BlockedSite, ids)
    pupil_links = _ids_by_concern(ConcernPupil, ids)
    tasks = _ids_by_concern(CaseTask, ids)
    referrals = _ids_by_concern(Referral, ids)
    due = []
    for concern_id, created_at, reporter_id, staff_id, pupil_user_id, born, reporter_born in found:
        kept = files.get(concern_id, [])
        due.append(
            DueRecord(
                rule="safeguarding_concerns",
                description=f"Safeguarding concern SG-{concern_id:04d} with its evidence",
                rows=[
                    (Evidence.__table__, [evidence_id for evidence_id, _ in kept]),
                    (ConcernPupil.__table__, pupil_links.get(concern_id, [])),
                    (CaseTask.__table__, tasks.get(concern_id, [])),
                    (Referral.__table__, referrals.get(concern_id, [])),
                    (ConcernAction.__table__, actions.get(concern_id, [])),
                    (ConcernAccess.__table__, accesses.get(concern_id, [])),
                    (Concern.__table__, [concern_id]),
                ],
                updates=[(BlockedSite.__table__, blocks.get(concern_id, []), {"concern_id": None})],
                files=[evidence.stored_file(path) for _, path in kept],
                user_ids=frozenset(u for u in (reporter_id, staff_id, pupil_user_id) if u),
                concern_id=concern_id,
                expired_on=rule.expires(born or reporter_born or created_at),
            )
        )
    return due


def _ids_by_concern(model, concern_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for row_id, concern_id in db.session.execute(
        select(model.id, model.concern_id)
        .where(model.concern_id.in_(concern_ids))
        .order_by(model.id)
    ):
        found.setdefault(concern_id, []).append(row_id)
    return found
