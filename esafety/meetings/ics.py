"""Calendar files (.ics) for a booking, so a parent's phone reminds them of the evening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Alarm, Calendar, Event

from ..clock import utcnow
from .models import Booking, BookingStatus

MIMETYPE = "text/calendar"


def _uid(booking: Booking) -> str:
    host = urlsplit(current_app.config.get("BASE_URL", "")).hostname or "esafety"
    return f"meeting-booking-{booking.id}@{host}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def filename_for(booking: Booking) -> str:
    return f"e-safety-evening-{booking.meeting.starts_at:%Y-%m-%d}.ics"


def booking_calendar(booking: Booking, link: str = "") -> bytes:
    """One event for this booking; a cancelled booking's file removes it from the calendar.

    The same UID is used every time and the sequence only grows, so a changed or cancelled
    booking replaces the event the parent saved earlier instead of adding a second one.
    """
    meeting = booking.meeting
    cancelled = booking.status is BookingStatus.CANCELLED
    waiting = booking.status is BookingStatus.WAITLISTED

    calendar = Calendar()
    calendar.add("prodid", f"-//{current_app.config['SCHOOL_NAME']}//e-safety evenings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    event = Event()
    event.add("uid", _uid(booking))
    event.add("dtstamp", _utc(utcnow()))
    event.add("sequence", booking.calendar_sequence + meeting.calendar_sequence)
    summary = meeting.title
    if waiting:
        summary += " (waiting list: no place yet)"
    event.add("summary", summary)
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    lines = [f"{booking.places} place{'s' if booking.places != 1 else ''} for {meeting.title}."]
    if waiting:
        lines.append("You are on the waiting list. We will email you if a place comes free.")
    if meeting.online_url:
        lines.append(f"Join online: {meeting.online_url}")
    if link:
        lines.append(f"Your booking: {link}")
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else ("TENTATIVE" if waiting else "CONFIRMED"))
    event.add("transp", "OPAQUE")
    if not cancelled and not waiting:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{meeting.title} starts in two hours")
        alarm.add("trigger", timedelta(hours=-2))
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
