"""The class blog in a real browser: the whole journey of a post, and no script from bad input."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.sandbox import services
from esafety.sandbox.models import BlogPost, ItemState
from esafety.school.models import YearGroup
from esafety.text import ALLOWED_TAGS, clean_html, render_markdown
from tests import factories
from tests.browser.conftest import sign_in, sign_in_pupil
from tests.sandbox.conftest import CORPORA, corpus_inputs

TEACHER_EMAIL = "fatima@school.example"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()


def open_blog_of(page, class_name: str) -> None:
    page.get_by_role("link", name="Go to the class blog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{class_name} class blog")


def test_a_post_from_first_draft_to_a_dismissed_report(page):
    teacher = factories.make_user(
        Role.TEACHER, first_name="Fatima", last_name="Rahman", email=TEACHER_EMAIL
    )
    ash = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    factories.make_pupil(ash, first_name="Ava", last_name="Jones", pictures=["cat", "sun", "boat"])
    factories.make_pupil(ash, first_name="Noah", last_name="Patel", pictures=["dog", "star", "car"])
    services.open_window(teacher, ash.id, None)
    db.session.commit()

    # Ava writes with "lol" and a classmate's full name; both are explained as she types.
    sign_in_pupil(page, ash.login_code, "Ava", ["cat", "sun", "boat"])
    open_blog_of(page, "Ash")
    page.get_by_role("link", name="Write a post").click()
    page.get_by_label("Title").fill("My weekend")
    body = page.get_by_label("Your writing")
    body.fill("lol I played football with Noah Patel")
    checks = page.locator("#body-checks")
    expect(checks).to_contain_text("“lol” is text speak")
    expect(checks).to_contain_text("This is someone's full name")
    expect(checks.locator(".finding")).to_have_count(2)

    # She fixes both and sends it.
    body.fill("I played football with Noah. It was great fun.")
    expect(checks.locator(".finding")).to_have_count(0)
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_text("Sent! Your post is waiting for your teacher.")).to_be_visible()
    expect(page.locator(".my-writing")).to_contain_text("Waiting for your teacher")
    sign_out(page)

    # The teacher sends it back with a note.
    sign_in(page, TEACHER_EMAIL, factories.PASSWORD)
    page.goto(page.base_url + f"/sandbox/classes/{ash.id}/moderation")
    item = page.locator("article.queue-item", has_text="My weekend")
    item.get_by_label("Your own words (the pupil reads this)").fill("Who won the match?")
    item.get_by_role("button", name="Send back with note").click()
    expect(page.get_by_text("Sent back with your note.")).to_be_visible()
    sign_out(page)

    # Ava reads the note, edits her post (her words are all still there) and sends it again.
    sign_in_pupil(page, ash.login_code, "Ava", ["cat", "sun", "boat"])
    open_blog_of(page, "Ash")
    expect(page.locator(".my-writing")).to_contain_text("Who won the match?")
    page.get_by_role("link", name=re.compile(r"^Change it\W+My weekend$")).click()
    body = page.get_by_label("Your writing")
    expect(body).to_have_value("I played football with Noah. It was great fun.")
    body.fill("I played football with Noah. It was great fun. Our team won!")
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_text("Sent! Your post is waiting for your teacher.")).to_be_visible()
    sign_out(page)

    # The teacher approves it.
    sign_in(page, TEACHER_EMAIL, factories.PASSWORD)
    page.goto(page.base_url + f"/sandbox/classes/{ash.id}/moderation")
    page.locator("article.queue-item", has_text="My weekend").get_by_role(
        "button", name="Approve"
    ).click()
    expect(page.get_by_text("Approved: it is on the blog.")).to_be_visible()
    sign_out(page)

    # Noah, a classmate, reports it; it disappears for him at once.
    sign_in_pupil(page, ash.login_code, "Noah", ["dog", "star", "car"])
    open_blog_of(page, "Ash")
    post_heading = page.get_by_role("heading", name="My weekend")
    expect(post_heading).to_be_visible()
    expect(page.locator("article.blog-post")).to_contain_text("By Ava")
    page.get_by_role("link", name="Report the post “My weekend”").click()
    page.get_by_label("It is unkind").check()
    page.get_by_role("button", name="Tell a teacher").click()
    expect(page.get_by_text("Thank you for telling us.")).to_be_visible()
    expect(post_heading).to_have_count(0)
    expect(page.locator("#my-reports")).to_contain_text("Your teacher will look at it soon")
    sign_out(page)

    # The teacher dismisses the report with a note.
    sign_in(page, TEACHER_EMAIL, factories.PASSWORD)
    page.goto(page.base_url + f"/sandbox/classes/{ash.id}/moderation")
    report = page.locator("article.report-item", has_text="My weekend")
    expect(report).to_contain_text("It is unkind")
    report.get_by_label("Note (the person who reported it reads this)").fill(
        "I read it carefully and it is kind. Thank you for looking out for others."
    )
    report.get_by_role("button", name="Put it back on the blog").click()
    expect(page.get_by_text("Report decided: it is back on the blog.")).to_be_visible()
    sign_out(page)

    # Noah sees the outcome, and the post is back.
    sign_in_pupil(page, ash.login_code, "Noah", ["dog", "star", "car"])
    open_blog_of(page, "Ash")
    outcome = page.locator("#my-reports")
    expect(outcome).to_contain_text("decided it can stay on the blog")
    expect(outcome).to_contain_text("Thank you for looking out for others.")
    expect(page.get_by_role("heading", name="My weekend")).to_be_visible()


@pytest.fixture
def csp_free_page(_playwright_browser, server_url):
    """A page with the Content-Security-Policy switched off, so only the sanitiser stands guard."""
    context = _playwright_browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = server_url
    yield page
    context.close()


def test_every_corpus_input_renders_on_one_page_and_no_script_runs(csp_free_page, shared_dir):
    page = csp_free_page
    corpora_dir = shared_dir / "corpora"
    if not corpora_dir.is_dir():
        pytest.skip(f"the bad-input corpora are not at {corpora_dir}")
    teacher = factories.make_user(Role.TEACHER, email=TEACHER_EMAIL)
    oak = factories.make_class(YearGroup.YEAR_3, name="Oak", teacher=teacher)
    now = utcnow()
    total = 0
    for name in sorted(CORPORA):
        inputs = corpus_inputs(corpora_dir, name)
        total += len(inputs)
        for made_by, make in (("clean_html", clean_html), ("render_markdown", render_markdown)):
            db.session.add(
                BlogPost(
                    class_id=oak.id,
                    author_id=teacher.id,
                    title=f"{name} through {made_by}",
                    source="(corpus)",
                    html="".join(f"<p>{i}</p>{make(text)}" for i, text in enumerate(inputs)),
                    state=ItemState.APPROVED,
                    decided_at=now,
                    decided_by_id=teacher.id,
                )
            )
    db.session.commit()
    assert total > 800

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(
        "window.__scriptRan = false;"
        "for (const name of ['alert', 'confirm', 'prompt', 'print']) {"
        "  const original = window[name];"
        "  window[name] = function () { window.__scriptRan = true;"
        "    return original.apply(window, arguments); };"
        "}"
    )
    sign_in(page, TEACHER_EMAIL, factories.PASSWORD)
    page.goto(page.base_url + f"/sandbox/classes/{oak.id}")
    expect(page.locator("article.blog-post")).to_have_count(2 * len(CORPORA))
    page.wait_for_timeout(1500)  # give any timer, load or error handler a chance to fire

    assert dialogs == []
    assert page.evaluate("window.__scriptRan") is False
    found = page.evaluate(
        """() => {
          const inside = [...document.querySelectorAll('.post-body *')];
          return {
            tags: [...new Set(inside.map(el => el.tagName.toLowerCase()))],
            handlers: inside.filter(
              el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
            hrefs: inside.filter(el => el.hasAttribute('href')).map(el => el.getAttribute('href')),
          };
        }"""
    )
    assert set(found["tags"]) <= ALLOWED_TAGS
    assert found["handlers"] == 0
    assert all(
        href.strip().lower().startswith(("http://", "https://", "mailto:"))
        for href in found["hrefs"]
    )


def test_the_editor_buttons_write_light_markdown_that_shows_as_formatting(page):
    teacher = factories.make_user(Role.TEACHER, first_name="Laura", email=TEACHER_EMAIL)
    robins = factories.make_class(YearGroup.RECEPTION, name="Robins", teacher=teacher)
    db.session.commit()
    sign_in(page, TEACHER_EMAIL, factories.PASSWORD)
    page.goto(page.base_url + f"/sandbox/classes/{robins.id}/write")
    page.get_by_label("Title").fill("Our week")
    body = page.get_by_label("Your writing")
    body.fill("We painted")
    body.evaluate("box => box.setSelectionRange(3, 10)")  # "painted"
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bold").click()
    expect(body).to_have_value("We **painted**")
    body.press("End")
    body.press("Enter")
    page.get_by_role("button", name="List").click()
    body.press_sequentially("sunflowers")
    expect(body).to_have_value("We **painted**\n- sunflowers")
    page.get_by_role("button", name="Publish on the blog").click()
    expect(page.get_by_text("Your post is on the blog.")).to_be_visible()
    article = page.locator("article.blog-post", has_text="Our week")
    expect(article.locator("strong")).to_have_text("painted")
    expect(article.locator("li")).to_have_text("sunflowers")
