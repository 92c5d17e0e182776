"""A new teacher's whole induction: three policies, each read on one page (sections ticked as
they scroll past), its quiz (failed once, then passed) and the sign-off at the end of the
policy; the certificate downloads and the headteacher's dashboard shows them current. Every
click is counted: the same induction took 68 when each section was a page of its own."""

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
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.induction.helpers import ratify

POLICY_DIR = Path(policies.__file__).parent / "policies"
#: The teachers' pathway of the demo school: (slug, title, file, course file).
TEACHERS_POLICIES = [
    ("social-media", "Social Media Policy", "social-media-policy.md", "social-media.yaml"),
    ("acceptable-use", "Acceptable Use Policy", "acceptable-use-policy.md", "acceptable-use.yaml"),
    (
        "code-of-conduct",
        "Staff Code of Conduct",
        "staff-code-of-conduct.md",
        "code-of-conduct.yaml",
    ),
]
#: Clicks for this induction when each of its 31 sections was a page of its own.
CLICKS_BEFORE = 68
#: Generous waits: the machine may be busy running other suites at the same time.
WAIT = 15_000


class Clicks:
    """Counts what a person clicks, taps or ticks (typing and scrolling are not clicks)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, locator, check: bool = False) -> None:
        self.count += 1
        locator.check() if check else locator.click()


def _school():
    head = factories.make_user(
        Role.HEADTEACHER, first_name="Helen", last_name="Marsh", email="head@school.example"
    )
    teacher = factories.make_user(
        Role.TEACHER, first_name="Ollie", last_name="Grant", email="ollie@school.example"
    )
    db.session.get(StaffProfile, teacher.id).start_date = today() - timedelta(days=1)
    read = []
    for slug, title, file, course_file in TEACHERS_POLICIES:
        version = policies.create_policy(
            head,
            title=title,
            owner=head,
            review_interval_months=12,
            body_markdown=(POLICY_DIR / file).read_text(),
            slug=slug,
        )
        ratify(head, version)
        course = courses.sync_course(courses.read_course_file(courses.COURSE_DIR / course_file))
        read.append((version, course))
    pathways.save_pathway(
        head,
        None,
        name="Teachers",
        roles=[Role.TEACHER],
        policy_ids=[version.policy_id for version, _ in read],
        course_ids=[],
    )
    db.session.commit()
    return read


def _answer(page, click, course, right: bool) -> None:
    for question in course.questions:
        index = next(i for i, c in enumerate(question.choices) if c.is_correct == right)
        click(page.locator(f"#q{question.id}-{index}"), check=True)
    click(page.get_by_role("button", name="Check my answers"))


def _read_by_scrolling(page, version) -> None:
    """Scroll down the policy a screen at a time, as a reader does, until every section is
    ticked; the count at the sign-off shows what the server recorded."""
    total = len(version.sections)
    progress = page.locator("#reading-progress")
    for _ in range(400):
        if progress.inner_text().startswith(f"{total} of {total}"):
            break
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(60)
    expect(progress).to_have_text(f"{total} of {total} sections read.", timeout=WAIT)


def test_a_new_teacher_completes_induction_on_one_page_per_policy(
    _playwright_browser, server_url, tmp_path
):
    read = _school()
    # CSP bypassed only so that axe can be put into the page; the page's own scripts are files.
    context = _playwright_browser.new_context(
        viewport={"width": 1024, "height": 800}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.base_url = server_url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    click = Clicks()

    sign_in(page, "ollie@school.example", factories.PASSWORD)
    click.count += 1  # the Sign in button
    click(page.get_by_role("navigation", name="Main").get_by_role("link", name="My induction"))
    expect(page.get_by_role("heading", name="My induction")).to_be_visible(timeout=WAIT)
    expect(page.locator("progress#induction-progress-bar")).to_have_attribute(
        "value", "0", timeout=WAIT
    )

    for n, (version, course) in enumerate(read):
        title = version.policy.title
        group = page.locator(".checklist-group").filter(has_text=title)
        click(group.get_by_role("link", name="Read version 1"))
        expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=WAIT)
        expect(page.get_by_text("Version 1, approved")).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("fingerprint")).to_have_count(0)
        if n == 0:
            assert serious_violations(page) == []
        _read_by_scrolling(page, version)
        click(page.get_by_role("link", name=f"Take the course: {course.title}"))
        if n == 0:
            _answer(page, click, course, right=False)
            expect(page.get_by_role("status")).to_contain_text("You scored 0%", timeout=WAIT)
            click(page.get_by_role("link", name="Try the quiz again"))
        _answer(page, click, course, right=True)
        expect(page.get_by_role("status")).to_contain_text("and passed", timeout=WAIT)

        click(page.get_by_role("link", name=f"Sign the {title}"))
        statement = f"I have read and understood version 1 of the {title} and will follow it"
        box = page.get_by_label(statement)
        expect(box).not_to_be_checked(timeout=WAIT)
        click(box, check=True)
        page.get_by_label("Type your full name").fill("ollie  grant")
        sign = page.get_by_role("button", name="Sign the policy")
        # Far from the header's Sign out, and never called just "Sign".
        assert page.get_by_role("button", name="Sign", exact=True).count() == 0
        header = page.get_by_role("button", name="Sign out").bounding_box()
        assert sign.bounding_box()["y"] - header["y"] > 150
        click(sign)
        expect(
            page.get_by_text(f"Thank you: you have signed version 1 of the {title}")
        ).to_be_visible(timeout=WAIT)

    expect(page.locator("progress#induction-progress-bar")).to_have_attribute(
        "value", "9", timeout=WAIT
    )
    clicks = click.count
    print(f"\nInduction of 3 policies, 31 sections: {CLICKS_BEFORE} clicks before, {clicks} now.")
    assert clicks <= 42

    page.get_by_role("link", name="Induction certificate, issued").click()
    expect(page.get_by_role("heading", name="Induction certificate")).to_be_visible(timeout=WAIT)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate").click()
    download = download_info.value
    assert download.suggested_filename.startswith("induction-certificate-ollie-grant")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text()
    assert "Ollie Grant" in text and all(version.sha256 in text for version, _ in read)

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
    assert errors == [], f"script errors on the page: {errors}"
    context.close()


def test_without_javascript_one_button_says_the_policy_is_read(_playwright_browser, server_url):
    read = _school()
    context = _playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.base_url = server_url
    sign_in(page, "ollie@school.example", factories.PASSWORD)
    version, course = read[0]
    page.goto(f"{server_url}/induction/policies/{version.id}")
    expect(page.get_by_text("0 of 16 sections read.")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="I have read all of it").click()
    expect(page.get_by_text("16 of 16 sections read.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("link", name=f"Take the course: {course.title}")).to_be_visible()
    context.close()
