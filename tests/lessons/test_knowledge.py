"""Knowledge maps: each statement judged from first tries and the "I can" face, for scripted
answer sequences; the class grid for its staff only; counts without names for leaders."""

from __future__ import annotations

import re

import pytest

from esafety.auth.roles import Role
from esafety.lessons import services
from esafety.lessons.catalogue import get_catalogue
from esafety.lessons.knowledge import (
    Knowledge,
    class_knowledge,
    judge,
    school_knowledge,
    statements_of,
)
from esafety.lessons.models import SelfAssessment
from esafety.school.models import YearGroup
from tests import factories
from tests.lessons.conftest import make_class_setup

AI_LESSON = "y5-online-relationships-2"


@pytest.fixture
def lesson():
    return get_catalogue().get(AI_LESSON)


def _right(lesson, n: int) -> int:
    return lesson.quiz[n].correct_index


def _wrong(lesson, n: int, *, tagged: bool) -> int:
    return next(
        i
        for i, a in enumerate(lesson.quiz[n].answers)
        if not a.correct and bool(a.misconception) == tagged
    )


def test_the_ai_lesson_has_a_statement_per_objective_each_checked_by_its_own_questions(lesson):
    statements = statements_of(lesson)
    assert [s.questions for s in statements] == [[0, 3], [1, 4], [2]]
    assert statements[0].text.startswith("I can explain that a chatbot is a computer program")


@pytest.mark.parametrize(
    ("script", "rating", "expected"),
    [
        ("all right", SelfAssessment.I_CAN, [Knowledge.SECURE] * 3),
        ("all right", SelfAssessment.GETTING_THERE, [Knowledge.DEVELOPING] * 3),
        ("all right", SelfAssessment.NOT_YET, [Knowledge.UNSURE] * 3),
        ("all right", None, [Knowledge.DEVELOPING] * 3),
        (
            "bot is a person first",
            SelfAssessment.I_CAN,
            [Knowledge.MISCONCEPTION, Knowledge.SECURE, Knowledge.SECURE],
        ),
        ("untagged slip", SelfAssessment.I_CAN, [Knowledge.DEVELOPING, None, None]),
        ("one untagged slip only", SelfAssessment.I_CAN, [Knowledge.EMERGING, None, None]),
    ],
)
def test_scripted_first_tries_give_each_state(lesson, script, rating, expected):
    statements = statements_of(lesson)
    if script == "all right":
        firsts = {n: _right(lesson, n) for n in range(len(lesson.quiz))}
    elif script == "bot is a person first":
        firsts = {n: _right(lesson, n) for n in range(len(lesson.quiz))}
        firsts[0] = _wrong(lesson, 0, tagged=True)
    elif script == "untagged slip":
        firsts = {0: _right(lesson, 0), 3: _wrong(lesson, 3, tagged=False)}
    else:
        firsts = {3: _wrong(lesson, 3, tagged=False)}
    got = [judge(s, firsts, rating) for s in statements]
    assert [j.state if j else None for j in got] == expected
    if script == "bot is a person first":
        assert got[0].misconceptions == ("thinks a friendly chatbot is a person",)
        assert (got[0].right_first_time, got[0].questions) == (1, 2)


def test_the_class_grid_uses_the_first_try_not_the_last(db):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=2, name="Kestrels")
    lesson = get_catalogue().get(AI_LESSON)
    confused, sure = setup.pupils
    for n, question in enumerate(lesson.quiz):
        if n == 0:
            services.answer_question(confused.user, lesson.id, 0, _wrong(lesson, 0, tagged=True))
        services.answer_question(confused.user, lesson.id, n, question.correct_index)
        services.answer_question(sure.user, lesson.id, n, question.correct_index)
    services.record_self_assessment(confused.user, lesson.id, SelfAssessment.I_CAN)
    services.record_self_assessment(sure.user, lesson.id, SelfAssessment.I_CAN)
    db.session.commit()

    grid = class_knowledge(setup.teacher, setup.school_class.id, lesson.id)
    first = grid.statements[0]
    assert grid.cell(confused, first).state is Knowledge.MISCONCEPTION
    assert grid.cell(sure, first).state is Knowledge.SECURE
    assert grid.counts(first) == {Knowledge.MISCONCEPTION: 1, Knowledge.SECURE: 1}
    assert grid.misconceptions(first) == [("thinks a friendly chatbot is a person", 1)]
    # Both finished the lesson: completion alone would not have told them apart.
    assert services.completed_lesson_ids(confused.id) == {lesson.id}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_teacher_sees_the_map_and_others_do_not(client, login_as, db):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=1, name="Kestrels")
    lesson = get_catalogue().get(AI_LESSON)
    pupil = setup.pupil
    services.answer_question(pupil.user, lesson.id, 0, _wrong(lesson, 0, tagged=True))
    db.session.commit()
    url = f"/lessons/classes/{setup.school_class.id}/knowledge?lesson={lesson.id}"

    login_as(setup.teacher)
    page = _text(client.get(url))
    assert f"{pupil.first_name} {pupil.last_name}" in page
    assert "Misconception" in page and "thinks a friendly chatbot is a person" in page
    assert (
        client.get(f"/lessons/classes/{setup.school_class.id}/knowledge?lesson=nope").status_code
        == 200
    )

    other = factories.make_user(Role.TEACHER)
    db.session.commit()
    login_as(other)
    assert client.get(url).status_code in (403, 404)
    login_as(pupil.user)
    assert client.get(url).status_code == 403


def test_leaders_see_counts_per_statement_without_names(client, login_as, db):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=3, name="Kestrels")
    lesson = get_catalogue().get(AI_LESSON)
    for pupil in setup.pupils[:2]:
        services.answer_question(pupil.user, lesson.id, 0, _wrong(lesson, 0, tagged=True))
    db.session.commit()

    report = school_knowledge(YearGroup.YEAR_5)
    assert report.pupils == 3
    row = next(r for r in report.rows if r.statement.key == f"{AI_LESSON}#1")
    assert row.counts[Knowledge.MISCONCEPTION] == 2 and row.judged == 2
    assert row.misconceptions["thinks a friendly chatbot is a person"] == 2

    head = factories.make_user(Role.HEADTEACHER)
    db.session.commit()
    login_as(head)
    page = _text(client.get("/lessons/knowledge?year=5"))
    assert "thinks a friendly chatbot is a person (2)" in page
    assert all(p.last_name not in page for p in setup.pupils)
    assert client.get("/lessons/knowledge?year=banana").status_code == 200
    login_as(setup.teacher)
    assert client.get("/lessons/knowledge?year=5").status_code == 403


def test_the_lesson_preview_names_what_each_wrong_answer_shows(client, login_as, db):
    setup = make_class_setup(YearGroup.YEAR_5, pupils=1)
    login_as(setup.teacher)
    page = _text(client.get(f"/lessons/{AI_LESSON}"))
    assert "Chosen first, it shows: <em>thinks a friendly chatbot is a person</em>" in page
    assert "Checks: “I can explain that a chatbot is a computer program" in page
