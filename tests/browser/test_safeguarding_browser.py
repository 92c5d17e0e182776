"""A Year 5 pupil tells a teacher; the e-safety officer opens it, records a meeting and resolves
it; the pupil sees that it was received and closed."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.conftest import sign_in, sign_in_pupil

PICTURES = ["cat", "sun", "boat"]


def _school():
    teacher = factories.make_user(
        Role.TEACHER, first_name="Tom", last_name="Reid", email="tom@school.example"
    )
    beech = factories.make_class(YearGroup.YEAR_5, name="Beech", teacher=teacher)
    factories.make_pupil(beech, first_name="Ava", pictures=PICTURES)
    factories.make_pupil(beech, first_name="Noah")
    factories.make_user(
        Role.ESAFETY_OFFICER,
        first_name="Sarah",
        last_name="Lindqvist",
        email="esafety@school.example",
    )
    db.session.commit()
    return beech


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()


def test_a_pupil_tells_a_teacher_and_sees_it_closed(page):
    beech = _school()

    # The pupil: from their class page, tell a teacher with a picture and a few words.
    sign_in_pupil(page, beech.login_code, "Ava", PICTURES)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beech")
    page.get_by_role("link", name="Tell a teacher").first.click()
    # The truth: the safeguarding team reads it, not the class teacher.
    expect(page.get_by_text("Sarah Lindqvist will read this.")).to_be_visible()
    expect(page.get_by_text("Tom Reid")).to_have_count(0)
    page.get_by_text("Someone was unkind to me online").click()
    expect(page.get_by_label("Someone was unkind to me online")).to_be_checked()
    page.get_by_label("Do you want to say more?").fill("A girl in my game said nobody likes me")
    page.get_by_role("button", name="Tell them").click()
    expect(page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    expect(page.get_by_text("You did the right thing.")).to_be_visible()
    _sign_out(page)

    # The e-safety officer opens the concern, records a meeting and resolves it.
    sign_in(page, "esafety@school.example", factories.PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Concerns").click()
    page.get_by_role("link", name="SG-").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New")
    expect(page.get_by_text("A girl in my game said nobody likes me")).to_be_visible()
    page.get_by_label("What was done", exact=True).select_option("meeting_held")
    details = page.get_by_label("Details", exact=True)
    details.fill("Talked with Ava and her mum; the game chat is now off.")
    page.get_by_role("button", name="Add to the chronology").click()
    expect(page.get_by_text("Added to the chronology.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")
    page.get_by_label("Outcome", exact=True).fill("Resolved with the family; Ava feels better.")
    page.get_by_role("button", name="Resolve the concern").click()
    expect(page.get_by_text("The concern is resolved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resolved")
    _sign_out(page)

    # The pupil sees it was received and closed, and nothing of the handlers' notes.
    sign_in_pupil(page, beech.login_code, "Ava", PICTURES)
    page.get_by_role("link", name="Things I have told").click()
    item = page.locator(".mine-list li").first
    expect(item).to_contain_text("Someone was unkind to me online")
    expect(item).to_contain_text("Received")
    expect(item).to_contain_text("Closed")
    expect(page.get_by_text("game chat is now off")).to_have_count(0)
    expect(page.get_by_text("Ava feels better")).to_have_count(0)


def test_the_pages_fit_a_phone_without_sideways_scrolling(phone_page):
    beech = _school()
    sign_in_pupil(phone_page, beech.login_code, "Ava", PICTURES)
    phone_page.goto(phone_page.base_url + "/safeguarding/tell")
    expect(phone_page.get_by_role("heading", name="Tell a teacher")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = phone_page.get_by_text("Someone I don't know contacted me").bounding_box()
    assert box is not None
    choice = phone_page.locator("label.tell-choice").first.bounding_box()
    assert choice["height"] >= 44 and choice["width"] >= 44


def test_a_wrong_file_is_explained_before_sending_and_nothing_typed_is_lost(page):
    child_class = factories.make_class(YearGroup.YEAR_3, name="Oak")
    child = factories.make_pupil(child_class, first_name="Finn")
    factories.make_parent(child, email="parent@home.example")
    factories.make_user(Role.ESAFETY_OFFICER, email="esafety@school.example")
    db.session.commit()

    sign_in(page, "parent@home.example", factories.PASSWORD)
    page.get_by_role("link", name="Report a concern").first.click()
    page.get_by_label("Information to act on").check()
    page.get_by_label("Cyber bullying").check()
    page.get_by_label("A pupil", exact=True).check()
    page.get_by_label("What happened?").fill("Older children posted a mean video of Finn.")
    page.get_by_label("Evidence: screenshots").set_input_files(
        [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not evidence"}]
    )
    expect(page.locator("#evidence-check")).to_contain_text("not a PNG, JPEG or PDF")
    page.get_by_role("button", name="Send the concern").click()
    expect(page.get_by_role("heading", name="Report a concern")).to_be_visible()
    expect(page.get_by_label("What happened?")).to_have_value(
        "Older children posted a mean video of Finn."
    )

    # A real screenshot goes through, and the parent is told who will read it.
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 0, 0)).save(out, format="PNG")
    page.get_by_label("Evidence: screenshots").set_input_files(
        [{"name": "video.png", "mimeType": "image/png", "buffer": out.getvalue()}]
    )
    expect(page.locator("#evidence-check")).to_be_hidden()
    page.get_by_role("button", name="Send the concern").click()
    expect(page.get_by_role("heading", name="Your concern has been received")).to_be_visible()
