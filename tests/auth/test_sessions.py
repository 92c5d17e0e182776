"""Sessions end: when idle (sooner for pupils and safeguarding roles), after a fixed lifetime,
from the account's list of devices, and on a password change, email change or disabling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from esafety.auth import services
from esafety.auth.models import UserSession
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from tests import factories
from tests.conftest import sign_in_session


def _device_of(user) -> UserSession:
    return db.session.scalar(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.id.desc())
        .limit(1)
    )


def _idle(user, minutes: float) -> None:
    device = _device_of(user)
    device.last_seen_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


@pytest.mark.parametrize(
    ("role", "idle_minutes", "still_signed_in"),
    [
        (Role.TEACHER, 30, True),
        (Role.TEACHER, 61, False),
        (Role.PARENT, 61, False),
        (Role.DSL, 16, False),
        (Role.DEPUTY_DSL, 16, False),
        (Role.HEADTEACHER, 16, False),
        (Role.SLT, 16, False),
        (Role.OFFICE_ADMIN, 16, False),
        (Role.OFFICE_ADMIN, 10, True),
    ],
)
def test_an_idle_session_is_refused(client, login_as, role, idle_minutes, still_signed_in):
    user = login_as(role)
    assert client.get("/").status_code == 200
    _idle(user, idle_minutes)
    response = client.get("/")
    assert (response.status_code == 200) is still_signed_in
    if not still_signed_in:
        assert "/login" in response.headers["Location"]
        assert _device_of(user).ended_at is not None


def test_a_pupils_session_ends_sooner_on_a_shared_classroom_computer(client, login_as, school):
    from esafety.school.models import YearGroup

    pupil = school.pupils[YearGroup.YEAR_2][0]
    login_as(pupil.user)
    klass = f"/school/classes/{pupil.class_id}"
    assert client.get(klass).status_code == 200
    _idle(pupil.user, 21)
    assert client.get(klass).status_code == 302


def test_the_idle_limits_come_from_settings(client, login_as, app):
    user = login_as(Role.TEACHER)
    _idle(user, 8)
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        assert client.get("/").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 60


def test_a_busy_session_still_ends_after_its_lifetime(client, login_as):
    user = login_as(Role.TEACHER)
    device = _device_of(user)
    device.created_at = utcnow() - timedelta(hours=12, minutes=1)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_use_keeps_a_session_alive(client, login_as):
    user = login_as(Role.TEACHER)
    _idle(user, 50)
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert utcnow() - _device_of(user).last_seen_at < timedelta(minutes=1)


def test_the_device_list_shows_each_session_and_can_end_one(app, client, login_as):
    user = login_as(Role.PARENT)
    phone = app.test_client()
    sign_in_session(phone, user)
    page = client.get("/account/devices").data.decode()
    assert page.count("test client") == 2 and "(this device)" in page
    phone_session = _device_of(user)
    assert client.post(f"/account/devices/{phone_session.id}/end").status_code == 302
    assert phone.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_nobody_ends_someone_elses_session(app, client, login_as):
    other = factories.make_user(Role.TEACHER)
    other_client = app.test_client()
    sign_in_session(other_client, other)
    login_as(Role.HEADTEACHER)
    assert client.post(f"/account/devices/{_device_of(other).id}/end").status_code == 404
    assert other_client.get("/").status_code == 200


def test_a_password_change_ends_every_other_session_but_this_one(app, client, login_as):
    user = login_as(Role.TEACHER)
    laptop = app.test_client()
    sign_in_session(laptop, user)
    response = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": "lantern-orchid-pebble"},
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_signing_out_ends_only_this_device(app, client, login_as):
    user = login_as(Role.TEACHER)
    laptop = app.test_client()
    sign_in_session(laptop, user)
    copied = client.get_cookie("session", domain="esafety.test").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied, domain="esafety.test")
    assert thief.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


def test_a_cookie_without_a_device_session_is_refused(app):
    user = factories.make_user(Role.TEACHER)
    db.session.commit()
    assert services.load_session_user(f"{user.id}:{user.session_token}:") is None
    assert services.load_session_user(f"{user.id}:{user.session_token}:made-up") is None
    assert services.load_session_user("nonsense") is None


def test_signing_in_with_a_password_records_the_device(client):
    factories.make_user(Role.TEACHER, email="t@school.example")
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": "t@school.example", "password": factories.PASSWORD},
        headers={"User-Agent": "Firefox on a school laptop"},
    )
    assert response.status_code == 302
    assert b"Firefox on a school laptop" in client.get("/account/devices").data
