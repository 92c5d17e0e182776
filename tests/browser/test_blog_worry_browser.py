"""A Year 4 pupil writes a worry on the class blog: calm words for the child, and the
safeguarding team has a concern with what they wrote, while classmates never see it."""

from __future__ import annotations

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import services
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.conftest import sign_in, sign_in_pupil

OFFICER_EMAIL = "olu@school.example"
WORRY = "i am being bullied and i want to kill myself"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()


def test_a_worry_is_heard_by_the_safeguarding_team_and_kept_from_classmates(page):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima", last_name="Rahman")
    factories.make_user(
        Role.ESAFETY_OFFICER, first_name="Olu", last_name="Officer", email=OFFICER_EMAIL
    )
    ash = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    factories.make_pupil(ash, first_name="Ava", last_name="Jones", pictures=["cat", "sun", "boat"])
    factories.make_pupil(ash, first_name="Noah", last_name="Patel", pictures=["dog", "star", "car"])
    services.open_window(teacher, ash.id, None)
    db.session.commit()

    # Ava writes her worry; the live check answers calmly, and nothing stops her sending it.
    sign_in_pupil(page, ash.login_code, "Ava", ["cat", "sun", "boat"])
    page.get_by_role("link", name="Go to the class blog").click()
    page.get_by_role("link", name="Write a post").click()
    page.get_by_label("Title").fill("My week")
    page.get_by_label("Your writing").fill(WORRY)
    expect(page.locator("#body-checks")).to_contain_text("A grown-up who keeps children safe")
    page.get_by_role("button", name="Send to my teacher").click()
    expect(
        page.get_by_text(
            "Thank you for writing this. A grown-up who keeps children safe will read it and "
            "talk to you."
        )
    ).to_be_visible()
    expect(page.get_by_text("Please change")).to_have_count(0)
    sign_out(page)

    # Noah, in the same class, cannot see it on the blog.
    sign_in_pupil(page, ash.login_code, "Noah", ["dog", "star", "car"])
    page.get_by_role("link", name="Go to the class blog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ash class blog")
    expect(page.get_by_text("My week")).to_have_count(0)
    expect(page.get_by_text("kill myself")).to_have_count(0)
    sign_out(page)

    # The e-safety officer (who receives pupils' concerns) has a new urgent concern with her words.
    sign_in(page, OFFICER_EMAIL, factories.PASSWORD)
    page.goto(page.base_url + "/safeguarding/concerns")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("New")
    rows.first.get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("Urgent")
    expect(page.locator("blockquote.reported-words")).to_contain_text(WORRY)
