"""The start- and end-of-year knowledge check: the same short set of questions twice a year.

Completion says little about learning; asking the same questions before the year's lessons and
after them shows, per statement, what changed. One question per lesson of the pupil's year (its
first), one try each, no feedback, and "I'm not sure yet" is a fair answer, so guessing is not
rewarded. Teachers see their class's change per statement; leaders see the numbers only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..clock import today
from ..errors import DomainError
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass, YearGroup
from .catalogue import Question, get_catalogue
from .knowledge import LessonPart, Statement, statements_of
from .models import CheckAnswer, CheckPhase
from .services import class_for_teaching, option_order, pupil_in_class

#: The answer saved for "I'm not sure yet".
NOT_SURE = -1


def school_year_of(day: date) -> int:
    """The calendar year a school year starts in: September to August."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass(frozen=True)
class CheckItem(LessonPart):
    """One question of the check: the first question of one lesson of the year."""

    @property
    def key(self) -> str:
        return f"{self.lesson.id}:{self.number}"

    @property
    def question(self) -> Question:
        return self.lesson.quiz[self.number]

    @property
    def statements(self) -> list[Statement]:
        return [s for s in statements_of(self.lesson) if self.number in s.questions]


def check_items(year_group: YearGroup) -> list[CheckItem]:
    return [CheckItem(lesson, 0) for lesson in get_catalogue().for_year(year_group) if lesson.quiz]


# --- A pupil doing the check ------------------------------------------------------------------


@dataclass
class PupilCheck:
    pupil: Pupil
    phase: CheckPhase
    school_year: int
    items: list[CheckItem]
    done: bool

    @property
    def open(self) -> bool:
        """The start check is open all year (for pupils who join late); the end one from May."""
        return self.phase is CheckPhase.START or 5 <= today().month <= 8

    def options(self, item: CheckItem) -> list[int]:
        """The pupil's own, stable order of this question's options."""
        return option_order(
            self.pupil.id, f"check:{item.lesson.id}", item.number, len(item.question.answers)
        )


def pupil_check(actor: User, phase: CheckPhase) -> PupilCheck:
    pupil, school_class = pupil_in_class(actor)
    year = school_year_of(today())
    done = (
        db.session.scalar(
            select(CheckAnswer.id)
            .where(
                CheckAnswer.pupil_id == pupil.id,
                CheckAnswer.school_year == year,
                CheckAnswer.phase == phase,
            )
            .limit(1)
        )
        is not None
    )
    return PupilCheck(pupil, phase, year, check_items(school_class.year_group), done)


def submit_check(actor: User, phase: CheckPhase, chosen: dict[str, int | None]) -> int:
    """Save every answer at once; the check is done once per phase per school year."""
    check = pupil_check(actor, phase)
    if not check.open:
        raise DomainError("The end-of-year check opens in May.")
    if check.done:
        raise DomainError("You have already done this check this year. Thank you!")
    missing = [item.key for item in check.items if chosen.get(item.key) is None]
    if missing:
        raise DomainError(
            "Choose an answer for every question. “I'm not sure yet” is fine.", missing[0]
        )
    answers = {key: answer for key, answer in chosen.items() if answer is not None}
    for item in check.items:
        answer = answers[item.key]
        if answer != NOT_SURE and not 0 <= answer < len(item.question.answers):
            raise DomainError("Choose one of the answers shown.", item.key)
    for item in check.items:
        answer = answers[item.key]
        db.session.add(
            CheckAnswer(
                pupil_id=check.pupil.id,
                school_year=check.school_year,
                phase=phase,
                lesson_id=item.lesson.id,
                question=item.number,
                answer=answer,
                correct=answer != NOT_SURE and item.question.answers[answer].correct,
            )
        )
    db.session.flush()
    audit.record(
        "lessons.check_done",
        actor=actor,
        target=check.pupil,
        phase=phase.value,
        school_year=check.school_year,
    )
    return len(check.items)


# --- The change per statement -------------------------------------------------------------------


@dataclass
class CheckRow:
    item: CheckItem
    #: phase -> (pupils right, pupils who did that check)
    right: dict[CheckPhase, int] = field(default_factory=lambda: defaultdict(int))
    took: dict[CheckPhase, int] = field(default_factory=lambda: defaultdict(int))
    not_sure: dict[CheckPhase, int] = field(default_factory=lambda: defaultdict(int))

    def percent(self, phase: CheckPhase) -> int | None:
        if not self.took[phase]:
            return None
        return round(100 * self.right[phase] / self.took[phase])

    @property
    def change(self) -> int | None:
        """Percentage points from start to end; None until both checks have answers."""
        start, end = self.percent(CheckPhase.START), self.percent(CheckPhase.END)
        return None if start is None or end is None else end - start


@dataclass
class CheckReport:
    year_group: YearGroup
    school_year: int
    pupils: int
    rows: list[CheckRow]
    #: For a teacher only: pupil id -> phase -> right answers. Empty for leaders.
    scores: dict[int, dict[CheckPhase, int]] = field(default_factory=dict)
    pupil_list: list[Pupil] = field(default_factory=list)
    school_class: SchoolClass | None = None


def _report(
    year_group: YearGroup, school_year: int, pupil_ids: list[int]
) -> tuple[list[CheckRow], dict[int, dict[CheckPhase, int]]]:
    items = check_items(year_group)
    rows = {item.key: CheckRow(item) for item in items}
    scores: dict[int, dict[CheckPhase, int]] = defaultdict(lambda: defaultdict(int))
    if pupil_ids:
        for pupil_id, phase, lesson_id, question, answer, correct in db.session.execute(
            select(
                CheckAnswer.pupil_id,
                CheckAnswer.phase,
                CheckAnswer.lesson_id,
                CheckAnswer.question,
                CheckAnswer.answer,
                CheckAnswer.correct,
            ).where(CheckAnswer.pupil_id.in_(pupil_ids), CheckAnswer.school_year == school_year)
        ):
            row = rows.get(f"{lesson_id}:{question}")
            if row is None:
                continue
            row.took[phase] += 1
            row.right[phase] += int(correct)
            row.not_sure[phase] += int(answer == NOT_SURE)
            scores[pupil_id][phase] += int(correct)
    return list(rows.values()), scores


def class_check(actor: User, class_id: int, school_year: int | None = None) -> CheckReport:
    """The class's start and end checks side by side, per statement and per pupil."""
    school_class = class_for_teaching(actor, class_id)
    year = school_year if school_year is not None else school_year_of(today())
    pupils = school.pupils_in_class(class_id)
    rows, scores = _report(school_class.year_group, year, [p.id for p in pupils])
    return CheckReport(
        school_class.year_group, year, len(pupils), rows, scores, pupils, school_class
    )


def school_check(year_group: YearGroup, school_year: int | None = None) -> CheckReport:
    """For leaders: the same, for a whole year group, as numbers only."""
    year = school_year if school_year is not None else school_year_of(today())
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
    rows, _ = _report(year_group, year, pupil_ids)
    return CheckReport(year_group, year, len(pupil_ids), rows)
