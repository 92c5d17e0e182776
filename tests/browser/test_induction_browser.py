"""A new teacher reads the Social Media Policy, fails the quiz once, passes, signs and downloads
the certificate; the headteacher's dashboard then shows them current."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.induction import courses, pathways, policies
from esafety.school.models import StaffProfile
from tests import factories
from tests.browser.conftest import sign_in
from tests.induction.helpers import ratify

POLICY = Path(policies.__file__).parent / "policies" / "social-media-policy.md"
#: Generous waits: the machine may be busy running other suites at the same time.
WAIT = 15_000


def _school():
    head = factories.make_user(
        Role.HEADTEACHER, first_name="Helen", last_name="Marsh", email="head@school.example"
    )
    teacher = factories.make_user(
        Role.TEACHER, first_name="Ollie", last_name="Grant", email="ollie@school.example"
    )
    db.session.get(StaffProfile, teacher.id).start_date = today() - timedelta(days=1)
    version = policies.create_policy(
        head,
        title="Social Media Policy",
        owner=head,
        review_interval_months=12,
        body_markdown=POLICY.read_text(),
        slug="social-media",
    )
    ratify(head, version)
    course = courses.sync_course(courses.read_course_file(courses.COURSE_DIR / "social-media.yaml"))
    pathways.save_pathway(
        head,
        None,
        name="Teachers",
        roles=[Role.TEACHER],
        policy_ids=[version.policy_id],
        course_ids=[],
    )
    db.session.commit()
    return version, course


def _answer(page, course, right: bool) -> None:
    for question in course.questions:
        index = next(i for i, c in enumerate(question.choices) if c.is_correct == right)
        page.locator(f"#q{question.id}-{index}").check()
    page.get_by_role("button", name="Check my answers").click()


def test_new_teacher_reads_passes_signs_and_the_head_sees_them_current(page, tmp_path):
    version, course = _school()

    sign_in(page, "ollie@school.example", factories.PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My induction").click()
    expect(page.get_by_role("heading", name="My induction")).to_be_visible(timeout=WAIT)
    expect(page.locator("progress#induction-progress-bar")).to_have_attribute(
        "value", "0", timeout=WAIT
    )

    page.get_by_role("link", name="Read version 1").click()
    page.get_by_role("link", name=version.sections[0].heading).click()
    for section in version.sections[1:]:
        page.get_by_role("link", name="Next section").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(section.heading, timeout=WAIT)
    page.get_by_role("link", name="Take the course: Social media at our school").click()

    _answer(page, course, right=False)
    expect(page.get_by_role("status")).to_contain_text("You scored 0%", timeout=WAIT)
    expect(page.get_by_text("are reported to the headteacher").first).to_be_visible(timeout=WAIT)
    page.get_by_role("link", name="Try the quiz again").click()
    _answer(page, course, right=True)
    expect(page.get_by_role("status")).to_contain_text("You scored 100% and passed", timeout=WAIT)

    page.get_by_role("link", name="Sign the Social Media Policy").click()
    statement = "I have read and understood version 1 of the Social Media Policy and will follow it"
    box = page.get_by_label(statement)
    expect(box).not_to_be_checked(timeout=WAIT)
    box.check()
    page.get_by_label("Type your full name").fill("ollie  grant")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Thank you: you have signed version 1")).to_be_visible(timeout=WAIT)
    expect(page.locator("progress#induction-progress-bar")).to_have_attribute(
        "value", "3", timeout=WAIT
    )

    page.get_by_role("link", name="Induction certificate, issued").click()
    expect(page.get_by_role("heading", name="Induction certificate")).to_be_visible(timeout=WAIT)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate").click()
    download = download_info.value
    assert download.suggested_filename.startswith("induction-certificate-ollie-grant")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text()
    assert "Ollie Grant" in text and version.sha256 in text

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "head@school.example", factories.PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Induction dashboard"
    ).click()
    policy_row = page.get_by_role("row", name="Social Media Policy")
    expect(policy_row).to_contain_text("100%", timeout=WAIT)
    expect(policy_row).to_contain_text("1 of 1", timeout=WAIT)
    person = page.get_by_role("row").filter(has_text="Ollie Grant")
    expect(person).to_contain_text("Complete", timeout=WAIT)
