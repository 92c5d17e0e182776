"""What parents see: the evenings meant for them, with their booking and place in the queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..errors import NotFoundError
from ..extensions import db
from . import times
from .access import is_manager
from .audiences import audience_clause, children_year_groups, is_meant_for
from .bookings import active_booking
from .models import Booking, BookingStatus, Meeting


@dataclass
class ParentEvening:
    meeting: Meeting
    booking: Booking | None
    position: int | None = None
    problem: str | None = None

    @property
    def can_book(self) -> bool:
        return self.booking is None and self.problem is None


def evenings_for_parent(parent: User, *, past: bool = False, limit: int | None = None):
    """Evenings meant for this parent (upcoming soonest first, or past latest first)."""
    now = utcnow()
    year_groups = children_year_groups(parent)
    query = select(Meeting).where(audience_clause(year_groups))
    if past:
        query = query.where(Meeting.starts_at <= now).order_by(Meeting.starts_at.desc())
    else:
        query = query.where(Meeting.starts_at > now).order_by(Meeting.starts_at)
    if limit:
        query = query.limit(limit)
    meetings = list(db.session.scalars(query))
    if not meetings:
        return []
    ids = [m.id for m in meetings]
    bookings = {
        b.meeting_id: b
        for b in db.session.scalars(
            select(Booking).where(
                Booking.meeting_id.in_(ids),
                Booking.parent_id == parent.id,
                Booking.status != BookingStatus.CANCELLED,
            )
        )
    }
    positions = waiting_positions(
        [b for b in bookings.values() if b.status is BookingStatus.WAITLISTED]
    )
    evenings = []
    for meeting in meetings:
        booking = bookings.get(meeting.id)
        problem = None
        if booking is None:
            if now < meeting.booking_opens_at:
                problem = f"Booking opens {times.when(meeting.booking_opens_at)}"
            elif now >= meeting.booking_closes_at or now >= meeting.starts_at:
                problem = "Booking has closed"
        evenings.append(
            ParentEvening(meeting, booking, positions.get(booking.id if booking else 0), problem)
        )
    return evenings


def waiting_positions(waiting: list[Booking]) -> dict[int, int]:
    """Waiting-list positions for several bookings in one query."""
    if not waiting:
        return {}
    meeting_ids = {b.meeting_id for b in waiting}
    rows = db.session.execute(
        select(Booking.id, Booking.meeting_id)
        .where(Booking.meeting_id.in_(meeting_ids), Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.meeting_id, Booking.created_at, Booking.id)
    )
    counters: dict[int, int] = {}
    positions: dict[int, int] = {}
    for booking_id, meeting_id in rows:
        counters[meeting_id] = counters.get(meeting_id, 0) + 1
        positions[booking_id] = counters[meeting_id]
    return positions


def meeting_for_parent(parent: User, meeting_id: int) -> tuple[Meeting, Booking | None]:
    """The evening (its year groups joined in, not a second statement) and this parent's
    active booking for it (if any)."""
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.year_groups)])
    if meeting is None:
        raise NotFoundError("We could not find that e-safety evening.")
    return meeting, active_booking(meeting.id, parent.id)


def may_see_resources(user: User, meeting: Meeting) -> bool:
    """Resources are for families the evening was meant for, once it has started, and staff."""
    if is_manager(user):
        return True
    if not user.has_role(Role.PARENT) or not meeting.has_started(utcnow()):
        return False
    return is_meant_for(meeting, children_year_groups(user))
