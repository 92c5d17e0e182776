"""Lesson progress and year-check answers in subject-access exports and retention (kept a year
after a pupil leaves)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..personal_data import DataSubject, DueRecord, ErasableWork, Rule, SubjectRecords, row
from ..school.models import Pupil
from .models import CheckAnswer, LessonProgress, QuizAnswer


def subject_records(subject: DataSubject) -> SubjectRecords:
    records = SubjectRecords()
    if subject.pupil is None:
        return records
    pupil_id = subject.pupil.id
    records.sections["Lesson progress"] = [
        row(
            p,
            "lesson_id",
            "started_at",
            "sections_read",
            "questions_right",
            "needed_another_go",
            "self_assessment",
            "completed_at",
        )
        for p in db.session.scalars(
            select(LessonProgress)
            .where(LessonProgress.pupil_id == pupil_id)
            .order_by(LessonProgress.started_at)
        )
    ]
    records.sections["Quiz answers"] = [
        row(a, "lesson_id", "question", "answer", "correct", "answered_at")
        for a in db.session.scalars(
            select(QuizAnswer).where(QuizAnswer.pupil_id == pupil_id).order_by(QuizAnswer.id)
        )
    ]
    records.sections["Year check answers"] = [
        row(a, "school_year", "phase", "lesson_id", "question", "answer", "correct", "answered_at")
        for a in db.session.scalars(
            select(CheckAnswer).where(CheckAnswer.pupil_id == pupil_id).order_by(CheckAnswer.id)
        )
    ]
    return records


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    rule = schedule["lesson_progress"]
    leavers = db.session.execute(
        select(Pupil.id, Pupil.user_id, Pupil.left_on).where(
            Pupil.left_on.is_not(None), Pupil.left_on < rule.cutoff(on)
        )
    ).all()
    if not leavers:
        return []
    ids = [pupil_id for pupil_id, _, _ in leavers]
    progress = db.session.execute(
        select(LessonProgress.pupil_id, LessonProgress.id).where(LessonProgress.pupil_id.in_(ids))
    ).all()
    answers = db.session.execute(
        select(QuizAnswer.pupil_id, QuizAnswer.id).where(QuizAnswer.pupil_id.in_(ids))
    ).all()
    checked = db.session.execute(
        select(CheckAnswer.pupil_id, CheckAnswer.id).where(CheckAnswer.pupil_id.in_(ids))
    ).all()
    due = []
    for pupil_id, user_id, left_on in leavers:
        answer_ids = [i for p, i in answers if p == pupil_id]
        progress_ids = [i for p, i in progress if p == pupil_id]
        check_ids = [i for p, i in checked if p == pupil_id]
        if not answer_ids and not progress_ids and not check_ids:
            continue
        due.append(
            DueRecord(
                rule="lesson_progress",
                description=f"Lesson progress of pupil {pupil_id}",
                rows=[
                    (QuizAnswer.__table__, answer_ids),
                    (CheckAnswer.__table__, check_ids),
                    (LessonProgress.__table__, progress_ids),
                ],
                user_ids=frozenset({user_id}),
                expired_on=rule.expires(left_on),
            )
        )
    return due


def erasable_work(pupil: Pupil) -> ErasableWork:
    """A leaver's lesson progress and quiz answers, for erasure."""
    record, counts = lesson_work_of(pupil.id)
    return ErasableWork(records=[record], counts=counts)


def lesson_work_of(pupil_id: int) -> tuple[DueRecord, dict[str, int]]:
    """A pupil's lesson progress and quiz answers, to erase, with counts that stay."""
    progress = db.session.execute(
        select(LessonProgress.id, LessonProgress.completed_at).where(
            LessonProgress.pupil_id == pupil_id
        )
    ).all()
    answers = list(db.session.scalars(select(QuizAnswer.id).where(QuizAnswer.pupil_id == pupil_id)))
    checked = list(
        db.session.scalars(select(CheckAnswer.id).where(CheckAnswer.pupil_id == pupil_id))
    )
    counts = {
        "lessons_started": len(progress),
        "lessons_completed": sum(1 for _, completed in progress if completed is not None),
        "quiz_answers": len(answers),
        "check_answers": len(checked),
    }
    record = DueRecord(
        rule="erasure",
        description="Lesson progress, quiz answers and year-check answers",
        rows=[
            (QuizAnswer.__table__, answers),
            (CheckAnswer.__table__, checked),
            (LessonProgress.__table__, [i for i, _ in progress]),
        ],
    )
    return record, counts
