"""The start- and end-of-year check: once per phase per year, every question answered ("not
sure" counts), the change per statement for the teacher and as numbers for leaders, erased with
the pupil's other lesson work."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.errors import DomainError
from esafety.lessons import checks
from esafety.lessons.checks import NOT_SURE, check_items, school_year_of
from esafety.lessons.models import CheckAnswer, CheckPhase
from esafety.school.models import YearGroup
from tests import factories
from tests.lessons.conftest import make_class_setup

START, END = CheckPhase.START, CheckPhase.END


@pytest.fixture
def may(monkeypatch):
    """The end-of-year check opens in May: pretend it is May of the school year."""
    monkeypatch.setattr(checks, "today", lambda: date(2027, 5, 10))


def _answers(items, right: set[int], unsure: set[int] = frozenset()):
    chosen = {}
    for n, item in enumerate(items):
        if n in unsure:
            chosen[item.key] = NOT_SURE
        elif n in right:
            chosen[item.key] = item.question.correct_index
        else:
            chosen[item.key] = next(i for i, a in enumerate(item.question.answers) if not a.correct)
    return chosen


def test_the_school_year_runs_from_september():
    assert school_year_of(date(2026, 9, 1)) == 2026
    assert school_year_of(date(2027, 8, 31)) == 2026
    items = check_items(YearGroup.YEAR_5)
    assert len(items) == 11 and all(item.statements for item in items)


def test_the_change_from_start_to_end_per_statement(db, may):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=2, name="Kestrels")
    items = check_items(YearGroup.YEAR_5)
    first, second = setup.pupils
    # At the start, neither knows question 0; one is not sure about question 1.
    checks.submit_check(first.user, START, _answers(items, right=set(range(1, 11))))
    checks.submit_check(second.user, START, _answers(items, right=set(range(2, 11)), unsure={1}))
    # At the end, both know question 0; the second still gets question 1 wrong.
    checks.submit_check(first.user, END, _answers(items, right=set(range(11))))
    checks.submit_check(second.user, END, _answers(items, right={0, *range(2, 11)}))
    db.session.commit()

    report = checks.class_check(setup.teacher, setup.school_class.id, 2026)
    row0, row1 = report.rows[0], report.rows[1]
    assert (row0.percent(START), row0.percent(END), row0.change) == (0, 100, 100)
    assert (row1.percent(START), row1.percent(END), row1.change) == (50, 50, 0)
    assert row1.not_sure[START] == 1
    assert report.scores[first.id] == {START: 10, END: 11}
    assert report.scores[second.id] == {START: 9, END: 10}

    leaders = checks.school_check(YearGroup.YEAR_5, 2026)
    assert leaders.scores == {} and leaders.rows[0].change == 100


def test_each_check_is_done_once_and_needs_every_answer(db, may):
    setup = make_class_setup(YearGroup.YEAR_4, pupils=1)
    items = check_items(YearGroup.YEAR_4)
    pupil = setup.pupil
    partial = _answers(items, right=set(range(len(items))))
    del partial[items[3].key]
    with pytest.raises(DomainError) as refused:
        checks.submit_check(pupil.user, START, partial)
    assert refused.value.field == items[3].key
    bad = _answers(items, right=set())
    bad[items[0].key] = 99
    with pytest.raises(DomainError):
        checks.submit_check(pupil.user, START, bad)
    assert db.session.scalar(select(CheckAnswer.id)) is None
    checks.submit_check(pupil.user, START, _answers(items, right=set()))
    with pytest.raises(DomainError, match="already done"):
        checks.submit_check(pupil.user, START, _answers(items, right=set()))


def test_the_end_check_waits_for_may(db, monkeypatch):
    monkeypatch.setattr(checks, "today", lambda: date(2026, 10, 1))
    setup = make_class_setup(YearGroup.YEAR_4, pupils=1)
    items = check_items(YearGroup.YEAR_4)
    with pytest.raises(DomainError, match="opens in May"):
        checks.submit_check(setup.pupil.user, END, _answers(items, right=set()))


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#39;", "'")


def test_a_pupil_does_the_check_on_one_page_and_a_missed_question_is_shown_again(
    client, login_as, db
):
    setup = make_class_setup(YearGroup.YEAR_3, pupils=1)
    items = check_items(YearGroup.YEAR_3)
    login_as(setup.pupil.user)
    page = _text(client.get("/lessons/check/start"))
    assert "I'm not sure yet" in page and items[0].question.text in page
    chosen = _answers(items, right={0})
    missing = dict(chosen)
    del missing[items[2].key]
    response = client.post("/lessons/check/start", data=missing)
    assert response.status_code == 400
    again = _text(response)
    assert "Choose an answer for every question" in again
    assert re.search(rf'value="{chosen[items[0].key]}" checked', again)
    response = client.post("/lessons/check/start", data=chosen)
    assert response.status_code == 302
    assert "You have done this check this year" in _text(client.get("/lessons/check/start"))
    assert client.get("/lessons/check/middle").status_code == 404


def test_the_teacher_sees_names_leaders_only_numbers_and_others_nothing(client, login_as, db):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=1, name="Kestrels")
    items = check_items(YearGroup.YEAR_5)
    checks.submit_check(setup.pupil.user, START, _answers(items, right={0}))
    db.session.commit()
    login_as(setup.teacher)
    page = _text(client.get(f"/lessons/classes/{setup.school_class.id}/check"))
    assert setup.pupil.last_name in page and "1 of 11 right" in page
    login_as(factories.make_user(Role.HEADTEACHER))
    page = _text(client.get("/lessons/check-results?year=5"))
    assert "100%" in page and setup.pupil.last_name not in page
    login_as(factories.make_user(Role.TEACHER))
    assert client.get(f"/lessons/classes/{setup.school_class.id}/check").status_code in (403, 404)
    login_as(setup.pupil.user)
    assert client.get("/lessons/check-results?year=5").status_code == 403


def test_check_answers_are_in_subject_access_and_erased_with_lesson_work(db):
    from esafety.lessons.records import lesson_work_of, subject_records
    from esafety.records.subject_access import DataSubject

    setup = make_class_setup(YearGroup.YEAR_5, pupils=1)
    items = check_items(YearGroup.YEAR_5)
    checks.submit_check(setup.pupil.user, START, _answers(items, right={0}))
    db.session.commit()
    records = subject_records(DataSubject.of(setup.pupil.user))
    assert len(records.sections["Year check answers"]) == len(items)
    record, counts = lesson_work_of(setup.pupil.id)
    assert counts["check_answers"] == len(items)
    assert any(table.name == "check_answer" and ids for table, ids in record.rows)
