"""The chair reads the governors' dashboard and ratifies a new Social Media Policy version the
head has approved; a parent gives photo consent on a phone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.induction import policies, ratification
from esafety.induction.models import ChangeSize, VersionState
from esafety.school import services as school
from esafety.school.models import StaffProfile, YearGroup
from tests import factories
from tests.browser.conftest import sign_in
from tests.induction.helpers import ratify

POLICY = Path(policies.__file__).parent / "policies" / "social-media-policy.md"
WAIT = 15_000


def test_the_chair_reads_the_dashboard_and_ratifies_a_new_version(page):
    head = factories.make_user(
        Role.HEADTEACHER, first_name="Helen", last_name="Marsh", email="head@school.example"
    )
    chair = factories.make_user(
        Role.GOVERNOR, first_name="Robert", last_name="Ainsworth", email="chair@school.example"
    )
    db.session.get(StaffProfile, chair.id).is_chair_of_governors = True
    first = policies.create_policy(
        head,
        title="Social Media Policy",
        owner=head,
        review_interval_months=12,
        body_markdown=POLICY.read_text(),
        slug="social-media",
    )
    ratify(head, first)
    draft = policies.start_new_version(
        head,
        first.policy,
        body_markdown=POLICY.read_text() + "\n\n## Livestreaming\n\nLessons are never streamed.\n",
        change=ChangeSize.MAJOR,
        change_summary="A section on livestreaming.",
    )
    policies.approve_version(head, draft, checks=list(ratification.CHECK_KEYS))
    db.session.commit()

    sign_in(page, "chair@school.example", factories.PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Governors").click()
    expect(page.get_by_role("heading", name="Governors' dashboard")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Waiting for chair of governors").first).to_be_visible(timeout=WAIT)
    page.get_by_role("link", name="Read and approve version 2").click()
    expect(page.get_by_role("heading", name="Livestreaming")).to_be_visible(timeout=WAIT)

    page.get_by_role("button", name="Approve version 2 as chair of governors").click()
    expect(page.locator(".error-summary")).to_contain_text("confirm every point", timeout=WAIT)
    for _key, text in ratification.EQUALITY_CHECKS:
        page.get_by_label(text).check()
    page.get_by_role("button", name="Approve version 2 as chair of governors").click()
    expect(page.get_by_role("status")).to_contain_text("ratified and now in force", timeout=WAIT)
    db.session.expire_all()
    assert policies.latest_published(first.policy_id).id == draft.id
    assert draft.state == VersionState.PUBLISHED


def test_a_parent_gives_photo_consent_on_a_phone(phone_page):
    page = phone_page
    year4 = factories.make_class(YearGroup.YEAR_4, name="Ash")
    child = factories.make_pupil(year4, first_name="Ava", last_name="Jones")
    factories.make_parent(child, first_name="Sam", last_name="Jones", email="sam@family.example")
    db.session.commit()

    sign_in(page, "sam@family.example", factories.PASSWORD)
    page.get_by_role("link", name="Photo choices for your children").click()
    expect(page.get_by_text("Not answered yet this year")).to_be_visible(timeout=WAIT)
    page.get_by_label("Class blog photos").check()
    page.get_by_label("Video clips").check()
    page.get_by_role("button", name="Save Ava's choices").click()
    expect(page.get_by_role("status")).to_contain_text("apply straight away", timeout=WAIT)
    expect(page.get_by_label("Class blog photos")).to_be_checked()
    expect(page.get_by_label("Local newspapers")).not_to_be_checked()
    db.session.expire_all()
    assert school.photo_consent_for([child.id], "class_blog") == {child.id: True}
    assert school.photo_consent_for([child.id], "press") == {child.id: False}
    # Nothing spills sideways on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
