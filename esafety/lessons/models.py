"""What the school does with the curriculum: lessons set for classes and each pupil's progress.

Lessons themselves are files in content/, named here by their id (e.g. "y3-online-bullying").
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..extensions import Model, enum_type


class SelfAssessment(enum.StrEnum):
    """The three faces a pupil picks from after a lesson's quiz."""

    I_CAN = "i_can"
    GETTING_THERE = "getting_there"
    NOT_YET = "not_yet"

    @property
    def face(self) -> str:
        return {"i_can": "😀", "getting_there": "🙂", "not_yet": "😟"}[self.value]

    @property
    def label(self) -> str:
        return {
            "i_can": "I can do this",
            "getting_there": "I'm getting there",
            "not_yet": "Not yet: I'd like some help",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {"i_can": "I can", "getting_there": "Getting there", "not_yet": "Not yet"}[
            self.value
        ]


class LessonAssignment(Model):
    """A lesson set for a class, open from one day and due by another."""

    __tablename__ = "lesson_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_class.id", ondelete="CASCADE"), index=True
    )
    #: The lesson's id in the catalogue: its file name in content/ without ".md".
    lesson_id: Mapped[str] = mapped_column(String(80))
    #: Pupils see it in "My lessons" from this day.
    opens_on: Mapped[date]
    due_on: Mapped[date]
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    assigned_by: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (UniqueConstraint("class_id", "lesson_id"),)


class LessonProgress(Model):
    """How far one pupil has got with one lesson, saved as they go so they can carry on later.

    The counts are kept here (not only in quiz_answer) so a class's progress is one query.
    """

    __tablename__ = "lesson_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    #: The lesson's id in the catalogue.
    lesson_id: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bit n set when the pupil has read the n-th pupil section (Learn, Activity, If worried).
    sections_read: Mapped[int] = mapped_column(default=0)
    #: Quiz questions answered right (at the first try or after another go).
    questions_right: Mapped[int] = mapped_column(default=0)
    #: Quiz questions answered right at the first try: the lesson's score.
    right_first_time: Mapped[int] = mapped_column(default=0)
    #: Quiz questions that needed two or more tries.
    needed_another_go: Mapped[int] = mapped_column(default=0)
    self_assessment: Mapped[SelfAssessment | None] = mapped_column(enum_type(SelfAssessment))
    #: Set when every question is answered right and the pupil has said how they feel.
    completed_at: Mapped[datetime | None] = mapped_column(index=True)

    __table_args__ = (UniqueConstraint("pupil_id", "lesson_id"),)


class QuizAnswer(Model):
    """One try at one quiz question; a question stops taking tries once it is answered right."""

    __tablename__ = "quiz_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(80))
    #: Position of the question in the lesson's quiz, from 0.
    question: Mapped[int]
    #: Position of the chosen answer within the question, from 0.
    answer: Mapped[int]
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_quiz_answer_pupil_id_lesson_id", "pupil_id", "lesson_id"),)


class CheckPhase(enum.StrEnum):
    """The short check a pupil does at the start of the school year, and again at its end."""

    START = "start"
    END = "end"

    @property
    def label(self) -> str:
        return {"start": "Start-of-year check", "end": "End-of-year check"}[self.value]


class CheckAnswer(Model):
    """One answer in a pupil's start- or end-of-year check: one try, no feedback, no score shown.

    The same questions are asked at both ends of the year, so the change per statement shows
    what the year's lessons taught. answer is -1 for "I'm not sure yet".
    """

    __tablename__ = "check_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    #: The calendar year the school year starts in (2026 for September 2026 to August 2027).
    school_year: Mapped[int]
    phase: Mapped[CheckPhase] = mapped_column(enum_type(CheckPhase))
    lesson_id: Mapped[str] = mapped_column(String(80))
    question: Mapped[int]
    answer: Mapped[int]
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("pupil_id", "school_year", "phase", "lesson_id", "question"),
    )
