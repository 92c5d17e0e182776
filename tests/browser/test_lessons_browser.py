"""A teacher sets a lesson; a Year 2 pupil signs in with pictures, reads it, answers (once wrong,
then right), says how they feel; the teacher's progress page shows it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.lessons.catalogue import Strand, get_catalogue
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.conftest import sign_in, sign_in_pupil

PICTURES = ["cat", "sun", "boat"]


def settled(page) -> None:
    """Let the page finish loading (styles included) before moving on, so no request is cut off."""
    page.wait_for_load_state("load")


EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")


def _owls():
    teacher = factories.make_user(Role.TEACHER, first_name="Anna", email="anna@school.example")
    owls = factories.make_class(YearGroup.YEAR_2, name="Owls", teacher=teacher)
    ava = factories.make_pupil(owls, first_name="Ava", last_name="Jones", pictures=PICTURES)
    factories.make_pupil(owls, first_name="Noah", last_name="Brennan")
    db.session.commit()
    return owls, ava


def test_a_lesson_set_read_answered_and_seen_by_the_teacher(page):
    owls, _ = _owls()
    lesson = get_catalogue().in_cell(YearGroup.YEAR_2, Strand.PRIVACY_AND_SECURITY)[0]
    base = page.base_url

    # The teacher sets the lesson from the curriculum grid.
    sign_in(page, "anna@school.example", factories.PASSWORD)
    settled(page)
    page.get_by_role("link", name="Lessons", exact=True).click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("E-safety curriculum")
    page.get_by_role("link", name=re.compile(rf"Set it\s*:\s*{re.escape(lesson.title)}")).click()
    settled(page)
    expect(page.get_by_label("Lesson", exact=True)).to_have_value(lesson.id)
    page.get_by_role("button", name="Set it").click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lesson progress: Owls")
    expect(page.get_by_text("1 lesson set for Owls")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    settled(page)

    # Ava signs in with her pictures and finds the lesson.
    sign_in_pupil(page, owls.login_code, "Ava", PICTURES)
    settled(page)
    page.get_by_role("link", name="My lessons").first.click()
    settled(page)
    page.get_by_role("link", name=re.compile(re.escape(lesson.title))).first.click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(lesson.title)
    page.get_by_role("link", name="Start").click()
    settled(page)

    # Each section has a read-aloud button (where the browser can speak); emoji are not spoken.
    can_speak = page.evaluate("'speechSynthesis' in window")
    read_aloud = page.get_by_role("button", name=re.compile("Read .* to me"))
    if can_speak:
        expect(read_aloud).to_be_visible()
        spoken = page.evaluate("window.esafetyLessonText('section-learn')")
        assert spoken and not EMOJI.search(spoken)
        assert "Read this to me" not in spoken
        read_aloud.click()  # speaks (or, with no voices installed, stops at once) without errors
    else:
        expect(read_aloud).to_be_hidden()
    expect(page.get_by_text("Words to know")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    page.get_by_role("button", name="Next").click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("If something worries you")
    page.get_by_role("button", name="On to the quiz").click()
    settled(page)

    # Question 1: a wrong answer first, kind feedback, then another go.
    first = lesson.quiz[0]
    wrong = next(a for a in first.answers if not a.correct)
    right = first.answers[first.correct_index]
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Quiz: question 1 of {len(lesson.quiz)}"
    )
    page.get_by_text(wrong.text, exact=True).click()
    page.get_by_role("button", name="Check my answer").click()
    settled(page)
    expect(page.locator("#feedback")).to_contain_text(wrong.feedback)
    expect(page.locator("#feedback")).to_contain_text("Have another go!")
    page.get_by_text(right.text, exact=True).click()
    page.get_by_role("button", name="Check my answer").click()
    settled(page)
    expect(page.locator("#feedback")).to_contain_text(right.feedback)
    page.get_by_role("link", name="Next").click()
    settled(page)
    for number, question in enumerate(lesson.quiz[1:], start=2):
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Quiz: question {number} of {len(lesson.quiz)}"
        )
        page.get_by_text(question.answers[question.correct_index].text, exact=True).click()
        page.get_by_role("button", name="Check my answer").click()
        settled(page)
        page.get_by_role("link", name="Next").click()
        settled(page)

    # "I can": three faces with words.
    expect(page.get_by_role("heading", level=1)).to_have_text("How do you feel?")
    expect(page.get_by_role("radio")).to_have_count(3)
    page.get_by_text("I'm getting there").click()
    page.get_by_role("button", name="That's me").click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Well done, Ava!")
    page.get_by_role("button", name="Sign out").click()
    settled(page)

    # The teacher sees it on the class's progress page.
    sign_in(page, "anna@school.example", factories.PASSWORD)
    settled(page)
    page.goto(f"{base}/lessons/classes/{owls.id}/progress")
    settled(page)
    row = page.get_by_role("row", name=re.compile("Ava Jones"))
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text(f"{len(lesson.quiz) - 1}/{len(lesson.quiz)} first time")
    expect(row).to_contain_text("1 needed another go")
    expect(row).to_contain_text("Getting there")
    expect(page.get_by_role("row", name=re.compile("Noah Brennan"))).to_contain_text("Not started")


def test_a_pupils_quiz_fits_a_phone_with_big_targets(phone_page):
    """On a phone without speech: no read-aloud button, big answers, no sideways scroll."""
    page = phone_page
    page.add_init_script(
        "delete Window.prototype.speechSynthesis; delete window.speechSynthesis;"
        "delete window.SpeechSynthesisUtterance;"
    )
    owls, _ = _owls()
    lesson = get_catalogue().in_cell(YearGroup.YEAR_2, Strand.ONLINE_BULLYING)[0]
    sign_in_pupil(page, owls.login_code, "Ava", PICTURES)
    settled(page)
    page.goto(f"{page.base_url}/lessons/{lesson.id}/quiz/1")
    settled(page)
    assert page.evaluate("!window.speechSynthesis")
    expect(page.get_by_role("button", name=re.compile("Read .* to me"))).to_be_hidden()
    choices = page.locator("label.answer-choice")
    expect(choices.first).to_be_visible()
    for n in range(choices.count()):
        assert choices.nth(n).bounding_box()["height"] >= 44
    assert page.get_by_role("button", name="Check my answer").bounding_box()["height"] >= 44
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_without_javascript_the_quiz_still_works(_playwright_browser, server_url):
    owls, _ = _owls()
    lesson = get_catalogue().in_cell(YearGroup.YEAR_2, Strand.ONLINE_BULLYING)[0]
    context = _playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.base_url = server_url
    try:
        sign_in_pupil(page, owls.login_code, "Ava", PICTURES)
        settled(page)
        page.goto(f"{server_url}/lessons/{lesson.id}/quiz/1")
        settled(page)
        expect(page.get_by_role("button", name=re.compile("Read .* to me"))).to_be_hidden()
        question = lesson.quiz[0]
        wrong = next(a for a in question.answers if not a.correct)
        page.get_by_text(wrong.text, exact=True).click()
        page.get_by_role("button", name="Check my answer").click()
        settled(page)
        expect(page.locator("#feedback")).to_contain_text("Have another go!")
        page.get_by_text(question.answers[question.correct_index].text, exact=True).click()
        page.get_by_role("button", name="Check my answer").click()
        settled(page)
        expect(page.locator("#feedback")).to_contain_text(
            question.answers[question.correct_index].feedback
        )
        expect(page.get_by_role("link", name="Next")).to_be_visible()
    finally:
        context.close()
