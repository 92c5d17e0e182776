"""Every absolute link comes from BASE_URL; production answers only the school's own host."""

from __future__ import annotations

from esafety import create_app, mail
from esafety.auth.roles import Role
from esafety.extensions import db
from tests import factories

EVIL = "evil.example"


def _links_in(message) -> list[str]:
    return [word for word in message.get_content().split() if "://" in word]


def test_a_reset_asked_for_under_a_forged_host_still_links_to_the_school(client, app):
    factories.make_user(Role.HEADTEACHER, email="head@school.example")
    db.session.commit()
    response = client.post(
        "/password/forgot",
        data={"email": "head@school.example"},
        headers={"Host": EVIL},
        base_url=f"http://{EVIL}",
    )
    assert response.status_code == 302
    [message] = mail.outbox_messages()
    [link] = _links_in(message)
    assert link.startswith(app.config["BASE_URL"] + "/password/set/")
    assert EVIL not in message.as_string()


def test_the_news_feed_links_to_the_school_whatever_the_host(client, app):
    body = client.get(
        "/sandbox/news/feed.atom", headers={"Host": EVIL}, base_url=f"http://{EVIL}"
    ).data
    assert EVIL.encode() not in body
    assert app.config["BASE_URL"].encode() in body


def test_class_login_cards_show_the_school_address(client, login_as, school, app):
    """The request comes in over http; BASE_URL says https: the card follows BASE_URL."""
    from esafety.school.models import YearGroup

    login_as(school.teachers[YearGroup.YEAR_1])
    klass = school.classes[YearGroup.YEAR_1]
    page = client.get(f"/school/classes/{klass.id}/login-cards")
    assert page.status_code == 200
    assert f"{app.config['BASE_URL']}/pupils/{klass.login_code}".encode() in page.data


def test_production_refuses_a_host_that_is_not_the_schools(monkeypatch, tmp_path):
    monkeypatch.setenv("ESAFETY_ENV", "production")
    monkeypatch.setenv("ESAFETY_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("ESAFETY_BASE_URL", "https://esafety.meadowbank.example")
    monkeypatch.setenv("ESAFETY_TRUSTED_HOSTS", "esafety-staff.meadowbank.example")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_DIR": str(tmp_path)})
    client = app.test_client()
    assert client.get("/login", base_url=f"https://{EVIL}").status_code == 400
    good = "https://esafety.meadowbank.example"
    assert client.get("/healthz", base_url=good).status_code != 400
    assert (
        client.get("/healthz", base_url="https://esafety-staff.meadowbank.example").status_code
        != 400
    )


def test_development_answers_any_host(app):
    assert app.config["TRUSTED_HOSTS"] is None
