"""Every adult's start page on a 360 x 740 phone: the menu folds away (with or without
JavaScript) so the page starts on the first screen, "Needs you" shows the counts, the parent's
Book and places left are above the fold, and axe finds nothing serious."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.meetings import planning
from esafety.meetings.models import Audience
from esafety.safeguarding import services as safeguarding
from esafety.safeguarding.models import ConcernKind, Involved
from esafety.sandbox import services as blog
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in

ROLES = {
    "head@school.example": Role.HEADTEACHER,
    "teacher@school.example": Role.TEACHER,
    "office@school.example": Role.OFFICE_ADMIN,
    "officer@school.example": Role.ESAFETY_OFFICER,
    "governor@school.example": Role.GOVERNOR,
    "parent@home.example": Role.PARENT,
}


def _school():
    users = {}
    for email, role in ROLES.items():
        if role is not Role.PARENT:
            users[email] = factories.make_user(role, first_name=role.name.title(), email=email)
    ash = factories.make_class(
        YearGroup.YEAR_4, name="Ash", teacher=users["teacher@school.example"]
    )
    pupils = [factories.make_pupil(ash, first_name=f"Kid{n}") for n in range(3)]
    users["parent@home.example"] = factories.make_parent(
        pupils[0], first_name="Amina", email="parent@home.example"
    )
    teacher = users["teacher@school.example"]
    blog.open_window(teacher, ash.id, None)
    for n, pupil in enumerate(pupils):
        blog.save_post(pupil.user, ash.id, f"My weekend {n}", "We went to the park.", send=True)
    safeguarding.raise_concern(
        teacher,
        safeguarding.ConcernDetails(
            kind=ConcernKind.UNWANTED_CONTACT,
            involved=Involved.PUPIL,
            description="A stranger messaged a child in a game.",
        ),
    )
    start = (utcnow() + timedelta(days=9)).replace(hour=18, minute=30, second=0, microsecond=0)
    planning.create_meeting(
        users["officer@school.example"],
        planning.MeetingDetails(
            title="Phones and games at home",
            description="What helps at home.",
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
    db.session.commit()


@pytest.fixture
def phone_context(_playwright_browser, server_url):
    def _make(javascript: bool = True, width: int = 360):
        context = _playwright_browser.new_context(
            viewport={"width": width, "height": 740},
            has_touch=width < 500,
            is_mobile=width < 500,
            bypass_csp=True,  # only so that axe can be injected
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = server_url
        return page

    contexts: list = []
    yield _make
    for context in contexts:
        context.close()


def _sign_in(page, email: str) -> None:
    """Through the real form (leaders set up their second sign-in step on the way)."""
    sign_in(page, email, factories.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_every_adults_start_page_starts_on_the_first_phone_screen(phone_context):
    _school()
    checked = []
    for email in ROLES:
        page = phone_context()
        _sign_in(page, email)
        needs = page.locator("section.needs")
        expect(needs).to_be_visible()
        box = needs.bounding_box()
        assert box["y"] < 400, f"{email}: 'Needs you' starts at {box['y']} px"
        print(f"\n{email}: 'Needs you' starts {box['y']:.0f} px down at 360 x 740")  # noqa: T201
        menu = page.locator("summary.site-menu-button")
        expect(menu).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        found = serious_violations(page)
        checked.append(email)
        assert found == [], f"{email}: {found}"
        menu.tap()
        expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
        ).to_be_visible()
        assert serious_violations(page) == [], email
    assert len(checked) == len(ROLES)


def test_the_menu_opens_without_javascript_and_is_always_open_on_a_wide_screen(phone_context):
    _school()
    page = phone_context(javascript=False)
    _sign_in(page, "head@school.example")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.locator("summary.site-menu-button").tap()
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()

    wide = phone_context(width=1280)
    _sign_in(wide, "head@school.example")
    expect(wide.locator("summary.site-menu-button")).to_be_hidden()
    expect(
        wide.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log")
    ).to_be_visible()
    assert serious_violations(wide) == []


def test_the_headteachers_start_page_shows_the_counts(phone_context):
    _school()
    page = phone_context(width=1280)
    _sign_in(page, "head@school.example")
    needs = page.locator("section.needs")
    expect(needs.locator("#need-blog_waiting .need-count")).to_have_text("3")
    expect(needs.locator("#need-concerns_new .need-count")).to_have_text("1")
    expect(needs.locator("#need-blog_waiting")).to_contain_text("Ash 3")


def test_the_parent_sees_book_and_places_left_on_the_first_screen(phone_context):
    _school()
    page = phone_context()
    _sign_in(page, "parent@home.example")
    book = page.get_by_role("link", name="Book Phones and games at home")
    places = page.get_by_text("30 places left")
    for thing in (book, places):
        expect(thing).to_be_visible()
        box = thing.bounding_box()
        assert box["y"] + box["height"] <= 740, box
