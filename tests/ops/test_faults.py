"""Faults give honest, friendly pages: no database, a clean-up that fails, Redis stopped."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from esafety import create_app
from esafety.auth.roles import Role
from esafety.auth.services import start_session
from esafety.auth.throttle import FallbackStore, LoginThrottle, make_throttle
from esafety.extensions import db
from esafety.meetings import planning
from esafety.meetings.models import Booking
from tests import factories
from tests.meetings.conftest import details


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_database(tmp_path):
    """An app whose database cannot be reached at all (nothing listens on its port)."""
    app = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,  # show the error page, as in production
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@127.0.0.1:{_free_port()}/x",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
            "INSTANCE_DIR": str(tmp_path),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_error_page_is_shown_to_a_signed_in_person_without_the_database(no_database):
    client = no_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "7:some-session-token:some-device-key"
        session["_fresh"] = True
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in page and "try again" in page
    assert "Internal Server Error" not in page
    assert "Nothing you wrote has been lost" not in page


def test_a_failed_form_post_does_not_promise_it_was_kept(no_database):
    response = no_database.test_client().post(
        "/login", data={"email": "t@school.example", "password": "whatever whatever"}
    )
    assert response.status_code == 500
    assert "What you just sent was not saved" in response.get_data(as_text=True)


def test_healthz_names_the_database_when_it_is_down(no_database):
    response = no_database.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "unreachable" and body["status"] == "error"
    assert body["uploads"] == "ok" and body["redis"].startswith("not used")


def test_healthz_reports_each_dependency(client, app, tmp_path):
    body = client.get("/healthz").get_json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "redis": "not used (counting in memory)",
        "mail": {"waiting": 0, "failed": 0, "oldest_waiting_seconds": 0},
        "uploads": "ok",
    }
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # even root cannot make a folder inside a file
    app.config["UPLOAD_FOLDER"] = str(blocked / "uploads")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["uploads"].startswith("not writable")
    assert response.get_json()["status"] == "error"


def test_work_that_was_committed_is_not_turned_into_an_error_by_a_failed_clean_up(
    app, school, monkeypatch, caplog
):
    officer = factories.make_user(Role.ESAFETY_OFFICER)
    meeting = planning.create_meeting(officer, details())
    child = factories.make_pupil(school.classes[next(iter(school.classes))])
    parent = factories.make_parent(child)
    start_session(parent, "test client")  # a signed-in device, as a real sign-in makes
    db.session.commit()
    meeting_id, parent_id, session_id = meeting.id, parent.id, parent.get_id()

    def connection_died(exc):
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    monkeypatch.setattr(
        app, "teardown_appcontext_funcs", [*app.teardown_appcontext_funcs, connection_died]
    )
    outcome: dict = {}

    def book() -> None:
        """A request of its own (a thread without the test's app context), as a server runs it."""
        try:
            client = FlaskClient(app, app.response_class, use_cookies=True)
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
            outcome["response"] = client.post(f"/meetings/{meeting_id}/book", data={"places": "1"})
        except Exception as error:  # noqa: BLE001 - what the server would have turned into a 500
            outcome["error"] = error

    with caplog.at_level(logging.ERROR):
        worker = threading.Thread(target=book)
        worker.start()
        worker.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["response"].status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Booking).where(Booking.parent_id == parent_id)) is not None
    assert "clean-up after a request failed" in caplog.text


@pytest.fixture
def redis_server():
    """A Redis of our own on a free port, which the test can stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
        process.wait(10)


def test_with_redis_stopped_people_still_sign_in_and_the_log_says_why(
    app, client, redis_server, caplog
):
    process, url = redis_server
    app.extensions["esafety_throttle"] = make_throttle(url)
    assert isinstance(app.extensions["esafety_throttle"].store, FallbackStore)
    factories.make_user(Role.TEACHER, email="t@school.example")
    db.session.commit()
    login = {"email": "t@school.example", "password": factories.PASSWORD}
    assert client.post("/login", data=login).status_code == 302
    assert client.get("/healthz").get_json()["redis"] == "ok"
    client.post("/logout")

    process.terminate()
    process.wait(10)
    with caplog.at_level(logging.WARNING):
        started = time.perf_counter()
        response = client.post("/login", data=login)
        assert time.perf_counter() - started < 3
    assert response.status_code == 302
    assert "Redis is not answering" in caplog.text
    client.post("/logout")

    # Lockouts still work, counted in memory while Redis is away.
    for _ in range(LoginThrottle.PAIR_FAILURES):
        client.post("/login", data={**login, "password": "wrong wrong wrong"})
    assert client.post("/login", data=login).status_code == 401

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["redis"].startswith("unreachable")


def test_a_commit_that_fails_says_the_work_may_not_have_been_kept(app, client, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    factories.make_user(Role.TEACHER, email="t@school.example")
    db.session.commit()
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def connection_lost(session):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    event.listen(Session, "before_commit", connection_lost)
    try:
        response = client.post(
            "/login", data={"email": "t@school.example", "password": factories.PASSWORD}
        )
    finally:
        event.remove(Session, "before_commit", connection_lost)
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "cannot be sure whether what you just sent was kept" in page
    assert "check the page" in page
    assert "Nothing you wrote has been lost" not in page
