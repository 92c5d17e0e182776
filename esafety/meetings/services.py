"""E-safety evenings for parents: who may book, how places are taken, and who moves up.

The school arranges e-safety evenings for parents and carers; these rules make sure a room is
never overbooked, a freed place goes straight to the family that waited longest, and nobody is
told about a place they do not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, concurrency
from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..school.models import ParentLink, Pupil, SchoolClass, YearGroup
from ..spreadsheet import csv_text
from ..text import render_markdown
from . import notify, times
from .models import Audience, Booking, BookingStatus, Meeting, MeetingYearGroup

#: Staff who arrange evenings, run the door and email parents about them.
MANAGER_ROLES = (Role.ESAFETY_OFFICER, Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN)
#: Leaders and governors who read the figures (no names) for each evening.
SUMMARY_ROLES = (
    Role.HEADTEACHER,
    Role.SLT,
    Role.ESAFETY_OFFICER,
    Role.COMPUTING_LEAD,
    Role.OFFICE_ADMIN,
    Role.GOVERNOR,
)
MAX_NOTES = 500
#: The door register can be ticked from this long before the evening starts.
CHECK_IN_OPENS_BEFORE = timedelta(hours=4)
#: `send-reminders` reminds everyone whose evening starts within this window.
REMINDER_WINDOW = timedelta(hours=48)


class NotForThisParent(DomainError):
    """The evening is for other year groups' families."""


class BookingNotOpen(DomainError):
    pass


class TooManyPlaces(DomainError):
    pass


class TooLateToChange(DomainError):
    pass


class DetailsProblems(DomainError):
    """Every problem with an evening's details at once, each beside its own field."""

    def __init__(self, problems: dict[str, str]) -> None:
        first_field, first_message = next(iter(problems.items()))
        super().__init__(first_message, first_field)
        self.problems = problems


def _places(n: int) -> str:
    return f"{n} place{'s' if n != 1 else ''}"


def is_manager(user: User) -> bool:
    return user.has_role(*MANAGER_ROLES)


def require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise NotAllowed("Only the staff who run e-safety evenings can do that.")


# --- Locking ---------------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _lock_meeting(meeting_id: int) -> Meeting:
    """Hold the evening until commit, so bookings, changes and promotions for it take turns.

    PostgreSQL: a row lock (SELECT ... FOR UPDATE). SQLite has no row locks and SQLAlchemy
    drops FOR UPDATE there, so a no-op UPDATE is the transaction's first statement: it takes
    the database's write lock before anything is read (the effect of BEGIN IMMEDIATE), and
    other writers wait for it (busy_timeout) instead of failing with "database is locked".
    """
    if _dialect() == "sqlite":
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(places_taken=Meeting.places_taken)
            .execution_options(synchronize_session=False)
        )
        meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
    else:
        meeting = db.session.scalar(
            select(Meeting)
            .where(Meeting.id == meeting_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if meeting is None:
        raise NotFoundError("We could not find that e-safety evening.")
    return meeting


def _take_places(meeting: Meeting, n: int) -> bool:
    """Take n places if they are free; one conditional UPDATE, correct on both databases."""
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.places_taken + n <= Meeting.capacity)
        .values(places_taken=Meeting.places_taken + n)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["places_taken"])
    return cast(CursorResult[Any], result).rowcount == 1


def _give_back_places(meeting: Meeting, n: int) -> None:
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.places_taken >= n)
        .values(places_taken=Meeting.places_taken - n)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["places_taken"])
    if cast(CursorResult[Any], result).rowcount != 1:
        raise RuntimeError(f"meeting {meeting.id}: cannot give back {n} places")


# --- Evenings --------------------------------------------------------------------------------


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


def _problems_with(details: MeetingDetails) -> dict[str, str]:
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
            f"One booking cannot take more than the {_places(details.capacity)} available."
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
    problems = _problems_with(details)
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
    meeting = _lock_meeting(meeting_id)
    problems = _problems_with(details)
    if details.capacity < meeting.places_taken and "capacity" not in problems:
        problems["capacity"] = (
            f"{_places(meeting.places_taken)} are already booked, so there must be at least "
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
        for booking in _bookings(meeting.id, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
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


# --- Who an evening is for -------------------------------------------------------------------


def children_year_groups(parent: User) -> set[YearGroup]:
    """The year groups of a parent's children at school now."""
    rows = db.session.scalars(
        select(SchoolClass.year_group)
        .join(Pupil, Pupil.class_id == SchoolClass.id)
        .join(ParentLink, ParentLink.pupil_id == Pupil.id)
        .where(ParentLink.parent_id == parent.id, Pupil.left_on.is_(None))
        .distinct()
    )
    return set(rows)


def _audience_clause(year_groups: set[YearGroup]):
    chosen = select(MeetingYearGroup.meeting_id).where(
        MeetingYearGroup.meeting_id == Meeting.id,
        MeetingYearGroup.year_group.in_(sorted(year_groups)),
    )
    if not year_groups:
        return Meeting.audience == Audience.ALL_PARENTS
    return or_(Meeting.audience == Audience.ALL_PARENTS, chosen.exists())


def is_meant_for(meeting: Meeting, year_groups: set[YearGroup]) -> bool:
    if meeting.audience is Audience.ALL_PARENTS:
        return True
    return bool(set(meeting.audience_year_groups) & year_groups)


def _not_meant_message(meeting: Meeting) -> str:
    return (
        f"This evening is for {meeting.audience_label[0].lower()}{meeting.audience_label[1:]}, "
        "so it cannot be booked from your account. If you would like to come, please ask "
        "the school office."
    )


def _parent(parent_id: int) -> User:
    parent = db.session.get(User, parent_id)
    if parent is None or not parent.active or not parent.has_role(Role.PARENT):
        raise NotFoundError("Only parents and carers can book e-safety evenings.")
    return parent


def booking_problem(parent: User, meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why this parent cannot book this evening right now, in plain words; None if they can."""
    if not is_meant_for(meeting, children_year_groups(parent)):
        return _not_meant_message(meeting)
    return _window_problem(meeting, now or utcnow())


def _window_problem(meeting: Meeting, now: datetime) -> str | None:
    if now < meeting.booking_opens_at:
        return f"Booking opens on {times.when(meeting.booking_opens_at)}. Please come back then."
    if now >= meeting.booking_closes_at or now >= meeting.starts_at:
        return (
            f"Booking closed on {times.when(meeting.booking_closes_at)}. If you would still "
            "like to come, please contact the school office."
        )
    return None


def _check_places(meeting: Meeting, places: int | None) -> int:
    if places is None or places < 1:
        raise TooManyPlaces("Please book at least 1 place.", "places")
    if places > meeting.max_places_per_booking:
        raise TooManyPlaces(
            f"You can book up to {_places(meeting.max_places_per_booking)} for this evening.",
            "places",
        )
    return places


def _clean_notes(notes: str | None) -> str:
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise DomainError(
            f"Please keep notes to {MAX_NOTES} characters (you have {len(notes)}).", "notes"
        )
    return notes


# --- Booking ---------------------------------------------------------------------------------


def _active_booking(meeting_id: int, parent_id: int) -> Booking | None:
    return db.session.scalar(
        select(Booking)
        .where(
            Booking.meeting_id == meeting_id,
            Booking.parent_id == parent_id,
            Booking.status != BookingStatus.CANCELLED,
        )
        .execution_options(populate_existing=True)
    )


def book_places(meeting_id: int, parent_id: int, places: int, notes: str = "") -> Booking:
    """Give a parent places at an evening, or a place on its waiting list; never overbook.

    Runs as the caller's one transaction (the view commits): the evening is locked, places
    are taken by a conditional UPDATE, and a parent already booked gets their booking back,
    so a double click or a second tab never makes a second booking.
    """
    notes = _clean_notes(notes)
    # Facts about the family are read before the lock, to keep the locked part short.
    parent = _parent(parent_id)
    year_groups = children_year_groups(parent)
    meeting = _lock_meeting(meeting_id)
    existing = _active_booking(meeting.id, parent.id)
    if existing is not None:
        return existing
    if not is_meant_for(meeting, year_groups):
        raise NotForThisParent(_not_meant_message(meeting), "places")
    now = utcnow()
    problem = _window_problem(meeting, now)
    if problem:
        raise BookingNotOpen(problem, "places")
    _check_places(meeting, places)

    confirmed = _take_places(meeting, places)
    booking = Booking(
        meeting_id=meeting.id,
        parent_id=parent.id,
        places=places,
        notes=notes,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITLISTED,
        created_at=now,
        confirmed_at=now if confirmed else None,
        children_year_groups=encode_year_groups(year_groups),
    )
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request for the same parent won the race: undo ours, return theirs.
        db.session.rollback()
        existing = _active_booking(meeting_id, parent_id)
        if existing is None:
            raise
        return existing
    audit.record(
        "meetings.booking_made",
        actor=parent,
        target=booking,
        meeting_id=meeting.id,
        places=places,
        status=booking.status.value,
    )
    if confirmed:
        notify.booking_confirmed(booking)
    else:
        notify.booking_waitlisted(booking, waiting_position(booking))
    return booking


def encode_year_groups(year_groups: set[YearGroup]) -> str:
    return ",".join(str(int(g)) for g in sorted(year_groups))


def decode_year_groups(text: str) -> set[YearGroup]:
    return {YearGroup(int(part)) for part in text.split(",") if part.strip()}


def waiting_position(booking: Booking) -> int:
    """Where a waiting booking stands: 1 means it gets the next place that fits."""
    earlier = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.meeting_id == booking.meeting_id,
            Booking.status == BookingStatus.WAITLISTED,
            or_(
                Booking.created_at < booking.created_at,
                and_(Booking.created_at == booking.created_at, Booking.id < booking.id),
            ),
        )
    )
    return int(earlier or 0) + 1


def _waiting_list(meeting_id: int) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.meeting_id == meeting_id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.created_at, Booking.id)
            .execution_options(populate_existing=True)
        )
    )


def promote_waitlist(meeting: Meeting) -> list[Booking]:
    """Give freed places to the waiting list, oldest first, to each booking that fits.

    The caller holds the evening's lock, so this happens in the same transaction as the
    cancellation or reduction that freed the places; each family promoted is emailed.
    """
    now = utcnow()
    if meeting.has_started(now):
        return []
    promoted: list[Booking] = []
    for booking in _waiting_list(meeting.id):
        free = meeting.places_free
        if free <= 0:
            break
        if booking.places > free or not _take_places(meeting, booking.places):
            continue
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
        booking.promoted_at = now
        booking.calendar_sequence += 1
        promoted.append(booking)
    db.session.flush()
    for booking in promoted:
        audit.record(
            "meetings.booking_promoted",
            target=booking,
            meeting_id=meeting.id,
            places=booking.places,
        )
        notify.booking_promoted(booking)
    return promoted


def _locked_booking(actor: User, booking_id: int) -> tuple[Booking, Meeting]:
    """The booking, if the actor may change it (theirs, or staff), with its evening locked."""
    row = db.session.execute(
        select(Booking.meeting_id, Booking.parent_id).where(Booking.id == booking_id)
    ).first()
    if row is None or (row.parent_id != actor.id and not is_manager(actor)):
        raise NotFoundError("We could not find that booking.")
    meeting = _lock_meeting(row.meeting_id)
    booking = db.session.get_one(Booking, booking_id, populate_existing=True)
    return booking, meeting


def too_late_message(meeting: Meeting) -> str:
    return (
        f"Changes closed on {times.when(meeting.cancellation_deadline)}. If your plans have "
        "changed, please contact the school office so your place can go to another family."
    )


def _check_can_change(actor: User, booking: Booking, meeting: Meeting, now: datetime) -> None:
    if meeting.has_started(now):
        raise TooLateToChange(
            "The evening has already started, so this booking can no longer be changed.", "places"
        )
    confirmed = booking.status is BookingStatus.CONFIRMED
    if confirmed and now >= meeting.cancellation_deadline and not is_manager(actor):
        raise TooLateToChange(too_late_message(meeting), "places")


def get_booking(actor: User, booking_id: int) -> Booking:
    """A parent's own booking (staff who run evenings may see any)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or (booking.parent_id != actor.id and not is_manager(actor)):
        raise NotFoundError("We could not find that booking.")
    return booking


def change_booking(actor: User, booking_id: int, places: int, notes: str = "") -> Booking:
    """Change how many are coming (or the notes) until the deadline; freed places move up."""
    notes = _clean_notes(notes)
    booking, meeting = _locked_booking(actor, booking_id)
    if not booking.is_active:
        raise DomainError(
            "This booking was cancelled. You can book again while booking is open.", "places"
        )
    now = utcnow()
    _check_can_change(actor, booking, meeting, now)
    _check_places(meeting, places)
    difference = places - booking.places
    confirmed = booking.status is BookingStatus.CONFIRMED
    if confirmed and difference > 0 and not _take_places(meeting, difference):
        free = meeting.places_free
        more = f"only {_places(free)} more" if free else "no more places"
        raise TooManyPlaces(
            f"Sorry, there {'is' if free == 1 else 'are'} {more} free, so you can have up to "
            f"{_places(booking.places + free)}. Your booking for {_places(booking.places)} "
            "is unchanged.",
            "places",
        )
    if confirmed and difference < 0:
        _give_back_places(meeting, -difference)
    old_places = booking.places
    booking.places = places
    booking.notes = notes
    if difference:
        booking.calendar_sequence += 1
    db.session.flush()
    audit.record(
        "meetings.booking_changed",
        actor=actor,
        target=booking,
        meeting_id=meeting.id,
        places_before=old_places,
        places=places,
    )
    promoted: list[Booking] = []
    if difference < 0 or (not confirmed and difference):
        promoted = promote_waitlist(meeting)
    if difference and booking not in promoted:
        notify.booking_changed(booking)
    return booking


def cancel_booking(actor: User, booking_id: int, seen: int | str | None = None) -> Booking:
    """Cancel a booking (parents until the deadline); the freed places go to the waiting list.

    `seen` is the booking's revision on the office's list: a booking the family changed since
    is not cancelled unseen."""
    booking, meeting = _locked_booking(actor, booking_id)
    if not booking.is_active:
        return booking  # cancelled already: a second click changes nothing
    concurrency.expect_revision(booking, seen)
    now = utcnow()
    _check_can_change(actor, booking, meeting, now)
    was_confirmed = booking.status is BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.calendar_sequence += 1
    if was_confirmed:
        _give_back_places(meeting, booking.places)
    db.session.flush()
    by_school = booking.parent_id != actor.id
    audit.record(
        "meetings.booking_cancelled",
        actor=actor,
        target=booking,
        meeting_id=meeting.id,
        places=booking.places,
        by_school=by_school,
    )
    notify.booking_cancelled(booking, by_school=by_school)
    if was_confirmed:
        promote_waitlist(meeting)
    return booking


# --- What parents see ------------------------------------------------------------------------


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
    query = select(Meeting).where(_audience_clause(year_groups))
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
    positions = _positions([b for b in bookings.values() if b.status is BookingStatus.WAITLISTED])
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


def _positions(waiting: list[Booking]) -> dict[int, int]:
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
    """The evening and this parent's active booking for it (if any)."""
    meeting = get_meeting(meeting_id)
    return meeting, _active_booking(meeting.id, parent.id)


def may_see_resources(user: User, meeting: Meeting) -> bool:
    """Resources are for families the evening was meant for, once it has started, and staff."""
    if is_manager(user):
        return True
    if not user.has_role(Role.PARENT) or not meeting.has_started(utcnow()):
        return False
    return is_meant_for(meeting, children_year_groups(user))


# --- Staff: the booking list, the door, and afterwards ---------------------------------------


def _bookings(meeting_id: int, *statuses: BookingStatus) -> list[Booking]:
    query = (
        select(Booking)
        .join(User, User.id == Booking.parent_id)
        .where(Booking.meeting_id == meeting_id)
        .order_by(User.last_name, User.first_name, Booking.id)
    )
    if statuses:
        query = query.where(Booking.status.in_(statuses))
    return list(db.session.scalars(query))


@dataclass
class BookingRow:
    """A booking as the staff lists show it, with the children's first names and classes."""

    booking: Booking
    children: list[str]
    position: int | None = None

    @property
    def parent_name(self) -> str:
        return self.booking.parent.full_name


def _children_by_parent(parent_ids: set[int]) -> dict[int, list[str]]:
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
    bookings = _bookings(meeting_id, *statuses)
    children = _children_by_parent({b.parent_id for b in bookings})
    positions = _positions([b for b in bookings if b.status is BookingStatus.WAITLISTED])
    return [BookingRow(b, children.get(b.parent_id, []), positions.get(b.id)) for b in bookings]


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
    bookings = _bookings(meeting.id, *statuses)
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


# --- Reminders -------------------------------------------------------------------------------


def due_reminders(now: datetime | None = None) -> list[int]:
    """Confirmed bookings for evenings starting within 48 hours that have had no reminder."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Booking.id)
            .join(Meeting, Meeting.id == Booking.meeting_id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.reminder_sent_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + REMINDER_WINDOW,
            )
            .order_by(Booking.id)
        )
    )


def send_reminder(booking_id: int, now: datetime | None = None) -> bool:
    """Claim and queue one reminder; False if another run (or an earlier one) already sent it."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking_id,
            Booking.reminder_sent_at.is_(None),
            Booking.status == BookingStatus.CONFIRMED,
        )
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        return False
    booking = db.session.get_one(Booking, booking_id, populate_existing=True)
    notify.booking_reminder(booking)
    audit.record("meetings.reminder_sent", target=booking, meeting_id=booking.meeting_id)
    return True


# --- Leaders' and governors' summary ---------------------------------------------------------


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
