"""Who has covered what: a class's progress, a pupil's list, a parent's term, the whole school.

Each report is a fixed handful of queries, however many pupils or lessons there are: the
lesson text comes from the catalogue in memory, and progress rows carry their own counts.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from types import SimpleNamespace
from typing import Protocol

from flask import current_app
from markupsafe import Markup
from sqlalchemy import Integer, Row, String, and_, func, literal, select, union_all
from sqlalchemy.orm import lazyload

from ..auth.models import User
from ..clock import today
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass, YearGroup
from ..spreadsheet import safe_cell
from .catalogue import Lesson, Strand, get_catalogue, lessons_by_id
from .models import LessonAssignment, LessonProgress, SelfAssessment
from .services import class_for_teaching, pupil_in_class, stickers_for, teaching_classes

# --- One pupil and one lesson -----------------------------------------------------------------


class _Counts(Protocol):
    """What a progress row says about one pupil and one lesson (an ORM row or a plain one)."""

    questions_right: int
    right_first_time: int
    needed_another_go: int
    self_assessment: SelfAssessment | None
    completed_at: datetime | None


def is_struggling(progress: _Counts | None, lesson: Lesson) -> bool:
    """Worth a word from the teacher: said "not yet", or half the questions needed another go."""
    if progress is None:
        return False
    if progress.self_assessment is SelfAssessment.NOT_YET:
        return True
    return progress.needed_another_go > 0 and progress.needed_another_go * 2 >= len(lesson.quiz)


STATUS_LABELS = {"not_started": "Not started", "started": "Started", "done": "Done"}


@dataclass(slots=True)
class Cell:
    """One pupil's state in one lesson, as the progress table and the CSV show it: worked out
    once when the grid is built (the table and the strands read each cell several times)."""

    lesson: Lesson
    progress: _Counts | None
    status: str
    #: Questions right at the first try, out of the quiz's questions ("" before any is right).
    score: str
    another_go: int
    self_assessment: SelfAssessment | None
    struggling: bool
    #: Why a struggling pupil is listed, as the "who may need help" list says it.
    help_note: str = ""

    @classmethod
    def of(cls, lesson: Lesson, progress: _Counts | None) -> Cell:
        if progress is None:
            return cls(lesson, None, "not_started", "", 0, None, False)
        return cls(
            lesson,
            progress,
            "done" if progress.completed_at else "started",
            f"{progress.right_first_time}/{len(lesson.quiz)}" if progress.questions_right else "",
            progress.needed_another_go,
            progress.self_assessment,
            struggling := is_struggling(progress, lesson),
            _help_note(progress) if struggling else "",
        )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def html(self) -> Markup:
        """The cell in the progress table: the same few kinds of cell come back on every page."""
        return cell_html(
            self.status, self.score, self.another_go, self.self_assessment, self.struggling
        )


def _help_note(progress: _Counts) -> str:
    said = progress.self_assessment is SelfAssessment.NOT_YET
    goes = progress.needed_another_go
    another = f"needed another go on {goes} question{'s' if goes != 1 else ''}" if goes else ""
    return ", ".join(part for part in ("said “not yet”" if said else "", another) if part)


@lru_cache(maxsize=2048)
def cell_html(
    status: str,
    score: str,
    another_go: int,
    self_assessment: SelfAssessment | None,
    struggling: bool,
) -> Markup:
    """One kind of progress cell as HTML, rendered once per process (it names no one)."""
    cell = SimpleNamespace(
        status=status,
        score=score,
        another_go=another_go,
        self_assessment=self_assessment,
        struggling=struggling,
    )
    template = current_app.jinja_env.get_template("lessons/_progress_cell.html")
    return Markup(template.render(cell=cell))  # noqa: S704 (an autoescaped template's output)


# --- A class's progress -----------------------------------------------------------------------


@dataclass
class StrandCoverage:
    strand: Strand
    #: This class's year group's lessons in the strand (a pupil finishing all earns its sticker).
    year_lessons: list[Lesson]
    assigned: list[Lesson]
    completed_by: int
    struggling: list[Pupil]


@dataclass
class ClassProgress:
    school_class: SchoolClass
    pupils: list[Pupil]
    lessons: list[Lesson]
    assignments: dict[str, LessonAssignment]
    cells: dict[tuple[int, str], Cell]
    strands: list[StrandCoverage]

    def cell(self, pupil: Pupil, lesson: Lesson) -> Cell:
        return self.cells[(pupil.id, lesson.id)]

    @property
    def struggling(self) -> list[tuple[Pupil, list[Lesson]]]:
        """Who may need help, and with which lessons: the teacher's "at a glance" list."""
        return [(pupil, [cell.lesson for cell in cells]) for pupil, cells in self.needing_help]

    @property
    def needing_help(self) -> list[tuple[Pupil, list[Cell]]]:
        """The same list with each lesson's cell (its help note)."""
        found = []
        for pupil, cells in self.grid:
            struggling = [cell for cell in cells if cell.struggling]
            if struggling:
                found.append((pupil, struggling))
        return found

    def done_count(self, lesson: Lesson) -> int:
        return sum(1 for p in self.pupils if self.cell(p, lesson).status == "done")

    @cached_property
    def grid(self) -> list[tuple[Pupil, list[Cell]]]:
        """Each pupil with their cells in the set lessons' order: the table's rows."""
        lesson_ids = [lesson.id for lesson in self.lessons]
        return [
            (pupil, [self.cells[(pupil_id, i)] for i in lesson_ids])
            for pupil, pupil_id in ((pupil, pupil.id) for pupil in self.pupils)
        ]


def _pupils_and_progress(
    class_id: int, lesson_ids: set[str]
) -> tuple[list[Pupil], dict[tuple[int, str], Row]]:
    """The class's current pupils in name order, and their progress in these lessons as plain
    rows of the counts the grid shows: one statement (each pupil's progress joined to them)."""
    rows = db.session.execute(
        select(
            Pupil,
            LessonProgress.lesson_id,
            LessonProgress.questions_right,
            LessonProgress.right_first_time,
            LessonProgress.needed_another_go,
            LessonProgress.self_assessment,
            LessonProgress.completed_at,
        )
        .outerjoin(
            LessonProgress,
            and_(
                LessonProgress.pupil_id == Pupil.id,
                LessonProgress.lesson_id.in_(sorted(lesson_ids)),
            ),
        )
        .where(Pupil.class_id == class_id, Pupil.left_on.is_(None))
        .order_by(Pupil.first_name, Pupil.last_name, Pupil.id)
        .options(lazyload(Pupil.user))
    ).all()
    pupils: dict[int, Pupil] = {}
    progress: dict[tuple[int, str], Row] = {}
    for row in rows:
        pupil = row[0]
        pupils.setdefault(pupil.id, pupil)
        if row.lesson_id is not None:
            progress[(pupil.id, row.lesson_id)] = row
    return list(pupils.values()), progress


def class_progress(actor: User, class_id: int) -> ClassProgress:
    """Pupils by set lessons, with the class's strand coverage (a fixed number of queries)."""
    school_class = class_for_teaching(actor, class_id)
    catalogue = get_catalogue()
    assignments = {
        a.lesson_id: a
        for a in db.session.scalars(
            select(LessonAssignment).where(LessonAssignment.class_id == class_id)
        )
    }
    lessons = lessons_by_id(assignments)
    year_lessons = catalogue.for_year(school_class.year_group)
    wanted = set(assignments) | {lesson.id for lesson in year_lessons}
    pupils, rows = _pupils_and_progress(class_id, wanted)
    by_id = {lesson.id: lesson for lesson in (*lessons, *year_lessons)}
    not_started = {lesson_id: Cell.of(lesson, None) for lesson_id, lesson in by_id.items()}
    pupil_ids = [(pupil, pupil.id) for pupil in pupils]
    cells = {
        (pupil_id, lesson_id): Cell.of(lesson, row)
        if (row := rows.get((pupil_id, lesson_id)))
        else not_started[lesson_id]
        for _, pupil_id in pupil_ids
        for lesson_id, lesson in by_id.items()
    }
    strands = []
    for strand in Strand:
        in_year = [lesson for lesson in year_lessons if lesson.strand == strand]
        assigned = [lesson for lesson in lessons if lesson.strand == strand]
        # By id: a lesson's own hash goes through its whole text and quiz.
        year_ids = [lesson.id for lesson in in_year]
        strand_ids = {lesson.id for lesson in (*in_year, *assigned)}
        completed_by = sum(
            1
            for _, pupil_id in pupil_ids
            if year_ids and all(cells[(pupil_id, i)].status == "done" for i in year_ids)
        )
        struggling = [
            pupil
            for pupil, pupil_id in pupil_ids
            if any(cells[(pupil_id, i)].struggling for i in strand_ids)
        ]
        strands.append(StrandCoverage(strand, in_year, assigned, completed_by, struggling))
    return ClassProgress(school_class, pupils, lessons, assignments, cells, strands)


def progress_csv(report: ClassProgress) -> str:
    """One row per pupil and set lesson, for the teacher's own records."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "First name",
            "Last name",
            "Lesson",
            "Strand",
            "Year group",
            "Due",
            "Status",
            "Right first time",
            "Questions that needed another go",
            "I can",
            "Finished on",
            "May need help",
        ]
    )
    for pupil in report.pupils:
        for lesson in report.lessons:
            cell = report.cell(pupil, lesson)
            finished = cell.progress.completed_at if cell.progress else None
            row = [
                pupil.first_name,
                pupil.last_name,
                lesson.title,
                lesson.strand.label,
                lesson.year_group.label,
                report.assignments[lesson.id].due_on.isoformat(),
                cell.status_label,
                cell.score,
                cell.another_go if cell.progress else "",
                cell.self_assessment.short_label if cell.self_assessment else "",
                finished.date().isoformat() if finished else "",
                "yes" if cell.struggling else "",
            ]
            writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


# --- The curriculum grid with one class's coverage ----------------------------------------------


@dataclass
class CurriculumView:
    grid: dict[YearGroup, dict[Strand, list[Lesson]]]
    classes: list[SchoolClass]
    school_class: SchoolClass | None = None
    assignments: dict[str, LessonAssignment] = field(default_factory=dict)
    done_counts: dict[str, int] = field(default_factory=dict)
    pupil_count: int = 0

    def covered(self, lessons: list[Lesson]) -> bool:
        return any(lesson.id in self.assignments for lesson in lessons)


def curriculum_view(actor: User, class_id: int | None) -> CurriculumView:
    """The year-by-strand grid of every lesson, and how far the chosen class has got with it."""
    classes = teaching_classes(actor)
    view = CurriculumView(grid=get_catalogue().grid(), classes=classes)
    if class_id is None and classes:
        class_id = classes[0].id
    if class_id is None:
        return view
    view.school_class = class_for_teaching(actor, class_id)
    view.assignments = {
        a.lesson_id: a
        for a in db.session.scalars(
            select(LessonAssignment).where(LessonAssignment.class_id == class_id)
        )
    }
    view.pupil_count = len(school.pupils_in_class(class_id))
    view.done_counts = dict(
        db.session.execute(
            select(LessonProgress.lesson_id, func.count(LessonProgress.id))
            .join(Pupil, Pupil.id == LessonProgress.pupil_id)
            .where(
                Pupil.class_id == class_id,
                Pupil.left_on.is_(None),
                LessonProgress.completed_at.is_not(None),
            )
            .group_by(LessonProgress.lesson_id)
        ).all()
    )
    return view


# --- A pupil's own list -----------------------------------------------------------------------


@dataclass
class PupilLesson:
    lesson: Lesson
    assignment: LessonAssignment | None
    progress: LessonProgress | None

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def started(self) -> bool:
        return self.progress is not None

    @property
    def overdue(self) -> bool:
        return self.assignment is not None and not self.done and self.assignment.due_on < today()


@dataclass
class MyLessons:
    pupil: Pupil
    year_group: YearGroup
    to_do: list[PupilLesson]
    done: list[PupilLesson]
    stickers: list[Strand]
    #: Every lesson the pupil may open, by year group (theirs first), to explore.
    explore: dict[YearGroup, list[PupilLesson]]


def my_lessons(actor: User) -> MyLessons:
    """What is set for the pupil and open now, what they have finished, and their stickers."""
    pupil, school_class = pupil_in_class(actor)
    year = school_class.year_group
    day = today()
    assignments = {
        a.lesson_id: a
        for a in db.session.scalars(
            select(LessonAssignment).where(
                LessonAssignment.class_id == school_class.id, LessonAssignment.opens_on <= day
            )
        )
    }
    progress = {
        row.lesson_id: row
        for row in db.session.scalars(
            select(LessonProgress).where(LessonProgress.pupil_id == pupil.id)
        )
    }
    catalogue = get_catalogue()
    set_lessons = [
        PupilLesson(lesson, assignments[lesson.id], progress.get(lesson.id))
        for lesson in lessons_by_id(assignments)
        if lesson.year_group <= year
    ]
    set_lessons.sort(key=lambda item: (assignments[item.lesson.id].due_on, item.lesson.sort_key()))
    completed = {lesson_id for lesson_id, row in progress.items() if row.completed_at}
    explore: dict[YearGroup, list[PupilLesson]] = {}
    for lesson in catalogue.up_to(year):
        explore.setdefault(lesson.year_group, []).append(
            PupilLesson(lesson, assignments.get(lesson.id), progress.get(lesson.id))
        )
    ordered = dict(sorted(explore.items(), key=lambda kv: -int(kv[0])))
    return MyLessons(
        pupil=pupil,
        year_group=year,
        to_do=[item for item in set_lessons if not item.done],
        done=[item for item in set_lessons if item.done],
        stickers=stickers_for(year, completed),
        explore=ordered,
    )


# --- Parents: this term -----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    name: str
    starts_on: date
    ends_on: date


def term_containing(day: date) -> Term:
    """The school term a day falls in: autumn from September, spring January, summer April.

    Term dates are not yet held by the school package, so these are the usual English terms
    rounded out to whole months, holidays included.
    """
    if day.month >= 9:
        return Term(f"Autumn term {day.year}", date(day.year, 9, 1), date(day.year, 12, 31))
    if day.month <= 3:
        return Term(f"Spring term {day.year}", date(day.year, 1, 1), date(day.year, 3, 31))
    return Term(f"Summer term {day.year}", date(day.year, 4, 1), date(day.year, 8, 31))


@dataclass
class ChildLesson:
    lesson: Lesson
    assignment: LessonAssignment | None
    progress: LessonProgress | None

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None


@dataclass
class ChildLearning:
    pupil: Pupil
    school_class: SchoolClass | None
    lessons: list[ChildLesson]
    stickers: list[Strand]

    @property
    def finished(self) -> int:
        return sum(1 for item in self.lessons if item.done)


@dataclass
class FamilyLearning:
    term: Term
    children: list[ChildLearning]


def family_learning(actor: User, day: date | None = None) -> FamilyLearning:
    """For a parent: what each of their own children has covered this term, with the notes home.

    Covered means set for the child's class and opened this term, or finished by the child
    this term. Three queries however many children.
    """
    term = term_containing(day or today())
    children = school.children_of(actor)
    class_ids = {child.class_id for child in children if child.class_id}
    assignments: dict[int, dict[str, LessonAssignment]] = defaultdict(dict)
    if class_ids:
        for a in db.session.scalars(
            select(LessonAssignment).where(
                LessonAssignment.class_id.in_(class_ids),
                LessonAssignment.opens_on >= term.starts_on,
                LessonAssignment.opens_on <= min(term.ends_on, day or today()),
            )
        ):
            assignments[a.class_id][a.lesson_id] = a
    progress: dict[int, dict[str, LessonProgress]] = defaultdict(dict)
    if children:
        for row in db.session.scalars(
            select(LessonProgress).where(
                LessonProgress.pupil_id.in_([child.id for child in children])
            )
        ):
            progress[row.pupil_id][row.lesson_id] = row
    found = []
    start = term.starts_on
    for child in children:
        set_here = assignments.get(child.class_id, {}) if child.class_id else {}
        mine = progress.get(child.id, {})
        finished_this_term = {
            lesson_id
            for lesson_id, row in mine.items()
            if row.completed_at and row.completed_at.date() >= start
        }
        lessons = [
            ChildLesson(lesson, set_here.get(lesson.id), mine.get(lesson.id))
            for lesson in lessons_by_id(set(set_here) | finished_this_term)
        ]
        completed = {lesson_id for lesson_id, row in mine.items() if row.completed_at}
        school_class = child.school_class
        stickers = stickers_for(school_class.year_group, completed) if school_class else []
        found.append(ChildLearning(child, school_class, lessons, stickers))
    return FamilyLearning(term, found)


# --- Leaders: the whole school ----------------------------------------------------------------


@dataclass
class CoverageCell:
    completed: int
    pupils: int
    has_lessons: bool

    @property
    def percent(self) -> int | None:
        if not self.pupils or not self.has_lessons:
            return None
        return round(100 * self.completed / self.pupils)


@dataclass
class SchoolCoverage:
    rows: dict[YearGroup, dict[Strand, CoverageCell]]
    pupils: dict[YearGroup, int]


def school_coverage() -> SchoolCoverage:
    """Share of current pupils in each year group who finished each strand (two queries).

    Finishing a strand means finishing every lesson for one's own year group in it. The
    database counts, per year group and strand, how many of those lessons each pupil finished
    and how many pupils finished each number: a few dozen rows whatever the school's size.
    """
    catalogue = get_catalogue()
    counts = dict(
        db.session.execute(
            select(SchoolClass.year_group, func.count(Pupil.id))
            .join(SchoolClass, SchoolClass.id == Pupil.class_id)
            .where(Pupil.left_on.is_(None), SchoolClass.archived.is_(False))
            .group_by(SchoolClass.year_group)
        ).all()
    )
    pupils = {year: int(counts.get(year, 0)) for year in YearGroup}
    needed = {
        (year, strand): {lesson.id for lesson in catalogue.in_cell(year, strand)}
        for year in YearGroup
        for strand in Strand
    }
    strand_of = {
        lesson_id: strand.value for (_, strand), ids in needed.items() for lesson_id in ids
    }
    finished_cells: dict[tuple[YearGroup, str], int] = defaultdict(int)
    if strand_of:
        # The lessons each year group needs, as a small table joined on (year group, lesson):
        # a hash join the database does cheaply, where a CASE with a branch per lesson and an
        # OR per year group were worked out for every progress row.
        own_year = union_all(
            *(
                select(
                    literal(int(year), Integer).label("year_group"),
                    literal(lesson_id, String).label("lesson_id"),
                    literal(strand.value, String).label("strand"),
                )
                for (year, strand), ids in needed.items()
                for lesson_id in sorted(ids)
            )
        ).subquery("own_year_lesson")
        per_pupil = (
            select(
                own_year.c.year_group,
                own_year.c.strand,
                func.count(LessonProgress.lesson_id).label("done"),
            )
            .select_from(Pupil)
            .join(SchoolClass, SchoolClass.id == Pupil.class_id)
            .join(LessonProgress, LessonProgress.pupil_id == Pupil.id)
            .join(
                own_year,
                and_(
                    own_year.c.year_group == SchoolClass.year_group,
                    own_year.c.lesson_id == LessonProgress.lesson_id,
                ),
            )
            .where(
                Pupil.left_on.is_(None),
                SchoolClass.archived.is_(False),
                LessonProgress.completed_at.is_not(None),
            )
            .group_by(own_year.c.year_group, own_year.c.strand, Pupil.id)
            .subquery()
        )
        rows = db.session.execute(
            select(
                per_pupil.c.year_group, per_pupil.c.strand, per_pupil.c.done, func.count()
            ).group_by(per_pupil.c.year_group, per_pupil.c.strand, per_pupil.c.done)
        )
        for year_value, strand_value, done, how_many in rows:
            year = YearGroup(year_value)
            if done == len(needed[(year, Strand(strand_value))]):
                finished_cells[(year, strand_value)] += how_many
    table: dict[YearGroup, dict[Strand, CoverageCell]] = {
        year: {
            strand: CoverageCell(
                finished_cells[(year, strand.value)], pupils[year], bool(needed[(year, strand)])
            )
            for strand in Strand
        }
        for year in YearGroup
    }
    return SchoolCoverage(table, pupils)


# --- A one-page family sheet per year group ---------------------------------------------------

_TALK = re.compile(r"\*\*Something to talk about[^*]*:\*\*\s*(.+)")
_TIP = re.compile(r"\*\*A practical tip:\*\*\s*(.+)")


@dataclass(frozen=True)
class FamilySheetLine:
    lesson: Lesson
    talk: str
    tip: str


def family_sheet(year_group: YearGroup) -> list[FamilySheetLine]:
    """Each lesson of a year, with its take-home question and tip, for one printed page.

    The words come from each lesson's own take-home note, so the sheet and the notes agree.
    """
    lines = []
    for lesson in get_catalogue().for_year(year_group):
        note = lesson.section("take_home").source
        talk, tip = _TALK.search(note), _TIP.search(note)
        lines.append(
            FamilySheetLine(
                lesson, talk.group(1).strip() if talk else "", tip.group(1).strip() if tip else ""
            )
        )
    return lines
