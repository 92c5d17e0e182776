"""A parent on a phone books an e-safety evening in two taps, saves the date, then cancels."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.meetings import planning
from esafety.meetings.models import Audience, Booking, BookingStatus
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.conftest import sign_in


def _evening(title: str) -> int:
    officer = factories.make_user(Role.ESAFETY_OFFICER)
    start = (utcnow() + timedelta(days=9)).replace(hour=18, minute=30, second=0, microsecond=0)
    meeting = planning.create_meeting(
        officer,
        planning.MeetingDetails(
            title=title,
            description="How children use **phones and games**, and what helps at home.",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            location="School hall",
            online_url="",
            capacity=30,
            max_places_per_booking=3,
            booking_opens_at=utcnow() - timedelta(days=1),
            booking_closes_at=start - timedelta(hours=3),
            cancellation_deadline=start - timedelta(days=1),
            audience=Audience.ALL_PARENTS,
        ),
    )
    return meeting.id


def test_a_parent_books_on_a_phone_downloads_the_calendar_file_and_cancels(phone_page):
    page = phone_page
    meeting_id = _evening("Phones, games and group chats: keeping children safe online")
    child = factories.make_pupil(factories.make_class(YearGroup.YEAR_4, name="Ash"), "Zara")
    parent = factories.make_parent(child, first_name="Amina", email="amina@home.example")
    db.session.commit()

    sign_in(page, "amina@home.example", factories.PASSWORD)
    expect(page.get_by_role("heading", name="E-safety evenings")).to_be_visible()

    # Tap 1: Book, on the home page tile.
    book = page.get_by_role("link", name=re.compile(r"^Book Phones, games"))
    expect(book).to_be_visible()
    assert book.bounding_box()["height"] >= 44
    book.tap()

    # The booking page: one place already chosen, a big Confirm button without scrolling.
    expect(page.get_by_label("How many people, including you?")).to_have_value("1")
    confirm = page.get_by_role("button", name="Confirm booking")
    expect(confirm).to_be_in_viewport(ratio=1)
    assert confirm.bounding_box()["height"] >= 44
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the booking page scrolls sideways on a phone ({width}px)"

    # Tap 2: Confirm. Done.
    confirm.tap()
    expect(page.get_by_text("You are booked")).to_be_visible()
    expect(page.get_by_text("1 place", exact=False).first).to_be_visible()
    booking = db.session.scalar(select(Booking).where(Booking.parent_id == parent.id))
    assert booking.status is BookingStatus.CONFIRMED and booking.meeting_id == meeting_id

    # Save it to the phone's calendar.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").tap()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in content and "Phones\\, games and group chats: keeping" in content

    # Cancel, after one question.
    page.get_by_role("link", name="Cancel booking").tap()
    page.get_by_role("button", name="Yes, cancel my booking").tap()
    expect(page.get_by_text("Your booking is cancelled")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    # The evening is offered again, so the parent could rebook.
    expect(page.get_by_role("link", name=re.compile(r"^Book Phones, games"))).to_be_visible()


def test_too_many_places_on_a_phone_keeps_the_note_and_says_why(phone_page):
    page = phone_page
    meeting_id = _evening("Staying safe on social media")
    child = factories.make_pupil(factories.make_class(YearGroup.YEAR_6, name="Willow"), "Kai")
    factories.make_parent(child, email="kai.dad@home.example")
    db.session.commit()

    sign_in(page, "kai.dad@home.example", factories.PASSWORD)
    page.goto(f"{page.base_url}/meetings/{meeting_id}/book")
    page.get_by_label("How many people, including you?").fill("7")
    page.get_by_text("Add a note (optional)").tap()
    page.get_by_label("Anything we should know? (optional)").fill("Bringing my mum")
    page.get_by_role("button", name="Confirm booking").tap()

    expect(page.locator("#places-error")).to_contain_text("You can book up to 3 places")
    expect(page.get_by_label("How many people, including you?")).to_have_value("7")
    expect(page.get_by_label("Anything we should know? (optional)")).to_have_value(
        "Bringing my mum"
    )
    assert db.session.scalar(select(Booking.id)) is None
