"""The booking list for the staff who run an evening: rows, the spreadsheet, and one email
to every family booked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..errors import DomainError
from ..extensions import db
from ..school.models import ParentLink, Pupil, SchoolClass
from ..spreadsheet import csv_text
from . import notify, times
from .access import require_manager
from .bookings import bookings_with_status
from .for_parents import waiting_positions
from .models import Booking, BookingStatus
from .planning import get_meeting


@dataclass
class BookingRow:
    """A booking as the staff lists show it, with the children's first names and classes."""

    booking: Booking
    children: list[str]
    position: int | None = None

    @property
    def parent_name(self) -> str:
        return self.booking.parent.full_name


def children_by_parent(parent_ids: set[int]) -> dict[int, list[str]]:
    if not parent_ids:
        return {}
    rows = db.session.execute(
        select(ParentLink.parent_id, Pupil.first_name, SchoolClass.name)
        .join(Pupil, Pupil.id == ParentLink.pupil_id)
        .outerjoin(SchoolClass, SchoolClass.id == Pupil.class_id)
        .where(ParentLink.parent_id.in_(parent_ids), Pupil.left_on.is_(None))
        .order_by(Pupil.first_name)
    )
    children: dict[int, list[str]] = {}
    for parent_id, first_name, class_name in rows:
        label = f"{first_name} ({class_name})" if class_name else first_name
        children.setdefault(parent_id, []).append(label)
    return children


def booking_rows(actor: User, meeting_id: int, *statuses: BookingStatus) -> list[BookingRow]:
    """Every booking for an evening with the children's names: three queries, however many."""
    require_manager(actor)
    bookings = bookings_with_status(meeting_id, *statuses)
    children = children_by_parent({b.parent_id for b in bookings})
    positions = waiting_positions([b for b in bookings if b.status is BookingStatus.WAITLISTED])
    return [BookingRow(b, children.get(b.parent_id, []), positions.get(b.id)) for b in bookings]


def bookings_csv(actor: User, meeting_id: int) -> str:
    """Every booking for an evening as CSV, safe to open in a spreadsheet."""
    meeting = get_meeting(meeting_id)
    rows = booking_rows(actor, meeting_id)
    header = [
        "Parent or carer",
        "Email",
        "Children",
        "Places",
        "Status",
        "Waiting list position",
        "Booked",
        "Notes",
        "Attended",
    ]
    lines = [
        [
            row.parent_name,
            row.booking.parent.email,
            "; ".join(row.children),
            row.booking.places,
            row.booking.status.label,
            row.position or "",
            times.when(row.booking.created_at, with_year=True),
            row.booking.notes,
            "Yes" if row.booking.checked_in else "",
        ]
        for row in rows
    ]
    audit.record("meetings.bookings_exported", actor=actor, target=meeting, rows=len(rows))
    return csv_text(header, lines)


def email_everyone_booked(
    actor: User, meeting_id: int, subject: str, message: str, include_waiting: bool = False
) -> int:
    """Email each family booked (one message each, so no one sees another's address)."""
    require_manager(actor)
    meeting = get_meeting(meeting_id)
    subject = subject.strip()
    message = message.strip()
    if not subject:
        raise DomainError("Write a subject for the email.", "subject")
    if not message:
        raise DomainError("Write the message you want to send.", "message")
    statuses = [BookingStatus.CONFIRMED]
    if include_waiting:
        statuses.append(BookingStatus.WAITLISTED)
    bookings = bookings_with_status(meeting.id, *statuses)
    if not bookings:
        raise DomainError("Nobody is booked yet, so there is no one to email.", "subject")
    for booking in bookings:
        notify.message_from_school(booking, subject, message)
    audit.record(
        "meetings.families_emailed",
        actor=actor,
        target=meeting,
        recipients=len(bookings),
        include_waiting=include_waiting,
    )
    return len(bookings)
