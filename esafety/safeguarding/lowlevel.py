"""The low-level concerns log about staff (KCSIE Part 4): for the headteacher and the DSL, or
for the chair of governors when it is about the headteacher; never for the person it is about.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..clock import today
from ..errors import DomainError, NotFoundError
from ..extensions import db
from . import services
from .models import LowLevelConcern
from .routing import LOW_LEVEL_KEEPERS, may_read_low_level


def may_keep(user: User) -> bool:
    return user.has_role(*LOW_LEVEL_KEEPERS) or user.id == services.chair_id()


def entries_for(viewer: User) -> list[LowLevelConcern]:
    """The entries this person may read, newest first (the opening is logged)."""
    if not may_keep(viewer):
        raise NotFoundError("We could not find that page.")
    chair = services.chair_id()
    rows = db.session.scalars(
        select(LowLevelConcern).order_by(LowLevelConcern.recorded_at.desc(), LowLevelConcern.id)
    )
    found = [e for e in rows if may_read_low_level(viewer, e, chair)]
    services.log_access(viewer, None, "low-level concerns log")
    return found


def record(
    actor: User,
    staff_member_id: int | None,
    description: str,
    occurred_on: date | None,
    raised_by: str = "",
) -> LowLevelConcern:
    """Write a low-level concern about a member of staff to the log."""
    if not may_keep(actor):
        raise NotFoundError("We could not find that page.")
    staff = {u.id: u for u in services.staff_reporter_may_name()}.get(staff_member_id or 0)
    if staff is None:
        raise DomainError("Choose the member of staff from the list.", "staff_member_id")
    if staff.id == actor.id:
        raise DomainError("A concern about yourself goes to someone else.", "staff_member_id")
    about_head = staff.has_role(Role.HEADTEACHER)
    if about_head and actor.id != services.chair_id():
        raise DomainError(
            "A concern about the headteacher goes to the chair of governors: "
            "please pass it to them.",
            "staff_member_id",
        )
    description = (description or "").strip()
    if not description:
        raise DomainError("Say what happened.", "description")
    if len(description) > services.DESCRIPTION_LIMIT:
        raise DomainError("That is too long: please shorten it.", "description")
    if occurred_on and occurred_on > today():
        raise DomainError("That date is in the future.", "occurred_on")
    entry = LowLevelConcern(
        staff_member_id=staff.id,
        about_headteacher=about_head,
        description=description,
        occurred_on=occurred_on,
        raised_by=(raised_by or "").strip()[:160],
        recorded_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    # Kept out of the general audit log's details: only that an entry was written.
    audit.record("safeguarding.low_level_recorded", actor=actor, target=entry)
    return entry
