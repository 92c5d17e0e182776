"""Leaders add staff; the office invites parents and disables their accounts."""

from __future__ import annotations

from datetime import date

import pytest

from esafety import mail
from esafety.auth.roles import Role
from esafety.auth.services import find_by_email
from esafety.extensions import db
from tests import factories
from tests.conftest import sign_in_session


def test_the_headteacher_adds_a_teacher_who_is_emailed_an_invitation(client, login_as):
    login_as(Role.HEADTEACHER)
    response = client.post(
        "/school/people/new",
        data={
            "first_name": "Nadia",
            "last_name": "Perez",
            "email": "n.perez@school.example",
            "job_title": "Year 2 teacher",
            "start_date": "2026-09-01",
            "roles": ["teacher"],
        },
    )
    assert response.status_code == 302
    user = find_by_email("n.perez@school.example")
    assert user.has_role(Role.TEACHER) and user.password_hash is None
    [invitation] = mail.outbox_messages()
    assert invitation["To"] == "n.perez@school.example"
    assert "/password/set/" in invitation.get_content()


def test_a_second_chair_of_governors_is_refused_beside_the_field(client, login_as):
    chair = factories.make_user(Role.GOVERNOR)
    chair_profile = db.session.get(factories.StaffProfile, chair.id)
    chair_profile.is_chair_of_governors = True
    login_as(Role.HEADTEACHER)
    response = client.post(
        "/school/people/new",
        data={
            "first_name": "Ann",
            "last_name": "Other",
            "email": "ann@school.example",
            "job_title": "Governor",
            "start_date": "2026-09-01",
            "roles": ["governor"],
            "chair_of_governors": "y",
        },
    )
    assert response.status_code == 200
    assert b"already has a chair of governors" in response.data
    assert b'value="ann@school.example"' in response.data  # what was typed is kept
    assert find_by_email("ann@school.example") is None


def test_parents_from_the_roster_are_invited_once_asked(client, login_as):
    parent = factories.make_user(Role.PARENT, email="mum@school.example")
    parent.password_hash = None
    login_as(Role.OFFICE_ADMIN)
    assert b"1 parents and carers have not chosen a password" in client.get("/school/people").data
    client.post("/school/people/invite-parents")
    assert [m["To"] for m in mail.outbox_messages()] == ["mum@school.example"]


def test_disabling_an_account_signs_it_out(client, login_as, app):
    parent = factories.make_user(Role.PARENT)
    other = app.test_client()
    sign_in_session(other, parent)
    assert other.get("/").status_code == 200
    login_as(Role.OFFICE_ADMIN)
    client.post(f"/school/people/{parent.id}/active", data={"active": "0"})
    db.session.refresh(parent)
    assert parent.active is False
    assert other.get("/").status_code == 302


def test_a_teacher_who_is_a_parent_cannot_reset_their_childs_class_login_cards(client, login_as):
    """Seeing a class as a parent is not running it: no new pictures, none shown."""
    school = factories.make_school()
    from esafety.school.models import ClassTeacher, ParentLink, YearGroup

    child = school.pupils[YearGroup.YEAR_3][0]
    teacher = factories.make_user([Role.TEACHER, Role.PARENT])
    db.session.add(ClassTeacher(class_id=school.classes[YearGroup.YEAR_1].id, user_id=teacher.id))
    db.session.add(ParentLink(parent_id=teacher.id, pupil_id=child.id, relationship_to_pupil="Dad"))
    before = child.user.picture_hash
    login_as(teacher)
    response = client.post(f"/school/classes/{child.class_id}/login-cards")
    assert response.status_code == 404
    db.session.refresh(child.user)
    assert child.user.picture_hash == before
    own = client.post(f"/school/classes/{school.classes[YearGroup.YEAR_1].id}/login-cards")
    assert own.status_code == 200


def test_a_staff_address_outside_the_school_domains_is_refused(app, client, login_as):
    from esafety.errors import DomainError
    from esafety.school.services import add_staff_member

    # The headteacher adds teachers and governors (the grant table).
    head = factories.make_user(Role.HEADTEACHER)
    app.config["STAFF_EMAIL_DOMAINS"] = "meadowbank.example, staff.meadowbank.example"
    try:
        details = dict(
            first_name="Sam",
            last_name="Lee",
            job_title="Teacher",
            start_date=date(2026, 9, 1),
            roles=[Role.TEACHER],
        )
        with pytest.raises(DomainError) as error:
            add_staff_member(head, email="sam.lee@gmail.example", **details)
        assert error.value.field == "email" and "@meadowbank.example" in error.value.message
        user = add_staff_member(head, email="S.Lee@Staff.Meadowbank.example", **details)
        assert user.email == "s.lee@staff.meadowbank.example"
        governor = add_staff_member(
            head, email="governor@home.example", **{**details, "roles": [Role.GOVERNOR]}
        )
        assert governor.email == "governor@home.example"  # governors are not staff
        login_as(head)
        page = client.post(
            "/school/people/new",
            data={
                **details,
                "email": "sam@gmail.example",
                "roles": ["teacher"],
                "start_date": "2026-09-01",
                "first_name": "Sam2",
            },
        ).get_data(as_text=True)
        assert "not a personal one" in page and 'value="sam@gmail.example"' in page
        factories.make_user(Role.TEACHER, first_name="Old", email="old.account@home.example")
        people = client.get("/school/people").get_data(as_text=True)
        assert "still use an address that is not the school" in people
        assert "Old" in people.split("still use")[1].split("</p>")[0]
    finally:
        app.config["STAFF_EMAIL_DOMAINS"] = ""
