"""Arranging an e-safety evening: its details, checked all at once, and the lists staff see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from .. import audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..school.models import YearGroup
from ..text import render_markdown
from . import notify
from .access import require_manager
from .bookings import bookings_with_status, promote_waitlist
from .locking import lock_meeting, places_text
from .models import Audience, Booking, BookingStatus, Meeting, MeetingYearGroup


class DetailsProblems(DomainError):
    """Every problem with an evening's details at once, each beside its own field."""

    def __init__(self, problems: dict[str, str]) -> None:
        first_field, first_message = next(iter(problems.items()))
        super().__init__(first_message, first_field)
        self.problems = problems


@dataclass
class MeetingDetails:
    """What staff type for an evening; times are naive UTC."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    online_url: str
    capacity: int
    max_places_per_booking: int
    booking_opens_at: datetime
    booking_closes_at: datetime
    cancellation_deadline: datetime
    audience: Audience
    year_groups: list[YearGroup] = field(default_factory=list)


def details_problems(details: MeetingDetails) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not details.title.strip():
        problems["title"] = "Give the evening a title."
    if details.ends_at <= details.starts_at:
        problems["ends_at"] = "The evening must end after it starts."
    if not details.location.strip() and not details.online_url.strip():
        problems["location"] = "Say where the evening is, or give an online link (or both)."
    url = details.online_url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        problems["online_url"] = "The online link must start with https://"
    if details.capacity < 1:
        problems["capacity"] = "There must be at least 1 place."
    if details.max_places_per_booking < 1:
        problems["max_places_per_booking"] = "Each booking must allow at least 1 place."
    elif details.max_places_per_booking > details.capacity:
        problems["max_places_per_booking"] = (
            f"One booking cannot take more than the {places_text(details.capacity)} available."
        )
    if details.booking_closes_at <= details.booking_opens_at:
        problems["booking_closes_at"] = "Booking must close after it opens."
    elif details.booking_closes_at > details.starts_at:
        problems["booking_closes_at"] = "Booking must close before the evening starts."
    if details.cancellation_deadline > details.starts_at:
        problems["cancellation_deadline"] = "The last day to change must be before the evening."
    if details.audience is Audience.YEAR_GROUPS and not details.year_groups:
        problems["year_groups"] = "Choose at least one year group, or choose all parents."
    return problems


def _apply(meeting: Meeting, details: MeetingDetails) -> None:
    meeting.title = details.title.strip()
    meeting.description_source = details.description.strip()
    meeting.description_html = render_markdown(meeting.description_source)
    meeting.starts_at = details.starts_at
    meeting.ends_at = details.ends_at
    meeting.location = details.location.strip()
    meeting.online_url = details.online_url.strip()
    meeting.capacity = details.capacity
    meeting.max_places_per_booking = details.max_places_per_booking
    meeting.booking_opens_at = details.booking_opens_at
    meeting.booking_closes_at = details.booking_closes_at
    meeting.cancellation_deadline = details.cancellation_deadline
    meeting.audience = details.audience
    wanted = set(details.year_groups) if details.audience is Audience.YEAR_GROUPS else set()
    meeting.year_groups = [row for row in meeting.year_groups if row.year_group in wanted]
    have = {row.year_group for row in meeting.year_groups}
    for year_group in sorted(wanted - have):
        meeting.year_groups.append(MeetingYearGroup(year_group=year_group))
    meeting.updated_at = utcnow()


def create_meeting(actor: User, details: MeetingDetails) -> Meeting:
    """Arrange an e-safety evening for parents and carers."""
    require_manager(actor)
    problems = details_problems(details)
    if problems:
        raise DetailsProblems(problems)
    meeting = Meeting(created_by_id=actor.id, places_taken=0, year_groups=[])
    _apply(meeting, details)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meetings.evening_created", actor=actor, target=meeting, capacity=meeting.capacity)
    return meeting


def update_meeting(actor: User, meeting_id: int, details: MeetingDetails) -> Meeting:
    """Change an evening; families who booked get the new time or place with a calendar file."""
    require_manager(actor)
    meeting = lock_meeting(meeting_id)
    problems = details_problems(details)
    if details.capacity < meeting.places_taken and "capacity" not in problems:
        problems["capacity"] = (
            f"{places_text(meeting.places_taken)} are already booked, so there must be at least "
            f"{meeting.places_taken}. Cancel bookings first to make the evening smaller."
        )
    if problems:
        raise DetailsProblems(problems)
    moved = (meeting.starts_at, meeting.ends_at, meeting.location, meeting.online_url) != (
        details.starts_at,
        details.ends_at,
        details.location.strip(),
        details.online_url.strip(),
    )
    grew = details.capacity > meeting.capacity
    _apply(meeting, details)
    if moved:
        meeting.calendar_sequence += 1
    db.session.flush()
    audit.record(
        "meetings.evening_changed",
        actor=actor,
        target=meeting,
        moved=moved,
        capacity=details.capacity,
    )
    if moved:
        for booking in bookings_with_status(
            meeting.id, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED
        ):
            notify.meeting_moved(booking)
    if grew:
        promote_waitlist(meeting)
    return meeting


def get_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundError("We could not find that e-safety evening.")
    return meeting


def meetings_for_staff(actor: User) -> tuple[list[Meeting], list[Meeting]]:
    """Upcoming (soonest first) and past (latest first) evenings, for the staff who run them."""
    require_manager(actor)
    now = utcnow()
    upcoming = db.session.scalars(
        select(Meeting).where(Meeting.ends_at > now).order_by(Meeting.starts_at)
    )
    past = db.session.scalars(
        select(Meeting).where(Meeting.ends_at <= now).order_by(Meeting.starts_at.desc())
    )
    return list(upcoming), list(past)


def waiting_counts(meeting_ids: list[int]) -> dict[int, int]:
    """How many families wait for each evening, in one query."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Booking.meeting_id, func.count(Booking.id))
        .where(Booking.meeting_id.in_(meeting_ids), Booking.status == BookingStatus.WAITLISTED)
        .group_by(Booking.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows}
