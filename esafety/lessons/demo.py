"""Demo data for lessons: a few lessons set for every class, and pupils part-way through them.

Some pupils finish easily, one needs another go, one says "not yet", one has only started,
so a teacher's progress page shows something real. Safe to run twice: nothing already there
is touched.
"""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from ..auth.roles import Role
from ..clock import today
from ..extensions import db
from ..school.demo import DemoSchool
from ..school.models import Pupil, SchoolClass
from ..school.services import teachers_of
from . import services
from .catalogue import CatalogueError, Lesson, Strand, get_catalogue
from .models import LessonAssignment, LessonProgress, SelfAssessment
from .reports import term_containing

#: How each demo pupil (by place in the class) gets on with the first set lesson.
#: (questions answered wrong first, how they feel, finish?)
FIRST_LESSON_PLAN = [
    (0, SelfAssessment.I_CAN, True),
    (0, SelfAssessment.I_CAN, True),
    (0, SelfAssessment.GETTING_THERE, True),
    (1, SelfAssessment.I_CAN, True),
    (1, SelfAssessment.GETTING_THERE, True),
    (2, SelfAssessment.NOT_YET, True),
    (1, None, False),
    None,
]
SECOND_LESSON_PLAN = [
    (0, SelfAssessment.I_CAN, True),
    (1, SelfAssessment.I_CAN, True),
    None,
    None,
    (0, None, False),
    (3, SelfAssessment.NOT_YET, True),
    None,
    None,
]


def _setter(school: DemoSchool, school_class: SchoolClass):
    teachers = [t for t in teachers_of(school_class.id) if t.has_role(Role.TEACHER)]
    return teachers[0] if teachers else school.staff["computing"]


def _lessons_for(school_class: SchoolClass) -> list[Lesson]:
    """Three lessons of the class's own year, in strands that differ from class to class."""
    year_lessons = get_catalogue().for_year(school_class.year_group)
    strands = list(Strand)
    start = int(school_class.year_group) % len(strands)
    chosen: list[Lesson] = []
    for step in range(len(strands)):
        strand = strands[(start + step) % len(strands)]
        chosen += [lesson for lesson in year_lessons if lesson.strand == strand][:1]
        if len(chosen) == 3:
            break
    return chosen


def _work_through(pupil: Pupil, lesson: Lesson, plan) -> None:
    """Do what a pupil would: read, answer (some wrong first), then pick a face."""
    wrong_first, feeling, finish = plan
    actor = pupil.user
    for section in ("learn", "activity", "worries"):
        services.mark_section_read(actor, lesson.id, section)
    questions = range(len(lesson.quiz)) if finish else range(1)
    for number in questions:
        question = lesson.quiz[number]
        if number < wrong_first:
            wrong = next(i for i, a in enumerate(question.answers) if not a.correct)
            services.answer_question(actor, lesson.id, number, wrong)
        services.answer_question(actor, lesson.id, number, question.correct_index)
    if feeling is not None:
        services.record_self_assessment(actor, lesson.id, feeling)


def seed(school: DemoSchool) -> None:
    try:
        get_catalogue()
    except CatalogueError as error:
        click.echo(
            f"Demo lessons skipped: the lesson files have {len(error.problems)} problem(s). "
            "Run `flask --app esafety lessons check` to see them.",
            err=True,
        )
        return
    day = today()
    opens_on = max(term_containing(day).starts_on, day - timedelta(days=10))
    for year_group, school_class in school.classes.items():
        lessons = _lessons_for(school_class)
        if not lessons:
            continue
        setter = _setter(school, school_class)
        for n, lesson in enumerate(lessons):
            exists = db.session.scalar(
                select(LessonAssignment.id).where(
                    LessonAssignment.class_id == school_class.id,
                    LessonAssignment.lesson_id == lesson.id,
                )
            )
            if exists is None:
                services.assign_lessons(
                    setter,
                    school_class.id,
                    lesson_id=lesson.id,
                    opens_on=opens_on,
                    due_on=day + timedelta(days=7 * (n + 1)),
                )
        for plan_list, lesson in zip(
            (FIRST_LESSON_PLAN, SECOND_LESSON_PLAN), lessons, strict=False
        ):
            for pupil, plan in zip(school.pupils[year_group], plan_list, strict=False):
                if plan is None:
                    continue
                started = db.session.scalar(
                    select(LessonProgress.id).where(
                        LessonProgress.pupil_id == pupil.id, LessonProgress.lesson_id == lesson.id
                    )
                )
                if started is None:
                    _work_through(pupil, lesson, plan)
    db.session.flush()
