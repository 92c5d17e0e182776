"""Limits that stop guessing but cannot lock a whole school out from its one address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafety import create_app
from esafety.audit import AuditEntry
from esafety.auth.roles import Role
from esafety.auth.throttle import LoginThrottle
from esafety.extensions import db
from esafety.school.models import YearGroup
from tests import factories

SCHOOL = "10.0.0.1"  # the school's one address, as every request behind its proxy has
HOME = "198.51.100.7"


def _login(client, email, password, address=SCHOOL):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def teacher(db):
    user = factories.make_user(Role.TEACHER, email="t@school.example")
    db.session.commit()
    return user


def test_thirty_wrong_tries_from_one_address_do_not_lock_out_everyone_there(client, teacher):
    for n in range(LoginThrottle.ADDRESS_FAILURES):
        assert _login(client, f"guess{n}@school.example", "not it at all").status_code == 401

    response = _login(client, "t@school.example", factories.PASSWORD)
    assert response.status_code == 302  # the right password still signs in


def test_pupils_at_a_busy_address_still_sign_in_with_their_pictures(client, db):
    school_class = factories.make_class(YearGroup.YEAR_2, name="Owls")
    pupil = factories.make_pupil(school_class, first_name="Ava", pictures=["cat", "sun", "boat"])
    db.session.commit()
    for n in range(LoginThrottle.ADDRESS_FAILURES):
        _login(client, f"guess{n}@school.example", "not it at all")
    url = f"/pupils/{school_class.login_code}/{pupil.id}"
    response = None
    for picture in ["cat", "sun", "boat"]:
        response = client.post(url, data={"picture": picture}, environ_base={"REMOTE_ADDR": SCHOOL})
    assert response.status_code == 302


def test_at_a_busy_address_one_wrong_try_locks_that_account_from_there_only(client, teacher):
    for n in range(LoginThrottle.ADDRESS_FAILURES):
        _login(client, f"guess{n}@school.example", "not it at all")

    assert _login(client, "t@school.example", "not it either").status_code == 401
    right = _login(client, "t@school.example", factories.PASSWORD)
    assert right.status_code == 401 and b"locked" in right.data
    assert _login(client, "t@school.example", factories.PASSWORD, HOME).status_code == 302
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "auth.login_failed", AuditEntry.actor_id == teacher.id
        )
    ).one()
    assert entry.details["busy_address"] is True and entry.details["locked"] is True


def test_five_wrong_tries_lock_the_account_from_that_address_not_from_home(client, teacher):
    for _ in range(LoginThrottle.PAIR_FAILURES):
        _login(client, "t@school.example", "wrong wrong wrong")
    assert b"locked" in _login(client, "t@school.example", factories.PASSWORD).data
    assert _login(client, "t@school.example", factories.PASSWORD, HOME).status_code == 302


def test_guessing_from_many_addresses_locks_the_account_everywhere(client, teacher):
    for n in range(LoginThrottle.ACCOUNT_FAILURES):
        _login(client, "t@school.example", "wrong wrong wrong", f"203.0.113.{n + 1}")
    for address in (SCHOOL, HOME):
        response = _login(client, "t@school.example", factories.PASSWORD, address)
        assert response.status_code == 401 and b"locked" in response.data


class TestClassCodes:
    @pytest.fixture
    def owls(self, db):
        school_class = factories.make_class(YearGroup.YEAR_1, name="Owls")
        db.session.commit()
        return school_class

    def _try(self, client, code, address=SCHOOL):
        return client.post("/pupils", data={"code": code}, environ_base={"REMOTE_ADDR": address})

    def test_wrong_codes_are_logged_and_limited_per_address(self, client, owls):
        for n in range(LoginThrottle.CLASS_CODE_GUESSES):
            response = self._try(client, f"ZZ{n:04d}")
            assert b"could not find a class" in response.data
        refused = self._try(client, owls.login_code)
        assert refused.status_code == 400
        assert b"a lot of wrong class codes" in refused.data
        assert b"Owls" not in refused.data
        wrong = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "auth.class_code_wrong")
        )
        assert wrong == LoginThrottle.CLASS_CODE_GUESSES
        [refusal] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.class_code_refused")
        ).all()
        assert refusal.ip == SCHOOL
        # Another device is not affected.
        assert self._try(client, owls.login_code, HOME).status_code == 302

    def test_codes_guessed_in_the_link_count_too(self, client, owls):
        for n in range(LoginThrottle.CLASS_CODE_GUESSES):
            response = client.get(f"/pupils/ZZ{n:04d}", environ_base={"REMOTE_ADDR": SCHOOL})
            assert response.status_code == 404
        response = client.get(f"/pupils/{owls.login_code}", environ_base={"REMOTE_ADDR": SCHOOL})
        assert response.status_code == 429
        assert client.get(f"/pupils/{owls.login_code}").status_code == 200  # another address


@pytest.mark.commits  # a second app, set behind a proxy, on the test database
class TestBehindAProxy:
    @pytest.fixture
    def proxied(self, app):
        proxied = create_app(
            {
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "INSTANCE_DIR": app.config["INSTANCE_DIR"],
                "SERVER_NAME": "esafety.test",
                "PROXY_HOPS": 1,
            }
        )
        yield proxied
        with proxied.app_context():
            db.engine.dispose()

    def _failed_login_ip(self, server, forwarded_for: str) -> str:
        with server.app_context():
            server.test_client().post(
                "/login",
                data={"email": "nobody@school.example", "password": "wrong wrong"},
                headers={"X-Forwarded-For": forwarded_for},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},  # nginx
            )
            ip = db.session.scalar(
                select(AuditEntry.ip)
                .where(AuditEntry.action == "auth.login_failed")
                .order_by(AuditEntry.id.desc())
            )
            db.session.remove()
            return ip

    def test_the_client_address_comes_from_the_configured_proxy(self, proxied):
        assert self._failed_login_ip(proxied, "192.0.2.44") == "192.0.2.44"
        # Only the last hop is trusted: an address the client made up in front of it is not.
        assert self._failed_login_ip(proxied, "6.6.6.6, 192.0.2.45") == "192.0.2.45"

    def test_without_a_proxy_setting_the_header_is_ignored(self, app, client):
        client.post(
            "/login",
            data={"email": "nobody@school.example", "password": "wrong wrong"},
            headers={"X-Forwarded-For": "192.0.2.44"},
        )
        assert db.session.scalar(select(AuditEntry.ip)) == "127.0.0.1"
