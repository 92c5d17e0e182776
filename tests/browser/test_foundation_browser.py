"""A five-year-old signs in with pictures; a teacher signs in and out; a parent sees only theirs."""

from __future__ import annotations

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.conftest import sign_in, sign_in_pupil


def test_reception_pupil_signs_in_with_pictures_and_lands_on_their_class(page):
    school_class = factories.make_class(YearGroup.RECEPTION, name="Robins")
    factories.make_pupil(school_class, first_name="Ava", pictures=["cat", "sun", "boat"])
    factories.make_pupil(school_class, first_name="Noah")
    db.session.commit()

    # One wrong try first: a kind message, and the child can try again.
    sign_in_pupil(page, school_class.login_code, "Ava", ["dog", "dog", "dog"])
    expect(page.get_by_role("alert")).to_contain_text("not quite right")
    for picture in ["cat", "sun", "boat"]:
        page.get_by_role("button", name=picture.capitalize(), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robins")
    expect(page.get_by_text("Hello Ava!")).to_be_visible()


def test_teacher_signs_in_and_out(page):
    teacher = factories.make_user(Role.TEACHER, first_name="Laura", email="laura@school.example")
    factories.make_class(YearGroup.YEAR_2, name="Owls", teacher=teacher)
    db.session.commit()

    sign_in(page, "laura@school.example", factories.PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Laura")).to_be_visible()
    expect(page.get_by_role("link", name="Owls (Year 2)")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()
    page.goto(page.base_url + "/")
    expect(page).to_have_url(page.base_url + "/login?next=/?")


def test_wrong_password_is_explained_and_the_email_is_kept(page):
    factories.make_user(Role.PARENT, email="gran@home.example")
    db.session.commit()
    sign_in(page, "gran@home.example", "not my password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page.get_by_label("Email address")).to_have_value("gran@home.example")


def test_parent_sees_only_their_own_child(page):
    owls = factories.make_class(YearGroup.YEAR_2, name="Owls")
    oak = factories.make_class(YearGroup.YEAR_3, name="Oak")
    mine = factories.make_pupil(owls, first_name="Isla")
    factories.make_pupil(oak, first_name="Finn")
    factories.make_parent(mine, email="parent@home.example")
    db.session.commit()

    sign_in(page, "parent@home.example", factories.PASSWORD)
    expect(page.get_by_role("heading", name="Your children")).to_be_visible()
    expect(page.get_by_role("link", name="Isla")).to_be_visible()
    expect(page.get_by_text("Finn")).to_have_count(0)
    response = page.goto(page.base_url + f"/school/classes/{oak.id}")
    assert response.status == 404
