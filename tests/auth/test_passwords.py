"""Passwords: common and name-based ones refused; reset links random, single use, rate-limited,
and the forgot-password answer takes as long for an unknown address as for a real one."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from esafety import mail
from esafety.auth import services
from esafety.auth.models import PasswordLink
from esafety.auth.roles import Role
from esafety.extensions import db
from tests import factories


def _link_path(message) -> str:
    line = next(w for w in message.get_content().split() if "/password/set/" in w)
    return line.split("esafety.test", 1)[1]


@pytest.fixture
def reset_link(client):
    user = factories.make_user(Role.PARENT, first_name="Grace", email="grace@school.example")
    db.session.commit()
    client.post("/password/forgot", data={"email": "grace@school.example"})
    [message] = mail.outbox_messages()
    return user, _link_path(message)


@pytest.mark.parametrize(
    "password",
    ["passwordpassword", "123456789012", "qwertyuiop12", "iloveyou1234", "aaaaaaaaaaaa"],
)
def test_a_common_password_is_refused_beside_the_field(client, reset_link, password):
    user, path = reset_link
    before = user.password_hash
    response = client.post(path, data={"password": password})
    assert response.status_code == 200
    assert b"often use, or is easy to guess" in response.data
    db.session.refresh(user)
    assert user.password_hash == before


@pytest.mark.parametrize("password", ["Grace-loves-2026!", "meadowbank-kettle-7", "GRACETESTER99"])
def test_a_password_with_the_persons_or_schools_name_is_refused(client, reset_link, password):
    _, path = reset_link
    response = client.post(path, data={"password": password})
    assert response.status_code == 200
    assert b"leave out your name and the school" in response.data


def test_a_weak_new_password_is_refused_when_changing_it_too(client, login_as):
    login_as(Role.TEACHER)
    response = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": "passwordpassword"},
    )
    assert response.status_code == 200
    assert b"often use, or is easy to guess" in response.data


def test_a_good_password_is_set_and_the_link_works_only_once(client, reset_link):
    user, path = reset_link
    assert client.post(path, data={"password": "lantern-orchid-pebble"}).status_code == 302
    again = client.post(path, data={"password": "another-lantern-pebble"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/password/forgot")
    db.session.refresh(user)
    from esafety.auth.passwords import verify_secret

    assert verify_secret(user.password_hash, "lantern-orchid-pebble")


def test_the_link_is_random_and_carries_no_session_token(client, reset_link):
    user, path = reset_link
    token = path.rsplit("/", 1)[1]
    assert user.session_token not in token
    assert len(token) >= 40
    # Stored only as a digest: the database alone cannot set a password.
    stored = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == user.id))
    assert stored.token_digest != token and token not in stored.token_digest
    second = services.new_password_link(user)
    assert second != token


def test_an_expired_link_is_refused(client, reset_link):
    from datetime import timedelta

    from esafety.clock import utcnow

    user, path = reset_link
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == user.id))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(path).status_code == 302


def test_reset_emails_are_rate_limited_per_address(client):
    factories.make_user(Role.PARENT, email="busy@school.example")
    db.session.commit()
    for _ in range(services.RESETS_PER_EMAIL + 3):
        response = client.post("/password/forgot", data={"email": "busy@school.example"})
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox_messages()) == services.RESETS_PER_EMAIL


def test_forgot_password_takes_the_same_time_for_known_and_unknown_addresses(client, app):
    """20 tries each, alternating; the medians must be within 20% of each other."""
    factories.make_user(Role.PARENT, email="known@school.example")
    db.session.commit()
    # Several addresses so no single one reaches its hourly limit (that path is timed too).
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for attempt in range(20):
        for kind, email in (
            ("known", "known@school.example"),
            ("unknown", f"nobody{attempt}@school.example"),
        ):
            app.extensions["esafety_throttle"].store.delete(
                f"esafety:rate:reset-email:{email}", "esafety:rate:reset-addr:127.0.0.1"
            )
            started = time.perf_counter()
            response = client.post("/password/forgot", data={"email": email})
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code == 302
    known = statistics.median(timings["known"])
    unknown = statistics.median(timings["unknown"])
    assert abs(known - unknown) / max(known, unknown) < 0.20, (known, unknown)
    assert len(mail.outbox_messages()) == 20
    print(f"forgot-password median: known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")
