"""The small boundaries: no-store on personal pages, email headers refused before "sent",
downloads named after anyone, full-width formulas, and legal holds for two roles only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafety import mail
from esafety.auth.roles import Role
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.mail import OutgoingMail
from esafety.records import services as records
from esafety.spreadsheet import csv_text, safe_cell
from tests import factories


def test_every_page_for_a_signed_in_person_is_no_store(app, client, login_as, school):
    login_as(factories.make_user([Role.HEADTEACHER, Role.TEACHER]))
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        response = client.get(rule.rule)
        if response.status_code == 200:
            cache = response.headers.get("Cache-Control", "")
            if "public" not in cache:  # the public news feed and page may be cached
                assert "no-store" in cache, rule.rule
                checked += 1
    assert checked >= 25


def test_static_files_are_still_cacheable(client, login_as):
    login_as(Role.TEACHER)
    with client.get("/static/css/app.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    "subject", ["Hello\nBcc: everyone@example.com", "Line\rbreak", "Tab\x0bcontrol"]
)
def test_an_email_header_that_cannot_be_sent_is_refused_before_sent_is_shown(subject):
    with pytest.raises(DomainError) as refused:
        mail.queue("parent@school.example", subject, "Body")
    assert refused.value.field == "subject"
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0


def test_full_width_formula_characters_are_neutralised():
    assert [safe_cell(v) for v in ("＝1+1", "＋44", "－3", "＠A1", "Ａva")] == [
        "'＝1+1",
        "'＋44",
        "'－3",
        "'＠A1",
        "Ａva",
    ]
    assert csv_text(["name"], [['＝HYPERLINK("x")']]).splitlines()[1].startswith("\"'＝")


def test_a_class_named_outside_latin_1_downloads_its_progress(client, login_as):
    from esafety.school.models import YearGroup

    klass = factories.make_class(YearGroup.YEAR_4, name="Łucja 王")
    teacher = factories.make_user(Role.TEACHER)
    from esafety.school.services import assign_teacher

    assign_teacher(klass, teacher)
    factories.make_pupil(klass, first_name="Nguyễn", last_name="Thị")
    login_as(teacher)
    response = client.get(f"/lessons/classes/{klass.id}/progress.csv")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "UTF-8''" in disposition
    assert "%C5%82ucja" in disposition


def test_a_subject_access_export_for_a_name_outside_latin_1(client, login_as):
    person = factories.make_user(Role.PARENT, first_name="Zoë", last_name="Wąsowska-李")
    login_as(Role.OFFICE_ADMIN)
    response = client.post(f"/records/people/{person.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "UTF-8''subject-access-zo%C3%AB-w%C4%85sowska" in response.headers["Content-Disposition"]


@pytest.fixture
def hold(db):
    person = factories.make_user(Role.PARENT, first_name="Heldfor", last_name="Person")
    head = factories.make_user(Role.HEADTEACHER)
    records.place_hold(head, reason="A tribunal claim is expected", user_id=person.id)
    db.session.commit()


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.HEADTEACHER, True),
        (Role.DSL, True),
        (Role.SLT, False),
        (Role.OFFICE_ADMIN, False),
        (Role.GOVERNOR, False),
    ],
)
def test_legal_holds_are_seen_only_by_the_headteacher_and_the_dsl(
    client, login_as, hold, role, sees
):
    login_as(role)
    response = client.get("/records/retention")
    if response.status_code == 200:
        assert (b"A tribunal claim is expected" in response.data) is sees
        assert (b"Heldfor" in response.data) is sees
    else:
        assert not sees and response.status_code in (403, 404)


def test_the_office_can_no_longer_place_a_hold(client, login_as):
    login_as(Role.OFFICE_ADMIN)
    person = factories.make_user(Role.PARENT)
    db.session.commit()
    response = client.post("/records/holds", data={"user_id": person.id, "reason": "x"})
    assert response.status_code == 403
