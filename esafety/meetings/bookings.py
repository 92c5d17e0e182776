"""Booking places, changing and cancelling them, and moving the waiting list up.

These rules make sure a room is never overbooked, a freed place goes straight to the family
that waited longest, and nobody is told about a place they do not have.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit, concurrency
from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from . import notify, times
from .access import is_manager
from .audiences import children_year_groups, encode_year_groups, is_meant_for, not_meant_message
from .locking import give_back_places, lock_meeting, places_text, take_places
from .models import Booking, BookingStatus, Meeting

MAX_NOTES = 500


class NotForThisParent(DomainError):
    """The evening is for other year groups' families."""


class BookingNotOpen(DomainError):
    pass


class TooManyPlaces(DomainError):
    pass


class TooLateToChange(DomainError):
    pass


def _parent(parent_id: int) -> User:
    parent = db.session.get(User, parent_id)
    if parent is None or not parent.active or not parent.has_role(Role.PARENT):
        raise NotFoundError("Only parents and carers can book e-safety evenings.")
    return parent


def booking_problem(parent: User, meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why this parent cannot book this evening right now, in plain words; None if they can."""
    if not is_meant_for(meeting, children_year_groups(parent)):
        return not_meant_message(meeting)
    return window_problem(meeting, now or utcnow())


def window_problem(meeting: Meeting, now: datetime) -> str | None:
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
            f"You can book up to {places_text(meeting.max_places_per_booking)} for this evening.",
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


def active_booking_id(meeting_id: int, parent_id: int) -> int | None:
    """Whether this parent already has places (or a waiting place) at this evening: its id."""
    return db.session.scalar(
        select(Booking.id).where(
            Booking.meeting_id == meeting_id,
            Booking.parent_id == parent_id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def active_booking(meeting_id: int, parent_id: int) -> Booking | None:
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
    meeting = lock_meeting(meeting_id)
    booked = active_booking_id(meeting.id, parent.id)
    if booked is not None:
        return db.session.get_one(Booking, booked, populate_existing=True)
    if not is_meant_for(meeting, year_groups):
        raise NotForThisParent(not_meant_message(meeting), "places")
    now = utcnow()
    problem = window_problem(meeting, now)
    if problem:
        raise BookingNotOpen(problem, "places")
    _check_places(meeting, places)

    confirmed = take_places(meeting, places)
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
        existing = active_booking(meeting_id, parent_id)
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


def waiting_list(meeting_id: int) -> list[Booking]:
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
    for booking in waiting_list(meeting.id):
        free = meeting.places_free
        if free <= 0:
            break
        if booking.places > free or not take_places(meeting, booking.places):
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
    meeting = lock_meeting(row.meeting_id)
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
    if confirmed and difference > 0 and not take_places(meeting, difference):
        free = meeting.places_free
        more = f"only {places_text(free)} more" if free else "no more places"
        raise TooManyPlaces(
            f"Sorry, there {'is' if free == 1 else 'are'} {more} free, so you can have up to "
            f"{places_text(booking.places + free)}. Your booking for {places_text(booking.places)} "
            "is unchanged.",
            "places",
        )
    if confirmed and difference < 0:
        give_back_places(meeting, -difference)
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
        give_back_places(meeting, booking.places)
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


def bookings_with_status(meeting_id: int, *statuses: BookingStatus) -> list[Booking]:
    query = (
        select(Booking)
        .join(User, User.id == Booking.parent_id)
        .where(Booking.meeting_id == meeting_id)
        .order_by(User.last_name, User.first_name, Booking.id)
    )
    if statuses:
        query = query.where(Booking.status.in_(statuses))
    return list(db.session.scalars(query))
