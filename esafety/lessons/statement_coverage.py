"""Coverage by framework statement: for each "Education for a Connected World" statement a year
group is taught, the lessons that teach it and how pupils are doing, from data already stored.

A statement counts as covered for a pupil once they have finished a lesson of their year that
teaches it. Understanding comes from the knowledge map's judgement of the questions that check
the statement (first tries and the pupil's own "I can"); where several lessons teach it, the
weakest state is the one shown, as that is the one a teacher acts on. The data take three
queries, however many pupils or lessons: the pupils, their progress rows and their first tries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass, YearGroup
from .catalogue import Lesson, get_catalogue
from .framework import FrameworkStatement, get_framework
from .knowledge import Judgement, Knowledge, first_tries_for, judge
from .models import LessonProgress, SelfAssessment
from .services import class_for_teaching

#: Knowledge states from the one a teacher acts on first (a misconception) to secure.
WEAKEST_FIRST = list(Knowledge)


@dataclass(frozen=True)
class StatementInLesson:
    """The questions of one lesson that check one framework statement (judged like a statement)."""

    lesson: Lesson
    reference: str

    @property
    def questions(self) -> list[int]:
        return self.lesson.questions_checking(self.reference)


@dataclass
class LessonRow:
    lesson: Lesson
    #: How many of the pupils have finished the lesson.
    completed: int = 0
    #: Knowledge states for the questions of this lesson that check the statement.
    states: Counter[Knowledge] = field(default_factory=Counter)
    questions: int = 0


@dataclass
class StatementRow:
    statement: FrameworkStatement
    lessons: list[LessonRow]
    #: Pupils who have finished at least one lesson that teaches it.
    covered: int = 0
    #: Each judged pupil's weakest state across those lessons.
    states: Counter[Knowledge] = field(default_factory=Counter)
    misconceptions: Counter[str] = field(default_factory=Counter)

    @property
    def judged(self) -> int:
        return sum(self.states.values())


@dataclass
class YearCoverage:
    year_group: YearGroup
    pupils: int
    rows: list[StatementRow]

    @property
    def statements(self) -> int:
        return len(self.rows)

    @property
    def covered_statements(self) -> int:
        """Statements at least one pupil has covered."""
        return sum(1 for row in self.rows if row.covered)

    @property
    def fully_covered(self) -> int:
        """Statements every pupil has covered."""
        return sum(1 for row in self.rows if self.pupils and row.covered == self.pupils)


@dataclass
class ClassStatementCoverage:
    school_class: SchoolClass
    year: YearCoverage


def _progress(
    pupil_ids: list[int], lesson_ids: list[str]
) -> tuple[set[tuple[int, str]], dict[tuple[int, str], SelfAssessment | None]]:
    """Finished lessons and "I can" ratings for these pupils and lessons: one query."""
    finished: set[tuple[int, str]] = set()
    ratings: dict[tuple[int, str], SelfAssessment | None] = {}
    if not pupil_ids or not lesson_ids:
        return finished, ratings
    for pupil_id, lesson_id, rating, completed_at in db.session.execute(
        select(
            LessonProgress.pupil_id,
            LessonProgress.lesson_id,
            LessonProgress.self_assessment,
            LessonProgress.completed_at,
        ).where(LessonProgress.pupil_id.in_(pupil_ids), LessonProgress.lesson_id.in_(lesson_ids))
    ):
        ratings[(pupil_id, lesson_id)] = rating
        if completed_at is not None:
            finished.add((pupil_id, lesson_id))
    return finished, ratings


@dataclass
class _Stored:
    """What is already stored for a set of pupils: finished lessons, ratings, first tries."""

    finished: set[tuple[int, str]]
    ratings: dict[tuple[int, str], SelfAssessment | None]
    tries: dict[tuple[int, str], dict[int, int]]


def _stored(pupil_ids: list[int], lessons: list[Lesson]) -> _Stored:
    ids = [lesson.id for lesson in lessons]
    finished, ratings = _progress(pupil_ids, ids)
    return _Stored(finished, ratings, first_tries_for(pupil_ids, ids))


def _year_coverage(year_group: YearGroup, pupil_ids: list[int], stored: _Stored) -> YearCoverage:
    lessons = get_catalogue().for_year(year_group)
    statements = get_framework().for_year(year_group)
    finished, ratings, tries = stored.finished, stored.ratings, stored.tries
    rows = []
    for statement in statements:
        teaching = [lesson for lesson in lessons if statement.ref in lesson.framework]
        row = StatementRow(statement, [LessonRow(lesson) for lesson in teaching])
        for pupil_id in pupil_ids:
            weakest: Judgement | None = None
            for lesson_row in row.lessons:
                lesson = lesson_row.lesson
                checked = StatementInLesson(lesson, statement.ref)
                lesson_row.questions = len(checked.questions)
                if (pupil_id, lesson.id) in finished:
                    lesson_row.completed += 1
                judgement = (
                    judge(
                        checked,
                        tries.get((pupil_id, lesson.id), {}),
                        ratings.get((pupil_id, lesson.id)),
                    )
                    if checked.questions
                    else None
                )
                if judgement is None:
                    continue
                lesson_row.states[judgement.state] += 1
                row.misconceptions.update(set(judgement.misconceptions))
                if weakest is None or WEAKEST_FIRST.index(judgement.state) < WEAKEST_FIRST.index(
                    weakest.state
                ):
                    weakest = judgement
            if any((pupil_id, lr.lesson.id) in finished for lr in row.lessons):
                row.covered += 1
            if weakest is not None:
                row.states[weakest.state] += 1
        rows.append(row)
    return YearCoverage(year_group, len(pupil_ids), rows)


def class_statement_coverage(actor: User, class_id: int) -> ClassStatementCoverage:
    """For the class's staff: each statement of the class's year, its lessons and the class."""
    school_class = class_for_teaching(actor, class_id)
    pupil_ids = [pupil.id for pupil in school.pupils_in_class(class_id)]
    year = school_class.year_group
    stored = _stored(pupil_ids, get_catalogue().for_year(year))
    return ClassStatementCoverage(school_class, _year_coverage(year, pupil_ids, stored))


def school_statement_coverage() -> dict[YearGroup, YearCoverage]:
    """For leaders: the same for every year group of current pupils, as numbers only."""
    by_year: dict[YearGroup, list[int]] = {year: [] for year in YearGroup}
    for pupil_id, year_group in db.session.execute(
        select(Pupil.id, SchoolClass.year_group)
        .join(SchoolClass, SchoolClass.id == Pupil.class_id)
        .where(Pupil.left_on.is_(None), SchoolClass.archived.is_(False))
    ):
        by_year[year_group].append(pupil_id)
    everyone = [pupil_id for ids in by_year.values() for pupil_id in ids]
    stored = _stored(everyone, list(get_catalogue()))
    return {year: _year_coverage(year, ids, stored) for year, ids in by_year.items()}
