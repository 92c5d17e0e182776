"""People's data: finding a person, correcting their details, and legal holds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from .. import audit
from ..auth import accounts
from ..auth.models import AccountChangeKind, User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..school.models import Pupil
from .models import LegalHold


def search_people(query: str, limit: int = 50) -> list[User]:
    """Anyone whose name or email contains the words typed."""
    words = [w for w in query.lower().split() if w][:4]
    if not words:
        return []
    statement = select(User).order_by(User.last_name, User.first_name).limit(limit)
    for word in words:
        like = f"%{word}%"
        statement = statement.where(
            or_(
                func.lower(User.first_name).like(like),
                func.lower(User.last_name).like(like),
                func.lower(func.coalesce(User.email, "")).like(like),
            )
        )
    return list(db.session.scalars(statement))


def correct_details(
    actor: User,
    user: User,
    *,
    first_name: str,
    last_name: str,
    email: str | None = None,
    date_of_birth: date | None = None,
) -> list[str]:
    """Correct a person's details; the audit log records which fields changed, not their values.

    A new email address is an account change: the grant table decides who may make it, a
    leader's needs a second person, and the old address is told (auth.accounts)."""
    changed: list[str] = []
    pupil = db.session.scalar(select(Pupil).where(Pupil.user_id == user.id))
    if email is not None and user.email is not None and email.strip().lower() != user.email:
        pending = accounts.request_change(actor, user, AccountChangeKind.EMAIL, email)
        changed.append("email (waiting for a second person to agree)" if pending else "email")
    for field_name, value in (("first_name", first_name.strip()), ("last_name", last_name.strip())):
        if getattr(user, field_name) != value:
            setattr(user, field_name, value)
            if pupil is not None:
                setattr(pupil, field_name, value)
            changed.append(field_name)
    if pupil is not None and date_of_birth is not None and pupil.date_of_birth != date_of_birth:
        pupil.date_of_birth = date_of_birth
        changed.append("date_of_birth")
    if changed:
        audit.record("records.details_corrected", actor=actor, target=user, fields=changed)
    return changed


def place_hold(
    actor: User, *, reason: str, user_id: int | None = None, concern_id: int | None = None
) -> LegalHold:
    """Stop retention deleting anything about a person, or one concern, until the hold is lifted."""
    if (user_id is None) == (concern_id is None):
        raise DomainError("Choose a person or a concern to hold.")
    if not reason.strip():
        raise DomainError("Say why the records must be kept.", "reason")
    label = ""
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFoundError("No such person.", "user_id")
        label = user.full_name
    else:
        label = f"Concern {concern_id}"
    hold = LegalHold(
        user_id=user_id,
        concern_id=concern_id,
        reason=reason.strip(),
        placed_by_id=actor.id,
        label=label,
    )
    db.session.add(hold)
    db.session.flush()
    audit.record(
        "records.hold_placed", actor=actor, target=hold, user_id=user_id, concern_id=concern_id
    )
    return hold


def lift_hold(actor: User, hold: LegalHold) -> None:
    if hold.lifted_at is not None:
        raise DomainError("That hold has already been lifted.")
    hold.lifted_at = utcnow()
    hold.lifted_by_id = actor.id
    audit.record("records.hold_lifted", actor=actor, target=hold)


def active_holds() -> list[LegalHold]:
    return list(
        db.session.scalars(
            select(LegalHold).where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.placed_at)
        )
    )
