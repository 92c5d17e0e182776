"""The demo school gets lessons set for every class and pupils part-way through; twice is once."""

from __future__ import annotations

from sqlalchemy import func, select

from esafety.extensions import db
from esafety.lessons import demo, reports
from esafety.lessons.models import LessonAssignment, LessonProgress, QuizAnswer
from esafety.school import demo as school_demo
from esafety.school.models import YearGroup


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (LessonAssignment, LessonProgress, QuizAnswer)
    )


def test_the_demo_gives_every_class_lessons_and_some_pupils_who_need_help(db):
    school = school_demo.build()
    demo.seed(school)
    db.session.commit()
    first = _counts()
    assert first[0] == 3 * len(YearGroup)

    again = school_demo.build()
    demo.seed(again)
    db.session.commit()
    assert _counts() == first

    year3 = school.classes[YearGroup.YEAR_3]
    teacher = next(t for t in school.staff.values() if t.email.startswith("year3@"))
    report = reports.class_progress(teacher, year3.id)
    first_lesson = demo._lessons_for(year3)[0]
    statuses = {report.cell(p, first_lesson).status for p in report.pupils}
    assert statuses == {"done", "started", "not_started"}
    assert report.struggling
