"""Checking families in at the door, from a few hours before the evening starts."""

from __future__ import annotations

from datetime import timedelta

from .. import audit, concurrency
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from .access import require_manager
from .booking_list import BookingRow, booking_rows
from .models import Booking, BookingStatus

#: The door register can be ticked from this long before the evening starts.
CHECK_IN_OPENS_BEFORE = timedelta(hours=4)


def door_register(actor: User, meeting_id: int, search: str = "") -> list[BookingRow]:
    """Confirmed bookings, found by the parent's or a child's name as typed at the door."""
    rows = booking_rows(actor, meeting_id, BookingStatus.CONFIRMED)
    words = search.casefold().split()
    if not words:
        return rows

    def matches(row: BookingRow) -> bool:
        haystack = " ".join([row.parent_name, *row.children]).casefold()
        return all(word in haystack for word in words)

    return [row for row in rows if matches(row)]


def check_in(actor: User, booking_id: int) -> Booking:
    """Tick a family in at the door (ticking twice changes nothing)."""
    require_manager(actor)
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFoundError("We could not find that booking.")
    if booking.status is not BookingStatus.CONFIRMED:
        raise DomainError("Only confirmed bookings can be ticked in.")
    if utcnow() < booking.meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise DomainError("The door register opens on the day of the evening.")
    if booking.checked_in_at is None:
        booking.checked_in_at = utcnow()
        booking.checked_in_by_id = actor.id
        db.session.flush()
        audit.record("meetings.checked_in", actor=actor, target=booking)
    return booking


def undo_check_in(actor: User, booking_id: int, seen: int | str | None = None) -> Booking:
    """Untick a family ticked by mistake (as the door page showed them: ticked)."""
    require_manager(actor)
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFoundError("We could not find that booking.")
    if booking.checked_in_at is not None:
        concurrency.expect_revision(booking, seen)
        booking.checked_in_at = None
        booking.checked_in_by_id = None
        concurrency.flush()
        audit.record("meetings.check_in_undone", actor=actor, target=booking)
    return booking
