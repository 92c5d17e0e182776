"""The demo school's evenings: one to book (with a waiting list), one past with resources."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from esafety.extensions import db
from esafety.meetings import bookings, demo, for_parents
from esafety.meetings.models import Booking, BookingStatus, Meeting, MeetingResource
from esafety.school import demo as school_demo
from tests.meetings.conftest import sent_mail


def _counts():
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (Meeting, Booking, MeetingResource)
    )


def test_the_demo_evenings_are_seeded_once_and_email_nobody(app):
    school = school_demo.build()
    demo.seed(school)
    db.session.commit()
    first = _counts()
    demo.seed(school_demo.build())
    db.session.commit()
    assert _counts() == first
    assert sent_mail() == []

    upcoming = db.session.scalar(select(Meeting).where(Meeting.title == demo.UPCOMING_TITLE))
    assert upcoming.places_taken == 28 and upcoming.capacity == 30
    waiting = db.session.scalars(
        select(Booking).where(
            Booking.meeting_id == upcoming.id, Booking.status == BookingStatus.WAITLISTED
        )
    ).all()
    assert len(waiting) == 2

    # A parent from the printed logins can book the last places in two taps.
    login_parent = school.parents[0]
    assert bookings.booking_problem(login_parent, upcoming) is None
    booking = bookings.book_places(upcoming.id, login_parent.id, 1)
    assert booking.status is BookingStatus.CONFIRMED
    db.session.commit()

    past = db.session.scalar(select(Meeting).where(Meeting.title == demo.PAST_TITLE))
    rows = db.session.scalars(select(Booking).where(Booking.meeting_id == past.id)).all()
    assert any(b.checked_in for b in rows) and any(not b.checked_in for b in rows)
    assert past.places_taken == sum(b.places for b in rows)
    slides = [r for r in past.resources if r.is_file]
    assert len(slides) == 1 and len(past.resources) == 3
    stored = Path(app.config["UPLOAD_FOLDER"]) / "meetings" / slides[0].stored_name
    assert stored.read_bytes().startswith(b"%PDF-1.4")
    assert for_parents.may_see_resources(login_parent, past)  # a Reception family
    assert "asking before sharing photos" in past.resources_note_html
