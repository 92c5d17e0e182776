"""The README's first tour, walked in the demo school: a pupil signs in and answers a question,
writes a post, her teacher finds it under "Needs you" and approves it, and a parent books a
place on a phone. With ESAFETY_SCREENSHOTS=DIR (`make screenshots`) it also saves the README's
pictures, so they always show the app as it is."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from esafety.cli import demo_command
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in, sign_in_pupil

SHOTS = os.environ.get("ESAFETY_SCREENSHOTS")


def _shot(page, name: str) -> None:
    """Keep a picture for the README when asked to; a no-op in ordinary runs."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _demo_logins(app) -> list[dict]:
    result = app.test_cli_runner().invoke(demo_command, ["--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_first_tour_of_the_readme(app, _playwright_browser, server_url):
    logins = _demo_logins(app)
    aisha = next(p for p in logins if p["role"] == "pupil" and p["name"] == "Aisha")
    parent = next(p for p in logins if p["role"] == "parent" and "Aisha" in p["child"])

    # 1. The home page on a phone: "I'm a pupil" is the biggest thing on it.
    phone = _playwright_browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    page.base_url = server_url
    page.goto(server_url + "/")
    expect(page.get_by_role("link", name="I'm a pupil")).to_be_visible()
    _shot(page, "1-home-on-a-phone")

    # 2. A Year 4 pupil signs in with her class code, her name and her three pictures.
    tablet = _playwright_browser.new_context(
        viewport={"width": 1024, "height": 768}, bypass_csp=True
    )
    page = tablet.new_page()
    page.base_url = server_url
    sign_in_pupil(page, aisha["class_code"], aisha["name"], aisha["pictures"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ash")
    _shot(page, "2-pupil-class-page")
    assert serious_violations(page) == []

    # 3. She answers a question in one of her lessons.
    page.get_by_role("link", name="My lessons").first.click()
    page.locator("a.lesson-card-link").first.click()
    page.goto(page.url.split("?")[0] + "/quiz/1")
    expect(page.locator("label.answer-choice").first).to_be_visible()
    page.locator("label.answer-choice").first.click()
    _shot(page, "3-a-quiz-question")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".feedback, [role=status]").first).to_be_visible()

    # 4. She writes a post for the class blog; it waits for her teacher.
    page.goto(server_url + "/")
    page.get_by_role("link", name="Go to the class blog").click()
    page.get_by_role("link", name="Write a post").click()
    page.get_by_label("Title").fill("Our trip to the castle")
    page.get_by_label("Your writing").fill("We walked on the walls and saw the old kitchen.")
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_text(re.compile("teacher", re.I)).first).to_be_visible()

    # 5. Her teacher finds it under "Needs you" and approves it.
    teacher = _playwright_browser.new_context(
        viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    page = teacher.new_page()
    page.base_url = server_url
    sign_in(page, "year4@meadowbank.example", "demo-school-2026")
    expect(page.locator("#need-blog_waiting")).to_be_visible()
    _shot(page, "4-teacher-needs-you")
    page.locator("#need-blog_waiting a").click()
    post = page.locator("article", has_text="Our trip to the castle")
    _shot(page, "5-moderation-queue")
    post.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile("Approved"))).to_be_visible()
    assert serious_violations(page) == []

    # 6. A parent books a place at an e-safety evening on a phone.
    page = phone.new_page()
    page.base_url = server_url
    sign_in(page, parent["email"], parent["password"])
    page.get_by_role("link", name=re.compile(r"^Book ")).first.tap()
    expect(page.get_by_role("button", name="Confirm booking")).to_be_visible()
    _shot(page, "6-parent-books-on-a-phone")
    page.get_by_role("button", name="Confirm booking").tap()
    expect(page.get_by_text(re.compile("booked", re.I)).first).to_be_visible()
    for context in (phone, tablet, teacher):
        context.close()
