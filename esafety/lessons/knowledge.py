"""Knowledge maps: what each pupil understands, per "I can" statement, from their first tries.

A lesson counts as finished once every answer is eventually right, which says little about
understanding. Here each statement is judged by the first answer a pupil chose to each question
that checks it, and by their own "I can" face: secure, developing, emerging, unsure, or a named
misconception when the first choice was a wrong option tagged with the mistaken idea it shows.
Nothing new is stored: the first tries are the quiz_answer rows already saved.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass, YearGroup
from .catalogue import Lesson, get_catalogue
from .models import LessonProgress, QuizAnswer, SelfAssessment
from .services import class_for_teaching


class Knowledge(enum.StrEnum):
    """Where a pupil is with one statement, in the order a teacher acts on them."""

    MISCONCEPTION = "misconception"
    EMERGING = "emerging"
    UNSURE = "unsure"
    DEVELOPING = "developing"
    SECURE = "secure"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def meaning(self) -> str:
        return {
            "secure": "Right first time on every question, and said “I can”",
            "developing": "Right first time on at least half the questions",
            "emerging": "Right first time on fewer than half the questions",
            "unsure": "Mostly right, but said “not yet” and asked for help",
            "misconception": "First chose an answer that shows a particular mistaken idea",
        }[self.value]


@dataclass(frozen=True)
class LessonPart:
    """One numbered part of a lesson: an "I can" statement or a quiz question."""

    lesson: Lesson
    #: Its place in the lesson's objectives or quiz, from 0.
    number: int


@dataclass(frozen=True)
class Statement(LessonPart):
    """One "I can" statement of one lesson, with the questions that check it."""

    @property
    def key(self) -> str:
        return f"{self.lesson.id}#{self.number + 1}"

    @property
    def text(self) -> str:
        return self.lesson.objectives[self.number]

    @property
    def questions(self) -> list[int]:
        return [n for n, q in enumerate(self.lesson.quiz) if q.checks(self.number)]


class Judgeable(Protocol):
    """Anything judged from a lesson's questions: an "I can" statement or a framework one."""

    @property
    def lesson(self) -> Lesson: ...

    @property
    def questions(self) -> list[int]: ...


def statements_of(lesson: Lesson) -> list[Statement]:
    """A lesson's statements that at least one question checks (the others cannot be judged)."""
    found = [Statement(lesson, n) for n in range(len(lesson.objectives))]
    return [s for s in found if s.questions]


@dataclass(frozen=True)
class Judgement:
    state: Knowledge
    #: The mistaken ideas shown by wrong first choices, in question order.
    misconceptions: tuple[str, ...] = ()
    right_first_time: int = 0
    questions: int = 0


def judge(
    statement: Judgeable, first_tries: dict[int, int], rating: SelfAssessment | None
) -> Judgement | None:
    """Judge one statement from the first answer chosen to each question; None if none tried.

    first_tries maps a question's place in the quiz to the answer first chosen (file order).
    """
    asked = statement.questions
    tried = [n for n in asked if n in first_tries]
    if not tried:
        return None
    quiz = statement.lesson.quiz
    right = sum(1 for n in tried if quiz[n].answers[first_tries[n]].correct)
    shown = tuple(
        mistake
        for n in tried
        if (mistake := quiz[n].answers[first_tries[n]].misconception)
        and not quiz[n].answers[first_tries[n]].correct
    )
    if shown:
        state = Knowledge.MISCONCEPTION
    elif right == len(asked) and rating is SelfAssessment.I_CAN:
        state = Knowledge.SECURE
    elif right * 2 < len(asked):
        state = Knowledge.EMERGING
    elif rating is SelfAssessment.NOT_YET:
        state = Knowledge.UNSURE
    else:
        state = Knowledge.DEVELOPING
    return Judgement(state, shown, right, len(asked))


def first_tries_for(
    pupil_ids: list[int], lesson_ids: list[str]
) -> dict[tuple[int, str], dict[int, int]]:
    """The first answer each pupil chose to each question of these lessons: one query."""
    found: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    if not pupil_ids or not lesson_ids:
        return found
    rows = db.session.execute(
        select(QuizAnswer.pupil_id, QuizAnswer.lesson_id, QuizAnswer.question, QuizAnswer.answer)
        .where(QuizAnswer.pupil_id.in_(pupil_ids), QuizAnswer.lesson_id.in_(lesson_ids))
        .order_by(QuizAnswer.id)
    )
    for pupil_id, lesson_id, question, answer in rows:
        found[(pupil_id, lesson_id)].setdefault(question, answer)
    return found


def ratings_for(
    pupil_ids: list[int], lesson_ids: list[str]
) -> dict[tuple[int, str], SelfAssessment | None]:
    if not pupil_ids or not lesson_ids:
        return {}
    return {
        (pupil_id, lesson_id): rating
        for pupil_id, lesson_id, rating in db.session.execute(
            select(
                LessonProgress.pupil_id, LessonProgress.lesson_id, LessonProgress.self_assessment
            ).where(
                LessonProgress.pupil_id.in_(pupil_ids), LessonProgress.lesson_id.in_(lesson_ids)
            )
        )
    }


def _judge_all(
    pupil_ids: list[int], lessons: list[Lesson]
) -> dict[tuple[int, str], Judgement | None]:
    ids = [lesson.id for lesson in lessons]
    tries = first_tries_for(pupil_ids, ids)
    ratings = ratings_for(pupil_ids, ids)
    return {
        (pupil_id, statement.key): judge(
            statement,
            tries.get((pupil_id, lesson.id), {}),
            ratings.get((pupil_id, lesson.id)),
        )
        for pupil_id in pupil_ids
        for lesson in lessons
        for statement in statements_of(lesson)
    }


# --- A teacher's class ------------------------------------------------------------------------


@dataclass
class ClassKnowledge:
    school_class: SchoolClass
    pupils: list[Pupil]
    lesson: Lesson
    #: The lessons the teacher can choose between (this year's and earlier years' set ones).
    choices: list[Lesson]
    statements: list[Statement]
    cells: dict[tuple[int, str], Judgement | None]

    def cell(self, pupil: Pupil, statement: Statement) -> Judgement | None:
        return self.cells[(pupil.id, statement.key)]

    def counts(self, statement: Statement) -> Counter[Knowledge]:
        return Counter(j.state for p in self.pupils if (j := self.cell(p, statement)) is not None)

    def misconceptions(self, statement: Statement) -> list[tuple[str, int]]:
        """Each mistaken idea shown for this statement, and how many pupils showed it."""
        seen: Counter[str] = Counter()
        for pupil in self.pupils:
            judgement = self.cell(pupil, statement)
            if judgement is not None:
                seen.update(set(judgement.misconceptions))
        return seen.most_common()


def class_knowledge(actor: User, class_id: int, lesson_id: str | None) -> ClassKnowledge:
    """The class × statement grid for one lesson, for the class's staff (three queries)."""
    school_class = class_for_teaching(actor, class_id)
    catalogue = get_catalogue()
    choices = [
        lesson for lesson in catalogue.up_to(school_class.year_group) if statements_of(lesson)
    ]
    choices.sort(key=lambda lesson: (-int(lesson.year_group), lesson.sort_key()))
    lesson = catalogue.get(lesson_id) if lesson_id else None
    if lesson is None or lesson not in choices:
        lesson = choices[0]
    pupils = school.pupils_in_class(class_id)
    cells = _judge_all([p.id for p in pupils], [lesson])
    return ClassKnowledge(school_class, pupils, lesson, choices, statements_of(lesson), cells)


# --- Leaders: counts, never names ---------------------------------------------------------------


@dataclass
class StatementCounts:
    statement: Statement
    counts: Counter[Knowledge] = field(default_factory=Counter)
    misconceptions: Counter[str] = field(default_factory=Counter)

    @property
    def judged(self) -> int:
        return sum(self.counts.values())


@dataclass
class SchoolKnowledge:
    year_group: YearGroup
    pupils: int
    rows: list[StatementCounts]


def school_knowledge(year_group: YearGroup) -> SchoolKnowledge:
    """For leaders: how many current pupils in a year group are at each state, per statement."""
    pupil_ids = list(
        db.session.scalars(
            select(Pupil.id)
            .join(SchoolClass, SchoolClass.id == Pupil.class_id)
            .where(
                Pupil.left_on.is_(None),
                SchoolClass.archived.is_(False),
                SchoolClass.year_group == year_group,
            )
        )
    )
    lessons = [lesson for lesson in get_catalogue().for_year(year_group) if statements_of(lesson)]
    cells = _judge_all(pupil_ids, lessons)
    rows = []
    for lesson in lessons:
        for statement in statements_of(lesson):
            row = StatementCounts(statement)
            for pupil_id in pupil_ids:
                judgement = cells[(pupil_id, statement.key)]
                if judgement is not None:
                    row.counts[judgement.state] += 1
                    row.misconceptions.update(set(judgement.misconceptions))
            rows.append(row)
    return SchoolKnowledge(year_group, len(pupil_ids), rows)
