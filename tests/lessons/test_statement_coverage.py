"""Coverage by framework statement: a teacher sees their class's statements with the lessons that
teach them and how the class is doing; leaders see every year group as numbers; others get 403;
and the pages cost the same number of queries for one pupil or many."""

from __future__ import annotations

import re

import pytest

from esafety.auth.roles import Role
from esafety.lessons import services
from esafety.lessons.catalogue import get_catalogue
from esafety.lessons.knowledge import Knowledge
from esafety.lessons.models import SelfAssessment
from esafety.lessons.statement_coverage import (
    class_statement_coverage,
    school_statement_coverage,
)
from esafety.school.models import YearGroup
from tests import factories
from tests.lessons.conftest import make_class_setup, wrong_answer

#: Year 5's chatbot lesson is the one lesson of the year that teaches MI.7-11.7 (bots).
AI_LESSON = "y5-online-relationships-2"
BOTS = "MI.7-11.7"


def _finish(pupil, lesson, *, first_wrong: bool = False) -> None:
    for n, question in enumerate(lesson.quiz):
        if first_wrong and n == 0:
            services.answer_question(pupil.user, lesson.id, 0, wrong_answer(lesson, 0))
        services.answer_question(pupil.user, lesson.id, n, question.correct_index)
    services.record_self_assessment(pupil.user, lesson.id, SelfAssessment.I_CAN)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _row(page: str, ref: str) -> str:
    match = re.search(rf'<tr id="{re.escape(ref)}"[^>]*>(.*?)</tr>', page)
    assert match, f"no row for {ref}"
    return match.group(1)


def test_a_statement_shows_as_covered_once_a_pupil_finishes_a_lesson_that_teaches_it(
    client, login_as, db
):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=2, name="Kestrels")
    lesson = get_catalogue().get(AI_LESSON)
    assert BOTS in lesson.framework
    url = f"/lessons/classes/{setup.school_class.id}/statements"
    login_as(setup.teacher)

    before = _row(_text(client.get(url)), BOTS)
    assert "Not yet covered" in before and "0 of 2 finished" in before

    _finish(setup.pupils[0], lesson, first_wrong=True)
    db.session.commit()
    page = _text(client.get(url))
    row = _row(page, BOTS)
    assert "Covered" in row and "1 of 2 pupils" in row
    assert f'/lessons/{lesson.id}"' in row and "1 of 2 finished" in row
    # Every statement of the year is listed, in the framework's order, with our wording.
    report = class_statement_coverage(setup.teacher, setup.school_class.id)
    refs = [r.statement.ref for r in report.year.rows]
    assert BOTS in refs and all(r.lessons for r in report.year.rows)
    bots = next(r for r in report.year.rows if r.statement.ref == BOTS)
    assert bots.covered == 1 and bots.judged == 1
    assert bots.states[Knowledge.MISCONCEPTION] + bots.states[Knowledge.EMERGING] == 1
    assert "Framework statements" in _text(
        client.get(f"/lessons/classes/{setup.school_class.id}/knowledge")
    )


def test_leaders_see_every_year_group_as_numbers_without_names(client, login_as, db):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=3, name="Kestrels")
    lesson = get_catalogue().get(AI_LESSON)
    for pupil in setup.pupils[:2]:
        _finish(pupil, lesson)
    db.session.commit()

    years = school_statement_coverage()
    assert set(years) == set(YearGroup)
    bots = next(r for r in years[YearGroup.YEAR_5].rows if r.statement.ref == BOTS)
    assert bots.covered == 2 and bots.states[Knowledge.SECURE] == 2
    assert years[YearGroup.YEAR_5].covered_statements >= 3

    login_as(factories.make_user(Role.HEADTEACHER))
    page = _text(client.get("/lessons/statements?year=5"))
    assert "2 of 3 pupils" in _row(page, BOTS)
    assert all(p.last_name not in page for p in setup.pupils)
    assert client.get("/lessons/statements?year=banana").status_code == 200
    assert "/lessons/statements" in _text(client.get("/lessons/coverage"))


@pytest.mark.parametrize("who", ["other teacher", "pupil", "parent"])
def test_a_teacher_sees_only_their_own_class_and_pupils_and_parents_are_refused(
    client, login_as, db, who
):
    setup = make_class_setup(YearGroup.YEAR_3, pupils=1, name="Wrens")
    if who == "other teacher":
        user = factories.make_user(Role.TEACHER)
    elif who == "pupil":
        user = setup.pupil.user
    else:
        user = factories.make_user(Role.PARENT)
    db.session.commit()
    login_as(user)
    class_page = client.get(f"/lessons/classes/{setup.school_class.id}/statements")
    expected = (403, 404) if who == "other teacher" else (403,)
    assert class_page.status_code in expected
    assert client.get("/lessons/statements").status_code == 403


def test_the_pages_cost_the_same_queries_for_one_pupil_or_many(client, login_as, count_queries, db):
    small = make_class_setup(YearGroup.YEAR_5, pupils=1, name="Kestrels")
    large = make_class_setup(YearGroup.YEAR_5, pupils=6, name="Merlins")
    head = factories.make_user(Role.HEADTEACHER)
    db.session.commit()
    lesson = get_catalogue().get(AI_LESSON)
    for pupil in large.pupils:
        _finish(pupil, lesson, first_wrong=True)
    db.session.commit()

    def measure(user, url: str) -> int:
        login_as(user)
        assert client.get(url).status_code == 200
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    one = measure(small.teacher, f"/lessons/classes/{small.school_class.id}/statements")
    many = measure(large.teacher, f"/lessons/classes/{large.school_class.id}/statements")
    assert one == many
    before = measure(head, "/lessons/statements?year=5")
    for pupil in small.pupils:
        _finish(pupil, lesson)
    db.session.commit()
    assert measure(head, "/lessons/statements?year=5") == before
