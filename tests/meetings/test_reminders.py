"""`flask --app esafety meetings send-reminders`: each family booked is reminded once."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from esafety.clock import utcnow
from esafety.extensions import db
from esafety.meetings import bookings
from esafety.meetings import reminders as meeting_reminders
from esafety.meetings.models import Booking
from tests.meetings.conftest import attachments, sent_mail


def _run(app) -> str:
    result = app.test_cli_runner().invoke(args=["meetings", "send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_once_to_confirmed_families_for_evenings_within_48_hours(
    app, make_meeting, make_family
):
    now = utcnow()
    soon = make_meeting(
        title="Soon",
        starts_at=now + timedelta(hours=30),
        booking_opens_at=now - timedelta(days=3),
        capacity=2,
        max_places_per_booking=1,
    )
    later = make_meeting(title="Later", starts_at=now + timedelta(days=5))
    for email in ("one@school.example", "two@school.example", "waits@school.example"):
        bookings.book_places(soon.id, make_family(email=email).id, 1)
    bookings.book_places(later.id, make_family(email="later@school.example").id, 1)
    db.session.commit()
    before = len(sent_mail())

    assert "Reminders sent: 2." in _run(app)
    reminders = sent_mail()[before:]
    assert sorted(m["To"] for m in reminders) == ["one@school.example", "two@school.example"]
    assert all(m["Subject"].startswith("Reminder: Soon") for m in reminders)
    assert "please cancel by" in reminders[0].get_body().get_content()
    calendar = Calendar.from_ical(next(iter(attachments(reminders[0]).values())))
    assert calendar.walk("VEVENT")[0]["SUMMARY"] == "Soon"

    # Running again sends nothing new.
    assert "Reminders sent: 0." in _run(app)
    assert len(sent_mail()) == before + 2

    # A family who books after the first run is reminded on the next, and only they are.
    late = make_family(email="late@school.example")
    extra = make_meeting(
        title="Also soon",
        starts_at=now + timedelta(hours=40),
        booking_opens_at=now - timedelta(days=3),
    )
    bookings.book_places(extra.id, late.id, 1)
    db.session.commit()
    before = len(sent_mail())
    assert "Reminders sent: 1." in _run(app)
    assert [m["To"] for m in sent_mail()[before:]] == ["late@school.example"]
    # The family on the waiting list was never reminded: they have no place.
    waiting = db.session.scalars(select(Booking).where(Booking.reminder_sent_at.is_(None))).all()
    assert {b.parent.email for b in waiting} == {"waits@school.example", "later@school.example"}


def test_a_promoted_family_is_reminded_on_the_next_run(app, make_meeting, make_family):
    now = utcnow()
    meeting = make_meeting(
        starts_at=now + timedelta(hours=20),
        booking_opens_at=now - timedelta(days=3),
        cancellation_deadline=now + timedelta(hours=10),
        capacity=1,
        max_places_per_booking=1,
    )
    leaving = make_family()
    first = bookings.book_places(meeting.id, leaving.id, 1)
    bookings.book_places(meeting.id, make_family(email="promoted@school.example").id, 1)
    db.session.commit()
    assert "Reminders sent: 1." in _run(app)

    bookings.cancel_booking(leaving, first.id)
    db.session.commit()
    before = len(sent_mail())
    assert "Reminders sent: 1." in _run(app)
    assert [m["To"] for m in sent_mail()[before:]] == ["promoted@school.example"]
    assert "Reminders sent: 0." in _run(app)


def test_send_reminder_claims_a_booking_only_once(make_meeting, make_family):
    now = utcnow()
    meeting = make_meeting(starts_at=now + timedelta(hours=10), booking_opens_at=now - timedelta(1))
    booking = bookings.book_places(meeting.id, make_family().id, 1)
    db.session.commit()
    assert meeting_reminders.due_reminders() == [booking.id]
    assert meeting_reminders.send_reminder(booking.id) is True
    assert meeting_reminders.send_reminder(booking.id) is False
    db.session.commit()
    assert meeting_reminders.due_reminders() == []
