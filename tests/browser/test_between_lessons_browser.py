"""Between lessons, a teacher approves three clean posts from two classes in one action."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import services
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.accessibility import serious_violations


def test_the_teacher_approves_three_clean_posts_in_one_action(_playwright_browser, server_url):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima", email="fatima@school.example")
    ash = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    oak = factories.make_class(YearGroup.YEAR_3, name="Oak", teacher=teacher)
    for school_class in (ash, oak):
        services.open_window(teacher, school_class.id, None)
    ava, finn = factories.make_pupil(ash, "Ava"), factories.make_pupil(oak, "Finn")
    services.save_post(ava.user, ash.id, "Trip", "We saw a castle", send=True)
    services.save_post(finn.user, oak.id, "Match", "The others were stupid", send=True)
    services.save_post(finn.user, oak.id, "Seeds", "My bean grew", send=True)
    services.save_post(ava.user, ash.id, "Poem", "Leaves fall down", send=True)
    db.session.commit()

    context = _playwright_browser.new_context(
        viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(server_url + "/login")
    page.get_by_label("Email address").fill("fatima@school.example")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # From "Needs you" to the queue across both classes.
    page.locator("#need-blog_waiting a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting in your classes' blogs")
    assert serious_violations(page) == []
    page.get_by_label("Yes, put all 3 on the blog").check()
    page.get_by_role("button", name="Approve all 3").click()
    expect(page.get_by_text("Approved 3")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sandbox/moderation#waiting$"))
    expect(page.get_by_role("heading", name=re.compile(r"Waiting for you \(1\)"))).to_be_visible()
    assert serious_violations(page) == []
    context.close()
