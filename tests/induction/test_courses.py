"""Short courses: the shipped files are sound, quizzes are marked fairly, retakes are kept."""

from __future__ import annotations

import json

import pytest

from esafety.errors import DomainError
from esafety.induction import courses
from esafety.induction.courses import CourseFileError, read_course_file
from tests.induction.helpers import answers, make_staff, standard_setup


def test_every_shipped_course_file_is_sound_and_belongs_to_a_shipped_policy():
    files = courses.course_files()
    assert {f.slug for f in files} == {"social-media", "acceptable-use", "code-of-conduct"}
    for source in files:
        assert source.pass_mark == 80
        assert len(source.questions) >= 5
        assert (courses.COURSE_DIR.parent / "policies").is_dir()


def test_the_social_media_quiz_asks_about_a_friend_request_from_a_parent():
    source = read_course_file(courses.COURSE_DIR / "social-media.yaml")
    assert any("parent sends you a friend request" in q["prompt"] for q in source.questions)


@pytest.mark.parametrize(
    "body, problem",
    [
        ("questions: []\n", "needs a title"),
        ("title: T\nquestions: []\n", "at least one question"),
        (
            "title: T\nquestions:\n  - prompt: P\n    choices:\n      - text: a\n      - text: b\n",
            "exactly one correct",
        ),
        (
            "title: T\npass_mark: 0\nquestions:\n  - prompt: P\n    choices:\n"
            "      - text: a\n        correct: true\n      - text: b\n",
            "pass_mark",
        ),
    ],
)
def test_a_broken_course_file_is_named_with_its_problem(tmp_path, body, problem):
    path = tmp_path / "broken.yaml"
    path.write_text(body)
    with pytest.raises(CourseFileError, match=problem):
        read_course_file(path)


def test_syncing_a_course_twice_changes_nothing():
    setup = standard_setup()
    question_ids = [q.id for q in setup.course.questions]
    source = courses.CourseFile(
        slug="social-media",
        title=setup.course.title,
        policy_slug="social-media",
        pass_mark=80,
        intro="Key points: **never** friend a parent.",
        questions=[
            {
                "prompt": q.prompt,
                "explanation": q.explanation,
                "choices": [{"text": c.text, "correct": c.is_correct} for c in q.choices],
            }
            for q in setup.course.questions
        ],
    )
    again = courses.sync_course(source)
    assert [q.id for q in again.questions] == question_ids
    assert again.policy_id == setup.version.policy_id


def test_a_score_below_the_pass_mark_fails_and_feedback_is_given_for_every_question():
    setup = standard_setup()
    teacher = make_staff()
    attempt = courses.submit_quiz(teacher, setup.course, answers(setup.course, 3))
    assert attempt.score == 60 and not attempt.passed
    marked = courses.marked_answers(attempt)
    assert [m.is_correct for m in marked] == [True, True, True, False, False]
    assert marked[4].chosen == "Accept it"
    assert marked[4].explanation == "Tell the headteacher."


def test_the_pass_mark_itself_passes_and_retakes_are_all_kept():
    setup = standard_setup()
    teacher = make_staff()
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 2))
    second = courses.submit_quiz(teacher, setup.course, answers(setup.course, 4))
    assert second.score == 80 and second.passed
    assert [a.score for a in courses.attempts_of(teacher, setup.course)] == [40, 80]
    assert courses.best_passing_score(teacher.id, [setup.course.id]) == 80


def test_every_question_must_be_answered():
    setup = standard_setup()
    teacher = make_staff()
    chosen = answers(setup.course, 5)
    chosen[setup.course.questions[1].id] = None
    with pytest.raises(DomainError, match="question 2 is still blank"):
        courses.submit_quiz(teacher, setup.course, chosen)


def test_an_answer_from_another_question_is_refused():
    setup = standard_setup()
    teacher = make_staff()
    chosen = answers(setup.course, 5)
    first, second = setup.course.questions[:2]
    chosen[first.id] = second.choices[0].id
    with pytest.raises(DomainError, match="Question 1"):
        courses.submit_quiz(teacher, setup.course, chosen)


def test_an_attempt_keeps_the_wording_it_was_taken_with():
    setup = standard_setup()
    teacher = make_staff()
    attempt = courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    setup.course.questions[0].prompt = "Reworded later"
    saved = json.loads(attempt.answers)
    assert saved[0]["prompt"].startswith("Question 1: a parent sends you a friend request")
