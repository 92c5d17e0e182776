"""Figures for each evening for leaders and governors: counts only, never names."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select

from ..auth.models import User
from ..errors import NotAllowed
from ..extensions import db
from ..school.models import YearGroup
from .access import SUMMARY_ROLES
from .audiences import decode_year_groups
from .models import Booking, BookingStatus, Meeting


@dataclass
class MeetingSummary:
    meeting: Meeting
    bookings: int = 0
    places_booked: int = 0
    families_attended: int = 0
    places_attended: int = 0
    waiting_families: int = 0
    waiting_places: int = 0
    year_groups_booked: set[YearGroup] = field(default_factory=set)
    year_groups_reached: set[YearGroup] = field(default_factory=set)

    @property
    def no_shows(self) -> int:
        return self.bookings - self.families_attended


def summaries(actor: User) -> list[MeetingSummary]:
    """Figures for every evening, latest first: two queries however many evenings and bookings."""
    if not actor.has_role(*SUMMARY_ROLES):
        raise NotAllowed("The evenings' summary is for leaders and governors.")
    meetings = list(db.session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())))
    result = {m.id: MeetingSummary(m) for m in meetings}
    if not meetings:
        return []
    confirmed = Booking.status == BookingStatus.CONFIRMED
    attended = and_(confirmed, Booking.checked_in_at.is_not(None))
    waiting = Booking.status == BookingStatus.WAITLISTED
    rows = db.session.execute(
        select(
            Booking.meeting_id,
            Booking.children_year_groups,
            func.sum(case((confirmed, 1), else_=0)),
            func.sum(case((confirmed, Booking.places), else_=0)),
            func.sum(case((attended, 1), else_=0)),
            func.sum(case((attended, Booking.places), else_=0)),
            func.sum(case((waiting, 1), else_=0)),
            func.sum(case((waiting, Booking.places), else_=0)),
        )
        .where(Booking.status != BookingStatus.CANCELLED)
        .group_by(Booking.meeting_id, Booking.children_year_groups)
    )
    for meeting_id, groups, n, places, n_in, places_in, n_wait, places_wait in rows:
        summary = result[meeting_id]
        summary.bookings += n or 0
        summary.places_booked += places or 0
        summary.families_attended += n_in or 0
        summary.places_attended += places_in or 0
        summary.waiting_families += n_wait or 0
        summary.waiting_places += places_wait or 0
        year_groups = decode_year_groups(groups or "")
        if n:
            summary.year_groups_booked |= year_groups
        if n_in:
            summary.year_groups_reached |= year_groups
    return list(result.values())
