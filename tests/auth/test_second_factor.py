"""The second sign-in step: required for the safeguarding team, leaders, the office and the
chair; optional for other staff; never asked of pupils or parents."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from esafety.auth import second_factor
from esafety.auth.models import RecoveryCode, User
from esafety.auth.roles import Role
from esafety.school.models import StaffProfile
from tests import factories


def _password(client, user: User):
    return client.post("/login", data={"email": user.email, "password": factories.PASSWORD})


def _signed_in(client) -> bool:
    return client.get("/safeguarding/mine").status_code == 200


def _secret_from(page: str) -> str:
    return re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)


def _enrol(client, user: User) -> list[str]:
    response = _password(client, user)
    assert response.headers["Location"].endswith("/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = _secret_from(page)
    done = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))


@pytest.mark.parametrize(
    "role", [Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN]
)
def test_the_listed_roles_must_set_up_a_second_step_before_they_are_signed_in(client, db, role):
    user = factories.make_user(role, email=f"{role.value}@school.example")
    db.session.commit()
    response = _password(client, user)
    assert response.headers["Location"].endswith("/login/enrol")
    assert not _signed_in(client)
    # Going straight to a page does not skip it.
    assert client.get("/").status_code == 302


def test_the_chair_of_governors_must_use_it_and_other_governors_need_not(client, db):
    chair = factories.make_user(Role.GOVERNOR, email="chair@school.example")
    db.session.get(StaffProfile, chair.id).is_chair_of_governors = True
    governor = factories.make_user(Role.GOVERNOR, email="gov@school.example")
    db.session.commit()
    assert second_factor.required_for(chair) and not second_factor.required_for(governor)
    assert _password(client, chair).headers["Location"].endswith("/login/enrol")
    client.get("/login")  # a fresh attempt
    assert _password(client, governor).headers["Location"].endswith("/")


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT, Role.ESAFETY_OFFICER])
def test_other_people_sign_in_with_their_password_alone(client, db, role):
    user = factories.make_user(role, email=f"{role.value}@school.example")
    db.session.commit()
    assert _password(client, user).headers["Location"].endswith("/")
    assert _signed_in(client)


def test_enrol_then_sign_in_with_a_code_and_then_a_recovery_code(client, db):
    dsl = factories.make_user(Role.DSL, email="dsl@school.example")
    db.session.commit()
    codes = _enrol(client, dsl)
    assert len(codes) == 10 and _signed_in(client)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert all(code not in "".join(stored) for code in codes)
    client.post("/logout")

    # Next time: password, then a code from the app.
    assert _password(client, dsl).headers["Location"].endswith("/login/code")
    assert not _signed_in(client)
    wrong = client.post("/login/code", data={"code": "000000"})
    assert wrong.status_code == 400 and "did not work" in wrong.get_data(as_text=True)
    db.session.refresh(dsl)
    totp = pyotp.TOTP(dsl.totp_secret)
    # The code that enrolled may not be used again; the app's next code works.
    next_code = totp.at(time.time() + 30)
    assert client.post("/login/code", data={"code": next_code}).status_code == 302
    assert _signed_in(client)
    client.post("/logout")

    # A recovery code works once.
    _password(client, dsl)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
    assert _signed_in(client)
    client.post("/logout")
    _password(client, dsl)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 400
    assert not _signed_in(client)
    assert second_factor.recovery_codes_left(dsl) == 9


def test_a_code_is_accepted_only_once(db):
    head = factories.make_user(Role.HEADTEACHER, email="h@school.example")
    secret, _ = second_factor.start_enrolment(head, "School")
    code = pyotp.TOTP(secret).now()
    second_factor.confirm_enrolment(head, code)
    with pytest.raises(Exception, match="did not work"):
        second_factor.check_code(head, code)


def test_other_staff_may_choose_it_and_parents_are_never_asked(client, login_as, db):
    login_as(Role.TEACHER)
    assert client.get("/account/second-factor").status_code == 200
    login_as(Role.PARENT)
    assert client.get("/account/second-factor").status_code == 404
    login_as(Role.PUPIL)
    assert client.get("/account/second-factor").status_code == 404


def test_the_second_step_waits_only_for_someone_who_gave_the_password(client, db):
    assert client.get("/login/code").headers["Location"].endswith("/login")
    assert client.get("/login/enrol").headers["Location"].endswith("/login")
