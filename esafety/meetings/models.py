"""Parents' e-safety evenings: the evening, who it is for, its bookings and its resources."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..concurrency import Revisioned
from ..extensions import IntEnumType, Model, enum_type
from ..school.models import YearGroup


class Audience(enum.StrEnum):
    ALL_PARENTS = "all_parents"
    YEAR_GROUPS = "year_groups"

    @property
    def label(self) -> str:
        return "All parents and carers" if self is Audience.ALL_PARENTS else "Chosen year groups"


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            BookingStatus.CONFIRMED: "Booked",
            BookingStatus.WAITLISTED: "On the waiting list",
            BookingStatus.CANCELLED: "Cancelled",
        }[self]


class Meeting(Model):
    """An e-safety evening the school arranges for parents and carers."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    #: What staff typed (light Markdown); description_html is made from it once, at save.
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    #: Naive UTC, like every time in the app; shown in the school's own time zone.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    #: Where it happens ("School hall"); an evening may have a place, a link, or both.
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    #: Seats in the room: confirmed places can never add up to more.
    capacity: Mapped[int]
    #: The most places one parent may take in one booking (themselves and companions).
    max_places_per_booking: Mapped[int] = mapped_column(default=2)
    #: Confirmed places, kept by one conditional UPDATE so two bookers never share a seat.
    places_taken: Mapped[int] = mapped_column(default=0)
    booking_opens_at: Mapped[datetime]
    booking_closes_at: Mapped[datetime]
    #: After this, parents can no longer change or cancel a confirmed booking themselves.
    cancellation_deadline: Mapped[datetime]
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.ALL_PARENTS)
    #: Shown with the resources once the evening has started (slides, links, a short note).
    resources_note_source: Mapped[str] = mapped_column(Text, default="")
    resources_note_html: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When staff last edited the details (not touched by bookings taking places).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bumped whenever the time or place changes, so calendars replace their old copy.
    calendar_sequence: Mapped[int] = mapped_column(default=0)

    year_groups: Mapped[list[MeetingYearGroup]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="MeetingYearGroup.year_group",
    )
    resources: Mapped[list[MeetingResource]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingResource.id",
    )

    __table_args__ = (
        CheckConstraint("places_taken >= 0", name="places_taken_not_negative"),
        CheckConstraint("places_taken <= capacity", name="places_within_capacity"),
        CheckConstraint("max_places_per_booking >= 1", name="at_least_one_place_per_booking"),
        CheckConstraint("ends_at > starts_at", name="ends_after_it_starts"),
    )

    @property
    def places_free(self) -> int:
        return self.capacity - self.places_taken

    @property
    def audience_year_groups(self) -> list[YearGroup]:
        return [row.year_group for row in self.year_groups]

    @property
    def audience_label(self) -> str:
        if self.audience is Audience.ALL_PARENTS:
            return "All parents and carers"
        groups = self.audience_year_groups
        names = [g.label for g in groups]
        if len(names) > 1:
            names = [", ".join(names[:-1]) + " and " + names[-1]]
        return f"Parents and carers of children in {names[0] if names else 'no year group yet'}"

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def booking_is_open(self, now: datetime) -> bool:
        return self.booking_opens_at <= now < self.booking_closes_at and now < self.starts_at


class MeetingYearGroup(Model):
    """A year group an evening is meant for (used when the audience is chosen year groups)."""

    __tablename__ = "meeting_year_group"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    year_group: Mapped[YearGroup] = mapped_column(IntEnumType(YearGroup), primary_key=True)

    meeting: Mapped[Meeting] = relationship(back_populates="year_groups")


class Booking(Revisioned, Model):
    """One parent's places at one evening: confirmed, waiting for a place, or cancelled."""

    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: The parent and anyone coming with them.
    places: Mapped[int]
    #: Access needs, an interpreter, childcare numbers: seen only by the staff running the evening.
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[BookingStatus] = mapped_column(enum_type(BookingStatus))
    #: The waiting list is served oldest first by this (then id).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    #: Set when a place came free and this booking moved up from the waiting list.
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: Null until the reminder has gone: `send-reminders` never sends a second.
    reminder_sent_at: Mapped[datetime | None]
    #: Ticked at the door (or afterwards, from the register); null means not (yet) seen.
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The year groups of the parent's children when they booked ("3,5"), for the governors'
    #: summary: children move up each September, but who an evening reached should not change.
    children_year_groups: Mapped[str] = mapped_column(String(40), default="")
    #: Bumped with every calendar file sent for this booking, so calendars keep the newest.
    calendar_sequence: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(lazy="joined")
    parent: Mapped[User] = relationship(foreign_keys=[parent_id], lazy="joined")

    __table_args__ = (
        CheckConstraint("places >= 1", name="at_least_one_place"),
        # One active booking per parent per evening: a double click cannot make two.
        Index(
            "uq_booking_one_active_per_parent",
            "meeting_id",
            "parent_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_booking_meeting_id_status", "meeting_id", "status"),
    )

    @property
    def is_active(self) -> bool:
        return self.status is not BookingStatus.CANCELLED

    @property
    def checked_in(self) -> bool:
        return self.checked_in_at is not None


class MeetingResource(Model):
    """Something to read or watch after the evening: a link, or a file such as the slides."""

    __tablename__ = "meeting_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    #: Either a web address ...
    url: Mapped[str] = mapped_column(String(500), default="")
    #: ... or a file kept in the upload folder under this random name (never under static/).
    stored_name: Mapped[str] = mapped_column(String(80), default="")
    #: The name the file had when it was uploaded, offered again on download.
    original_filename: Mapped[str] = mapped_column(String(200), default="")
    mimetype: Mapped[str] = mapped_column(String(120), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="resources")

    @property
    def is_file(self) -> bool:
        return bool(self.stored_name)
