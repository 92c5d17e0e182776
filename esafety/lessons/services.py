"""The curriculum's rules: who may open which lesson, setting lessons, saving a pupil's progress.

Pupils see their own year group's lessons and earlier years', never later ones; teachers set
lessons for the classes they teach; a pupil's answers are saved as they go so they can resume.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select

from .. import audit
from ..auth.models import User
from ..auth.roles import STAFF_ROLES, Role
from ..clock import today, utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass, YearGroup
from .catalogue import PUPIL_SECTIONS, SIGN_UP_FROM, Lesson, Strand, get_catalogue
from .models import LessonAssignment, LessonProgress, QuizAnswer, SelfAssessment

#: Staff who set lessons for a class they teach (leaders may set them for any class).
TEACHING_ROLES = (
    Role.TEACHER,
    Role.COMPUTING_LEAD,
    Role.HEADTEACHER,
    Role.SLT,
    Role.ESAFETY_OFFICER,
)
#: Staff who follow a class's progress: its teachers and teaching assistants, and leaders.
PROGRESS_ROLES = (*TEACHING_ROLES, Role.SUPPORT_STAFF)
#: Leaders who see the whole school's coverage (numbers only, no names).
COVERAGE_ROLES = (Role.HEADTEACHER, Role.COMPUTING_LEAD, Role.SLT, Role.GOVERNOR)
#: Adults who may read whole lessons, teacher notes included.
CURRICULUM_ROLES = (*STAFF_ROLES, Role.GOVERNOR)
#: A strand is assigned whole this far ahead at most: a school year.
LONGEST_ASSIGNMENT_DAYS = 366


# --- Who may see what -------------------------------------------------------------------------


def pupil_in_class(actor: User) -> tuple[Pupil, SchoolClass]:
    """The signed-in pupil and their class; a pupil with no class has no lessons yet."""
    pupil = school.pupil_of(actor)
    if pupil is None or pupil.class_id is None or pupil.school_class is None:
        raise NotFoundError("You are not in a class yet, so there are no lessons to show.")
    return pupil, pupil.school_class


def may_check_apps(actor: User) -> bool:
    """ "Can I sign up?" is for pupils from Year 3, when minimum ages are taught, and for adults."""
    if not actor.is_pupil:
        return True
    pupil = school.pupil_of(actor)
    if pupil is None or pupil.school_class is None:
        return False
    return pupil.school_class.year_group >= SIGN_UP_FROM


def lesson_for(actor: User, lesson_id: str) -> Lesson:
    """A lesson this person may open: pupils their own year's and earlier; adults on the staff all.

    A later year's lesson is 'not found' for a pupil, so they are never shown what is to come.
    """
    lesson = get_catalogue().get(lesson_id)
    if lesson is None:
        raise NotFoundError("We could not find that lesson.")
    if actor.is_pupil:
        _, school_class = pupil_in_class(actor)
        if lesson.year_group > school_class.year_group:
            raise NotFoundError("We could not find that lesson.")
        return lesson
    if actor.has_role(*CURRICULUM_ROLES):
        return lesson
    raise NotFoundError("We could not find that lesson.")


def class_for_teaching(actor: User, class_id: int, *, assign: bool = False) -> SchoolClass:
    """A class this member of staff works with: 404 for a class they cannot see, 403 otherwise."""
    school_class = school.class_visible_to(actor, class_id)
    roles = TEACHING_ROLES if assign else PROGRESS_ROLES
    if not actor.has_role(*roles) or not school.teaches(actor, class_id):
        if assign:
            raise NotAllowed("Only the class's teachers and school leaders can set its lessons.")
        raise NotAllowed("Only the class's staff and school leaders can see its progress.")
    return school_class


def teaching_classes(actor: User) -> list[SchoolClass]:
    """The current classes whose lessons this person can follow, youngest first."""
    if not actor.has_role(*PROGRESS_ROLES):
        return []
    classes = school.classes_for(actor)
    if actor.has_role(*school.WHOLE_SCHOOL_ROLES):
        return classes
    return [c for c in classes if school.teaches(actor, c.id)]


# --- Setting lessons --------------------------------------------------------------------------


def lessons_to_assign(
    school_class: SchoolClass,
    *,
    lesson_id: str | None,
    strand: Strand | None,
    include_earlier: bool = False,
) -> list[Lesson]:
    """Which lessons a choice means; a later year's lesson is refused (pupils cannot open it)."""
    catalogue = get_catalogue()
    year = school_class.year_group
    if bool(lesson_id) == bool(strand):
        raise DomainError("Choose one lesson, or a whole strand (not both).", "lesson_id")
    if lesson_id:
        lesson = catalogue.get(lesson_id)
        if lesson is None:
            raise DomainError("That lesson is not in the curriculum.", "lesson_id")
        if lesson.year_group > year:
            raise DomainError(
                f"That lesson is for {lesson.year_group.label}. {school_class.name} is "
                f"{year.label}, and pupils only open lessons for their year or earlier.",
                "lesson_id",
            )
        return [lesson]
    lessons = [
        lesson
        for lesson in catalogue
        if lesson.strand == strand
        and (lesson.year_group == year or (include_earlier and lesson.year_group < year))
    ]
    if not lessons:
        raise DomainError(f"There are no {year.label} lessons in that strand yet.", "strand")
    return lessons


def assign_lessons(
    actor: User,
    class_id: int,
    *,
    lesson_id: str | None = None,
    strand: Strand | None = None,
    include_earlier: bool = False,
    opens_on: date,
    due_on: date,
) -> list[LessonAssignment]:
    """Set one lesson, or a strand's lessons, for a class; setting one again moves its dates."""
    school_class = class_for_teaching(actor, class_id, assign=True)
    if due_on < opens_on:
        raise DomainError("The due date must be on or after the day it opens.", "due_on")
    if due_on < today():
        raise DomainError("That due date has already passed. Choose today or later.", "due_on")
    if (due_on - opens_on).days > LONGEST_ASSIGNMENT_DAYS:
        raise DomainError("Choose a due date within a year of the day it opens.", "due_on")
    lessons = lessons_to_assign(
        school_class, lesson_id=lesson_id, strand=strand, include_earlier=include_earlier
    )
    ids = [lesson.id for lesson in lessons]
    existing = {
        a.lesson_id: a
        for a in db.session.scalars(
            select(LessonAssignment).where(
                LessonAssignment.class_id == class_id, LessonAssignment.lesson_id.in_(ids)
            )
        )
    }
    assignments = []
    for lesson in lessons:
        assignment = existing.get(lesson.id)
        if assignment is None:
            assignment = LessonAssignment(class_id=class_id, lesson_id=lesson.id)
            db.session.add(assignment)
        assignment.opens_on = opens_on
        assignment.due_on = due_on
        assignment.assigned_by_id = actor.id
        assignment.assigned_at = utcnow()
        assignments.append(assignment)
    db.session.flush()
    audit.record(
        "lessons.assigned",
        actor=actor,
        target=school_class,
        lessons=ids,
        strand=strand.value if strand else None,
        opens_on=opens_on.isoformat(),
        due_on=due_on.isoformat(),
        moved=sorted(existing),
    )
    return assignments


def remove_assignment(actor: User, assignment_id: int) -> LessonAssignment:
    """Take a lesson off a class's list; pupils' progress in it is kept."""
    assignment = db.session.get(LessonAssignment, assignment_id)
    if assignment is None:
        raise NotFoundError("That lesson is not set for any class.")
    class_for_teaching(actor, assignment.class_id, assign=True)
    db.session.delete(assignment)
    db.session.flush()
    audit.record(
        "lessons.unassigned",
        actor=actor,
        target_type="school_class",
        target_id=assignment.class_id,
        lesson=assignment.lesson_id,
    )
    return assignment


# --- A pupil working through a lesson ---------------------------------------------------------


@dataclass(frozen=True)
class QuestionState:
    """Where a pupil is with one quiz question."""

    number: int
    tries: int
    right: bool
    #: The answer they chose last time (to show its feedback), or None before any try.
    last_answer: int | None


@dataclass(frozen=True)
class Step:
    """One stop on the way through a lesson: a section to read, a question, or "I can"."""

    kind: str  # "read", "quiz" or "i_can"
    key: str | int | None
    label: str
    done: bool


@dataclass
class LessonState:
    """Everything the pupil's lesson pages need: saved progress and the steps still to do."""

    lesson: Lesson
    progress: LessonProgress | None
    questions: list[QuestionState]
    steps: list[Step]

    @property
    def steps_done(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def next_step(self) -> Step | None:
        """The first step not done yet; None once the lesson is finished (read in full or not)."""
        if self.completed:
            return None
        return next((step for step in self.steps if not step.done), None)

    @property
    def started(self) -> bool:
        return self.progress is not None

    @property
    def completed(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    def section_read(self, key: str) -> bool:
        return _section_bit(key) & (self.progress.sections_read if self.progress else 0) != 0


def _section_bit(key: str) -> int:
    return 1 << PUPIL_SECTIONS.index(key)


def _progress(pupil_id: int, lesson_id: str) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.pupil_id == pupil_id, LessonProgress.lesson_id == lesson_id
        )
    )


def _progress_or_new(pupil_id: int, lesson_id: str) -> LessonProgress:
    progress = _progress(pupil_id, lesson_id)
    if progress is None:
        progress = LessonProgress(
            pupil_id=pupil_id,
            lesson_id=lesson_id,
            sections_read=0,
            questions_right=0,
            right_first_time=0,
            needed_another_go=0,
        )
        db.session.add(progress)
    progress.updated_at = utcnow()
    return progress


def lesson_state(actor: User, lesson_id: str) -> LessonState:
    """The pupil's saved place in a lesson (two queries: progress, then quiz tries)."""
    lesson = lesson_for(actor, lesson_id)
    pupil, _ = pupil_in_class(actor)
    # The progress row with its quiz tries in one statement (no tries without a progress row).
    rows = db.session.execute(
        select(LessonProgress, QuizAnswer.question, QuizAnswer.answer, QuizAnswer.correct)
        .outerjoin(
            QuizAnswer,
            and_(
                QuizAnswer.pupil_id == LessonProgress.pupil_id,
                QuizAnswer.lesson_id == LessonProgress.lesson_id,
            ),
        )
        .where(LessonProgress.pupil_id == pupil.id, LessonProgress.lesson_id == lesson.id)
        .order_by(QuizAnswer.id)
    ).all()
    progress = rows[0][0] if rows else None
    tries: dict[int, list[tuple[int, bool]]] = {}
    for _, question, answer, correct in rows:
        if question is not None:
            tries.setdefault(question, []).append((answer, correct))
    questions = [
        QuestionState(
            number=n,
            tries=len(tries.get(n, [])),
            right=any(correct for _, correct in tries.get(n, [])),
            last_answer=tries[n][-1][0] if tries.get(n) else None,
        )
        for n in range(len(lesson.quiz))
    ]
    read = progress.sections_read if progress else 0
    steps = [
        Step("read", section.key, section.title, bool(read & _section_bit(section.key)))
        for section in lesson.pupil_sections
    ]
    steps += [
        Step("quiz", state.number, f"Question {state.number + 1}", state.right)
        for state in questions
    ]
    steps.append(
        Step("i_can", None, "I can", progress is not None and progress.self_assessment is not None)
    )
    return LessonState(lesson, progress, questions, steps)


def mark_section_read(actor: User, lesson_id: str, section_key: str) -> LessonProgress:
    """Save that the pupil has read a section, so they carry on from the next one."""
    lesson = lesson_for(actor, lesson_id)
    if section_key not in PUPIL_SECTIONS:
        raise NotFoundError("That part of the lesson does not exist.")
    pupil, _ = pupil_in_class(actor)
    progress = _progress_or_new(pupil.id, lesson.id)
    progress.sections_read = (progress.sections_read or 0) | _section_bit(section_key)
    db.session.flush()
    return progress


def option_order(pupil_id: int, lesson_id: str, question_index: int, count: int) -> list[int]:
    """The order one pupil sees a question's options in: shuffled, but the same on every visit.

    Seeded from the pupil, lesson and question (not Python's per-process hash), so a reload or
    another server shows the same order, while classmates side by side see different ones and
    the right answer's place in the file tells nobody anything.
    """
    seed = hashlib.sha256(f"{pupil_id}:{lesson_id}:{question_index}".encode()).digest()
    order = list(range(count))
    random.Random(int.from_bytes(seed[:8], "big")).shuffle(order)  # noqa: S311 (not secret)
    return order


@dataclass(frozen=True)
class AnswerResult:
    correct: bool
    feedback: str
    #: The pupil had already got this question right; nothing new was saved.
    already_right: bool
    progress: LessonProgress


def answer_question(
    actor: User, lesson_id: str, question_index: int, answer_index: int | None
) -> AnswerResult:
    """Save one try at a question and give the answer's own kind feedback; wrong means try again."""
    lesson = lesson_for(actor, lesson_id)
    if not 0 <= question_index < len(lesson.quiz):
        raise NotFoundError("That question is not in this quiz.")
    question = lesson.quiz[question_index]
    if answer_index is None or not 0 <= answer_index < len(question.answers):
        raise DomainError("Choose an answer, then press the button.", "answer")
    pupil, _ = pupil_in_class(actor)
    # Read before the progress changes, so the progress is written once, with the answer.
    earlier = list(
        db.session.scalars(
            select(QuizAnswer.correct).where(
                QuizAnswer.pupil_id == pupil.id,
                QuizAnswer.lesson_id == lesson.id,
                QuizAnswer.question == question_index,
            )
        )
    )
    progress = _progress_or_new(pupil.id, lesson.id)
    answer = question.answers[answer_index]
    if any(earlier):
        return AnswerResult(answer.correct, answer.feedback, True, progress)
    db.session.add(
        QuizAnswer(
            pupil_id=pupil.id,
            lesson_id=lesson.id,
            question=question_index,
            answer=answer_index,
            correct=answer.correct,
        )
    )
    if not earlier and not answer.correct:
        progress.needed_another_go += 1
    if answer.correct:
        progress.questions_right += 1
        if not earlier:
            progress.right_first_time += 1
    _complete_if_finished(progress, lesson)
    db.session.flush()
    return AnswerResult(answer.correct, answer.feedback, False, progress)


def record_self_assessment(
    actor: User, lesson_id: str, rating: SelfAssessment | None
) -> LessonProgress:
    """Save how the pupil feels about the lesson's "I can" statements (they may change it)."""
    lesson = lesson_for(actor, lesson_id)
    if rating is None:
        raise DomainError("Choose the face that shows how you feel.", "rating")
    pupil, _ = pupil_in_class(actor)
    progress = _progress_or_new(pupil.id, lesson.id)
    progress.self_assessment = rating
    _complete_if_finished(progress, lesson)
    db.session.flush()
    return progress


def _complete_if_finished(progress: LessonProgress, lesson: Lesson) -> None:
    """A lesson is finished when every question is right and the pupil has said how they feel."""
    finished = progress.questions_right >= len(lesson.quiz) and progress.self_assessment
    if finished and progress.completed_at is None:
        progress.completed_at = utcnow()


def completed_lesson_ids(pupil_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.pupil_id == pupil_id, LessonProgress.completed_at.is_not(None)
            )
        )
    )


def stickers_for(year_group: YearGroup, completed: set[str]) -> list[Strand]:
    """A sticker for each strand whose lessons for the pupil's year group are all finished."""
    catalogue = get_catalogue()
    earned = []
    for strand in Strand:
        needed = {lesson.id for lesson in catalogue.in_cell(year_group, strand)}
        if needed and needed <= completed:
            earned.append(strand)
    return earned
