"""Removing a pupil who has left: keep what the school must keep, remove or anonymise the rest.

Their blog writing and drawings go (with the files), their lesson quiz answers and progress go,
and their name is replaced; the audit log keeps only the counts. Safeguarding records are never
touched, and a concern about them keeps their date of birth, which its retention counts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from .. import audit, personal_data
from ..auth.models import User
from ..errors import DomainError
from ..extensions import db
from ..school.models import Pupil
from .models import LegalHold
from .retention import Deletion, delete_records

FORMER_FIRST_NAME = "Former"
FORMER_LAST_NAME = "pupil"


@dataclass
class Erasure:
    """What was removed, in counts, and the files set aside until the transaction commits."""

    counts: dict[str, int]
    deletion: Deletion


def _refuse_if_held(pupil: Pupil, concern_ids: list[int]) -> None:
    covers = [LegalHold.user_id == pupil.user_id]
    if concern_ids:
        covers.append(LegalHold.concern_id.in_(concern_ids))
    held = db.session.scalar(
        select(LegalHold.id).where(LegalHold.lifted_at.is_(None), or_(*covers)).limit(1)
    )
    if held is not None:
        raise DomainError(
            "A legal hold covers this pupil's records, so nothing can be removed. "
            "Lift the hold on the retention page first if it is no longer needed."
        )


def erase_leaver(actor: User | None, pupil: Pupil) -> Erasure:
    """Remove a leaver's writing and lesson work and anonymise their name (not committed).

    The files go once the transaction commits, so a file never goes without its row.
    """
    if pupil.left_on is None:
        raise DomainError(
            "Only a pupil who has left the school can have their records removed. "
            "Record the date they left first."
        )
    providers = personal_data.providers()
    concern_ids = [
        concern_id
        for provider in providers
        if hasattr(provider, "concerns_involving")
        for concern_id in provider.concerns_involving(pupil.user_id, pupil.id)
    ]
    _refuse_if_held(pupil, concern_ids)

    works = [p.erasable_work(pupil) for p in providers if hasattr(p, "erasable_work")]
    deletion = delete_records([record for work in works for record in work.records])

    user = db.session.get_one(User, pupil.user_id)
    user.first_name = pupil.first_name = FORMER_FIRST_NAME
    user.last_name = pupil.last_name = FORMER_LAST_NAME
    user.email = None
    user.password_hash = user.picture_hash = None
    user.active = False
    user.rotate_session_token()
    date_of_birth_kept = bool(concern_ids)
    if not date_of_birth_kept:
        pupil.date_of_birth = date(pupil.date_of_birth.year, 1, 1)
    db.session.flush()

    counts = {name: n for work in works for name, n in work.counts.items()}
    counts["files"] = deletion.files
    audit.record(
        "records.leaver_erased",
        actor=actor,
        target=user,
        pupil_id=pupil.id,
        date_of_birth_kept=date_of_birth_kept,
        **counts,
    )
    return Erasure(counts=counts, deletion=deletion)


def leaver_by_reference(reference: str) -> Pupil | None:
    return db.session.scalar(
        select(Pupil).where(func.lower(Pupil.reference) == reference.strip().lower())
    )
