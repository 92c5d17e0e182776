"""Emails about bookings, each with a calendar file, sent only once the change is committed.

A message is a row in the outbox written in the booking's own transaction, so a parent is
never told about a place that a rolled-back transaction did not give them, and a mail server
that is down delays the message without losing it.
"""

from __future__ import annotations

from flask import current_app

from .. import mail
from ..clock import utcnow
from . import ics, times
from .models import Booking, BookingStatus, Meeting


def _queue(to: str | None, subject: str, body: str, attachments: tuple = ()) -> None:
    mail.queue(to, subject, body, attachments)


def _booking_link(booking: Booking) -> str:
    return mail.link("meetings.booking_page", booking_id=booking.id)


def _calendar(booking: Booking) -> tuple[mail.Attachment]:
    content = ics.booking_calendar(booking, _booking_link(booking))
    return (mail.Attachment(ics.filename_for(booking), content, ics.MIMETYPE),)


def _places(n: int) -> str:
    return f"{n} place{'s' if n != 1 else ''}"


def _where(meeting: Meeting) -> str:
    lines = []
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    if meeting.online_url:
        lines.append(f"Online: {meeting.online_url}")
    return "\n".join(lines)


def _letter(booking: Booking, opening: str, *middle: str) -> str:
    meeting = booking.meeting
    parts = [
        f"Dear {booking.parent.first_name},",
        opening,
        f"{meeting.title}\nWhen: {times.span(meeting.starts_at, meeting.ends_at)}\n"
        + _where(meeting),
        *[m for m in middle if m],
        f"See or change your booking: {_booking_link(booking)}",
        f"With best wishes,\n{current_app.config['SCHOOL_NAME']}",
    ]
    return "\n\n".join(p.strip() for p in parts)


def _change_rule(booking: Booking) -> str:
    deadline = times.when(booking.meeting.cancellation_deadline)
    return f"You can change or cancel your booking until {deadline}."


def booking_confirmed(booking: Booking) -> None:
    _queue(
        booking.parent.email,
        f"Your place is booked: {booking.meeting.title}",
        _letter(
            booking,
            f"Thank you for booking. You have {_places(booking.places)} at our e-safety evening.",
            "The calendar file attached adds the evening to your phone or computer calendar.",
            _change_rule(booking),
        ),
        _calendar(booking),
    )


def booking_waitlisted(booking: Booking, position: int) -> None:
    _queue(
        booking.parent.email,
        f"You are on the waiting list: {booking.meeting.title}",
        _letter(
            booking,
            "The evening is full at the moment, so we have put you on the waiting list "
            f"for {_places(booking.places)}. You are number {position} on the list.",
            "If a place comes free we will give it to you straight away and email you. "
            "The calendar file attached holds the date for you in the meantime.",
        ),
        _calendar(booking),
    )


def booking_promoted(booking: Booking) -> None:
    _queue(
        booking.parent.email,
        f"Good news: a place came free for {booking.meeting.title}",
        _letter(
            booking,
            f"A place came free and it is yours: you now have {_places(booking.places)} "
            "at our e-safety evening. You do not need to do anything else.",
            "The calendar file attached adds the evening to your calendar.",
            "If you can no longer come, please cancel so the place can go to someone else. "
            + _change_rule(booking),
        ),
        _calendar(booking),
    )


def booking_changed(booking: Booking) -> None:
    state = (
        f"You now have {_places(booking.places)}."
        if booking.status is BookingStatus.CONFIRMED
        else f"You are waiting for {_places(booking.places)}."
    )
    _queue(
        booking.parent.email,
        f"Your booking has changed: {booking.meeting.title}",
        _letter(
            booking,
            f"Your booking has been changed. {state}",
            "The calendar file attached replaces the one we sent before.",
        ),
        _calendar(booking),
    )


def booking_cancelled(booking: Booking, by_school: bool = False) -> None:
    opening = (
        "The school office has cancelled your booking, as you asked."
        if by_school
        else "Your booking has been cancelled. Thank you for letting us know."
    )
    _queue(
        booking.parent.email,
        f"Booking cancelled: {booking.meeting.title}",
        _letter(
            booking,
            opening,
            "Open the calendar file attached to remove the evening from your calendar. "
            "You are welcome to book again while booking is open.",
        ),
        _calendar(booking),
    )


def booking_reminder(booking: Booking) -> None:
    _queue(
        booking.parent.email,
        f"Reminder: {booking.meeting.title} is coming up",
        _letter(
            booking,
            f"This is a reminder that you have {_places(booking.places)} at our e-safety "
            "evening. We look forward to seeing you.",
            _if_you_cannot_come(booking),
        ),
        _calendar(booking),
    )


def _if_you_cannot_come(booking: Booking) -> str:
    deadline = booking.meeting.cancellation_deadline
    if utcnow() < deadline:
        return (
            f"If you can no longer come, please cancel by {times.when(deadline)} so the "
            "place can go to a family on the waiting list."
        )
    return (
        "If you can no longer come, please let the school office know so the place can go "
        "to another family."
    )


def meeting_moved(booking: Booking) -> None:
    _queue(
        booking.parent.email,
        f"Change of time or place: {booking.meeting.title}",
        _letter(
            booking,
            "We have changed the time or place of the e-safety evening you booked. "
            "The new details are below.",
            "The calendar file attached updates the event in your calendar.",
        ),
        _calendar(booking),
    )


def message_from_school(booking: Booking, subject: str, message: str) -> None:
    _queue(
        booking.parent.email,
        subject,
        _letter(booking, message),
    )
