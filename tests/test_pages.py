"""Every response carries the security headers; forms need CSRF; errors are friendly."""

from __future__ import annotations

import json

from esafety import create_app
from esafety.auth.roles import Role
from esafety.cli import demo_command
from esafety.extensions import db


def test_security_headers_on_every_response(client):
    for path in ["/login", "/static/css/app.css", "/no-such-page"]:
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_pages(client, login_as, school):
    login_as(Role.HEADTEACHER)
    for path in ["/", "/login", "/school/classes", "/school/consent", "/audit"]:
        html = client.get(path).data.decode()
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, path


def test_forms_are_refused_without_a_csrf_token(app):
    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    with strict.test_client() as client:
        response = client.post("/login", data={"email": "a@school.example", "password": "x"})
        assert response.status_code == 400
        assert b"Something was not right" in response.data


def test_secure_cookie_flags_outside_development(monkeypatch):
    monkeypatch.setenv("ESAFETY_ENV", "production")
    monkeypatch.setenv("ESAFETY_SECRET_KEY", "x" * 32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_errors_are_friendly_and_show_no_stack_trace(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data and b"Traceback" not in response.data


def test_the_base_layout_has_a_skip_link_and_landmarks(client):
    html = client.get("/login").data.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert 'lang="en-GB"' in html


def test_demo_runs_twice_without_changing_anything(app):
    from sqlalchemy import func, select

    from esafety.audit import AuditEntry
    from esafety.auth.models import User

    runner = app.test_cli_runner()
    first = runner.invoke(demo_command, ["--json"])
    assert first.exit_code == 0, first.output
    logins = json.loads(first.output)
    users = db.session.scalar(select(func.count(User.id)))
    second = runner.invoke(demo_command, ["--json"])
    assert json.loads(second.output) == logins
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalar(select(func.count(AuditEntry.id))) > 0
    roles = {role for login in logins for role in login.get("roles", [login["role"]])}
    assert {r.value for r in Role} <= roles
    pupils = [login for login in logins if login["role"] == "pupil"]
    assert len({p["class_code"] for p in pupils}) >= 7
    assert all(len(p["pictures"]) == 3 for p in pupils)


def test_demo_logins_work(client, app):
    runner = app.test_cli_runner()
    logins = json.loads(runner.invoke(demo_command, ["--json"]).output)
    adult = next(login for login in logins if login["role"] == "teacher")
    response = client.post("/login", data={"email": adult["email"], "password": adult["password"]})
    assert response.status_code == 302
    client.post("/logout")
    pupil = next(login for login in logins if login["role"] == "pupil")
    tiles = client.get(f"/pupils/{pupil['class_code']}").data.decode()
    assert pupil["name"] in tiles
