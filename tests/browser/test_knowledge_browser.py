"""A Year 5 pupil does the chatbot lesson, first picks the answer that shows "a bot is a person",
then gets it right; the teacher's knowledge map names that misconception for her."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.lessons import services
from esafety.lessons.catalogue import get_catalogue
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in, sign_in_pupil

PICTURES = ["cat", "sun", "boat"]


def test_a_misconception_shown_first_appears_on_the_teachers_knowledge_map(
    page, _playwright_browser
):
    teacher = factories.make_user(Role.TEACHER, first_name="Omar", email="omar@school.example")
    kestrels = factories.make_class(YearGroup.YEAR_5, name="Kestrels", teacher=teacher)
    factories.make_pupil(kestrels, first_name="Mia", last_name="Khan", pictures=PICTURES)
    factories.make_pupil(kestrels, first_name="Leo", last_name="Price")
    db.session.commit()
    lesson = get_catalogue().get("y5-online-relationships-2")
    services.assign_lessons(
        teacher,
        kestrels.id,
        lesson_id=lesson.id,
        opens_on=today(),
        due_on=today() + timedelta(days=7),
    )
    db.session.commit()
    first = lesson.quiz[0]
    mistaken = next(a for a in first.answers if a.misconception)

    sign_in_pupil(page, kestrels.login_code, "Mia", PICTURES)
    page.wait_for_load_state("load")
    page.goto(f"{page.base_url}/lessons/{lesson.id}")
    page.get_by_role("link", name="Start").click()
    for button in ("Next", "Next", "On to the quiz"):
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state("load")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Quiz: question 1 of {len(lesson.quiz)}"
    )
    page.get_by_text(mistaken.text, exact=True).click()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator("#feedback")).to_contain_text("Have another go!")
    for number, question in enumerate(lesson.quiz, start=1):
        if number > 1:
            expect(page.get_by_role("heading", level=1)).to_have_text(
                f"Quiz: question {number} of {len(lesson.quiz)}"
            )
        page.get_by_text(question.answers[question.correct_index].text, exact=True).click()
        page.get_by_role("button", name="Check my answer").click()
        page.get_by_role("link", name="Next").click()
        page.wait_for_load_state("load")
    page.get_by_text("I can do this").click()
    page.get_by_role("button", name="That's me").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Well done")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")

    sign_in(page, "omar@school.example", factories.PASSWORD)
    page.wait_for_load_state("load")
    page.goto(f"{page.base_url}/lessons/classes/{kestrels.id}/progress")
    page.get_by_role("link", name="Knowledge map").click()
    page.get_by_label("Lesson").select_option(lesson.id)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge map: Kestrels (Year 5)")
    mia = page.get_by_role("row", name=re.compile("Mia Khan"))
    cells = mia.get_by_role("cell")
    expect(cells.nth(0)).to_contain_text("Misconception")
    expect(cells.nth(0)).to_contain_text(mistaken.misconception)
    expect(cells.nth(1)).to_contain_text("Secure")
    expect(page.get_by_role("row", name=re.compile("Leo Price"))).to_contain_text("Not tried")
    expect(page.locator("#statement-1")).to_contain_text(f"{mistaken.misconception} (1)")

    # The same first try shows on the class's framework statements, against the statement on bots.
    page.get_by_role("link", name="Framework statements").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Framework statements: Kestrels (Year 5)"
    )
    bots = page.locator("tr[id='MI.7-11.7']")
    expect(bots).to_contain_text("1 of 2 pupils")
    expect(bots).to_contain_text(f"{mistaken.misconception} (1)")
    # axe runs in a context that lets it in past the page's script policy, signed in the same way.
    checker = _playwright_browser.new_context(
        viewport={"width": 1024, "height": 800},
        bypass_csp=True,
        storage_state=page.context.storage_state(),
    )
    audited = checker.new_page()
    audited.goto(page.url)
    expect(audited.get_by_role("heading", level=1)).to_contain_text("Framework statements")
    assert serious_violations(audited) == []
    checker.close()
