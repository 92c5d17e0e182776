"""Short courses with a scenario quiz: loaded from files, taken as often as needed, all kept.

Course files live in esafety/induction/courses/<slug>.yaml: a title, the policy they belong to,
a pass mark, key points in Markdown, and questions with one right answer each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from .. import audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..text import render_markdown
from .models import Course, Policy, QuizAttempt, QuizChoice, QuizQuestion
from .rules import DEFAULT_PASS_MARK, is_inductee

COURSE_DIR = Path(__file__).resolve().parent / "courses"


class CourseFileError(ValueError):
    """A course file is not in the expected shape; the message names the file and the problem."""


@dataclass(frozen=True)
class CourseFile:
    slug: str
    title: str
    policy_slug: str | None
    pass_mark: int
    intro: str
    questions: list[dict[str, Any]]


def read_course_file(path: Path) -> CourseFile:
    """Read and check one course file, so a mistake is caught before anyone takes the quiz."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    name = path.name
    if not isinstance(data, dict) or not data.get("title"):
        raise CourseFileError(f"{name}: needs a title")
    questions = data.get("questions") or []
    if not questions:
        raise CourseFileError(f"{name}: needs at least one question")
    for n, question in enumerate(questions, start=1):
        choices = question.get("choices") or []
        if not question.get("prompt") or len(choices) < 2:
            raise CourseFileError(f"{name}: question {n} needs a prompt and two or more choices")
        if sum(1 for c in choices if c.get("correct")) != 1:
            raise CourseFileError(f"{name}: question {n} needs exactly one correct choice")
    pass_mark = int(data.get("pass_mark", DEFAULT_PASS_MARK))
    if not 1 <= pass_mark <= 100:
        raise CourseFileError(f"{name}: pass_mark must be between 1 and 100")
    return CourseFile(
        slug=path.stem,
        title=str(data["title"]),
        policy_slug=data.get("policy"),
        pass_mark=pass_mark,
        intro=str(data.get("intro", "")),
        questions=questions,
    )


def course_files(directory: Path = COURSE_DIR) -> list[CourseFile]:
    return [read_course_file(path) for path in sorted(directory.glob("*.yaml"))]


def sync_course(source: CourseFile) -> Course:
    """Create or refresh a course from its file; past attempts keep their own copy of it."""
    policy_id = None
    if source.policy_slug:
        policy_id = db.session.scalar(select(Policy.id).where(Policy.slug == source.policy_slug))
    course = db.session.scalar(select(Course).where(Course.slug == source.slug))
    if course is None:
        course = Course(slug=source.slug, title=source.title)
        db.session.add(course)
    course.title = source.title
    course.policy_id = policy_id
    course.pass_mark = source.pass_mark
    course.intro_html = render_markdown(source.intro)
    wanted = [
        (
            q["prompt"].strip(),
            (q.get("explanation") or "").strip(),
            [(c["text"].strip(), bool(c.get("correct"))) for c in q["choices"]],
        )
        for q in source.questions
    ]
    current = [
        (q.prompt, q.explanation, [(c.text, c.is_correct) for c in q.choices])
        for q in course.questions
    ]
    if wanted != current:
        course.questions = [
            QuizQuestion(
                position=n,
                prompt=prompt,
                explanation=explanation,
                choices=[
                    QuizChoice(position=m, text=text, is_correct=correct)
                    for m, (text, correct) in enumerate(choices, start=1)
                ],
            )
            for n, (prompt, explanation, choices) in enumerate(wanted, start=1)
        ]
    db.session.flush()
    return course


def sync_all_courses(directory: Path = COURSE_DIR) -> list[Course]:
    return [sync_course(source) for source in course_files(directory)]


def course_by_id(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFoundError("We could not find that course.")
    return course


def courses_for_policy(policy_id: int) -> list[Course]:
    return list(
        db.session.scalars(select(Course).where(Course.policy_id == policy_id).order_by(Course.id))
    )


def all_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.title)))


# --- Taking the quiz ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkedAnswer:
    prompt: str
    chosen: str | None
    correct_answer: str
    is_correct: bool
    explanation: str


def submit_quiz(
    user: User, course: Course, answers: Mapping[int, int | None], *, at: datetime | None = None
) -> QuizAttempt:
    """Mark one attempt ({question id: choice id}); every attempt is kept and retakes are free."""
    if not is_inductee(user):
        raise NotFoundError("We could not find that course.")
    questions = course.questions
    missing = [q.position for q in questions if answers.get(q.id) is None]
    if missing:
        raise DomainError(
            "Please answer every question (question "
            + ", ".join(str(n) for n in missing)
            + (" is" if len(missing) == 1 else " are")
            + " still blank)."
        )
    marked: list[dict[str, Any]] = []
    right = 0
    for question in questions:
        chosen = next((c for c in question.choices if c.id == answers[question.id]), None)
        if chosen is None:
            raise DomainError(f"Question {question.position}: please choose one of the answers.")
        correct = next(c for c in question.choices if c.is_correct)
        right += chosen.is_correct
        marked.append(
            {
                "prompt": question.prompt,
                "chosen": chosen.text,
                "correct_answer": correct.text,
                "is_correct": chosen.is_correct,
                "explanation": question.explanation,
            }
        )
    score = round(100 * right / len(questions))
    attempt = QuizAttempt(
        user_id=user.id,
        course_id=course.id,
        score=score,
        passed=score >= course.pass_mark,
        answers=json.dumps(marked, ensure_ascii=False),
        submitted_at=at or utcnow(),
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(
        "induction.quiz_submitted",
        actor=user,
        target=attempt,
        course_id=course.id,
        score=score,
        passed=attempt.passed,
    )
    return attempt


def marked_answers(attempt: QuizAttempt) -> list[MarkedAnswer]:
    return [MarkedAnswer(**item) for item in json.loads(attempt.answers)]


def attempt_for(user: User, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFoundError("We could not find that attempt.")
    return attempt


def attempts_of(user: User, course: Course) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.course_id == course.id)
            .order_by(QuizAttempt.id)
        )
    )


def best_passing_score(user_id: int, course_ids: list[int]) -> int | None:
    if not course_ids:
        return None
    return db.session.scalar(
        select(func.max(QuizAttempt.score)).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.course_id.in_(course_ids),
            QuizAttempt.passed,
        )
    )


def has_passed(user_id: int, course_id: int) -> bool:
    return best_passing_score(user_id, [course_id]) is not None
