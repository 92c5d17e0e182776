"""Signing in: passwords, pictures, lockouts, sessions that end when they should."""

from __future__ import annotations

import pytest

from esafety import audit
from esafety.auth import passwords, services
from esafety.auth.roles import Role
from esafety.auth.throttle import LoginThrottle
from esafety.extensions import db
from esafety.school.models import YearGroup
from tests import factories


def _post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_staff_sign_in_with_email_and_password(client):
    factories.make_user(Role.TEACHER, email="t@school.example")
    db.session.commit()
    response = _post_login(client, "T@School.example ", factories.PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    factories.make_user(Role.PARENT, email="p@school.example")
    db.session.commit()
    wrong_password = _post_login(client, "p@school.example", "nope nope nope")
    unknown = _post_login(client, "nobody@school.example", "nope nope nope")
    assert wrong_password.status_code == unknown.status_code == 401
    assert services.WRONG_DETAILS.encode() in wrong_password.data
    assert services.WRONG_DETAILS.encode() in unknown.data


def test_failed_logins_are_audited(client):
    factories.make_user(Role.PARENT, email="p@school.example")
    db.session.commit()
    _post_login(client, "p@school.example", "nope nope nope")
    actions = [e.action for e in audit.recent()]
    assert "auth.login_failed" in actions


def test_an_account_locks_after_five_wrong_passwords_even_with_the_right_one_next(client):
    factories.make_user(Role.TEACHER, email="t@school.example")
    db.session.commit()
    for _ in range(LoginThrottle.PAIR_FAILURES):
        _post_login(client, "t@school.example", "wrong wrong wrong")
    response = _post_login(client, "t@school.example", factories.PASSWORD)
    assert response.status_code == 401
    assert b"locked" in response.data


def test_password_is_rehashed_when_parameters_change(app):
    from argon2 import PasswordHasher

    user = factories.make_user(Role.TEACHER, email="old@school.example")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(
        "pw-pw-pw-pw-pw"
    )
    db.session.commit()
    old_hash = user.password_hash
    services.authenticate("old@school.example", "pw-pw-pw-pw-pw", "127.0.0.1")
    assert user.password_hash != old_hash
    assert passwords.verify_secret(user.password_hash, "pw-pw-pw-pw-pw")


def test_logout_ends_the_session_even_for_a_copied_cookie(client, login_as):
    login_as(Role.TEACHER)
    with client.session_transaction() as session:
        copied = dict(session)
    assert client.get("/").status_code == 200
    client.post("/logout")
    with client.session_transaction() as session:
        session.update(copied)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabling_an_account_ends_its_sessions(client, login_as):
    user = login_as(Role.PARENT)
    assert client.get("/").status_code == 200
    services.disable_account(None, user)
    db.session.commit()
    assert client.get("/").status_code == 302


class TestPictureLogin:
    @pytest.fixture
    def pupil(self, db):
        school_class = factories.make_class(YearGroup.RECEPTION, name="Robins")
        pupil = factories.make_pupil(
            school_class, first_name="Ava", pictures=["cat", "sun", "boat"]
        )
        db.session.commit()
        return pupil

    def _choose(self, client, pupil, pictures):
        url = f"/pupils/{pupil.school_class.login_code}/{pupil.id}"
        response = None
        for picture in pictures:
            response = client.post(url, data={"picture": picture})
        return response

    def test_class_code_then_name_tile_then_three_pictures(self, client, pupil):
        response = client.post("/pupils", data={"code": pupil.school_class.login_code.lower()})
        assert response.headers["Location"].endswith(f"/pupils/{pupil.school_class.login_code}")
        tiles = client.get(response.headers["Location"])
        assert b"Ava" in tiles.data and b"Pupil" not in tiles.data  # first names only
        response = self._choose(client, pupil, ["cat", "sun", "boat"])
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/school/classes/{pupil.class_id}")

    def test_an_unknown_class_code_is_explained(self, client, pupil):
        response = client.post("/pupils", data={"code": "NOPE99"})
        assert b"could not find a class with that code" in response.data

    def test_five_wrong_tries_lock_the_pupil_and_tell_the_teacher(self, client, pupil, login_as):
        for _ in range(4):
            response = self._choose(client, pupil, ["dog", "dog", "dog"])
            assert b"not quite right" in response.data
        response = self._choose(client, pupil, ["dog", "dog", "dog"])
        assert b"Your teacher has been told" in response.data
        response = self._choose(client, pupil, ["cat", "sun", "boat"])
        assert response.status_code == 401  # still locked, even with the right pictures

        teacher = factories.make_user(Role.TEACHER)
        from esafety.school.models import ClassTeacher

        db.session.add(ClassTeacher(class_id=pupil.class_id, user_id=teacher.id))
        login_as(teacher)
        page = client.get(f"/school/classes/{pupil.class_id}")
        assert b"Locked out of their pictures" in page.data
        assert b"Ava Pupil" in page.data

    def test_teacher_reset_unlocks_and_gives_new_pictures(self, client, pupil, login_as, app):
        throttle = app.extensions["esafety_throttle"]
        for _ in range(5):
            throttle.record_failure(services.pupil_account_key(pupil.user_id), "10.0.0.1")
        teacher = factories.make_user(Role.TEACHER)
        from esafety.school.models import ClassTeacher

        db.session.add(ClassTeacher(class_id=pupil.class_id, user_id=teacher.id))
        login_as(teacher)
        response = client.post(f"/school/pupils/{pupil.id}/reset-pictures", follow_redirects=True)
        assert b"new pictures are" in response.data
        key = services.pupil_account_key(pupil.user_id)
        assert throttle.locked_for(key, "10.0.0.1") == 0

    def test_pupils_cannot_change_a_password_or_profile(self, client, pupil, login_as):
        login_as(pupil.user)
        assert client.get("/account/password").status_code == 403


def test_a_forgotten_password_link_sets_a_new_one_once(client, app):
    from esafety import mail

    user = factories.make_user(Role.PARENT, email="gran@school.example")
    db.session.commit()
    response = client.post("/password/forgot", data={"email": "gran@school.example"})
    assert response.status_code == 302
    [message] = mail.outbox_messages()
    link = next(line for line in message.get_content().splitlines() if "/password/set/" in line)
    path = link.split("esafety.test", 1)[1]
    response = client.post(path, data={"password": "kettle garden purple"})
    assert response.status_code == 302
    assert passwords.verify_secret(user.password_hash, "kettle garden purple")
    again = client.post(path, data={"password": "another one entirely"}, follow_redirects=True)
    assert b"already been used" in again.data


def test_asking_for_a_link_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    from esafety import mail

    response = client.post("/password/forgot", data={"email": "nobody@school.example"})
    assert response.status_code == 302
    assert mail.outbox_messages() == []
