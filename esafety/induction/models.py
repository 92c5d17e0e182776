"""Policies and their versions, induction pathways, courses and quizzes, the sign-off ledger,
training records, certificates and the reminders already sent.

What a person signed must never change underneath them, so published versions, sign-offs,
quiz attempts and certificates are written once and never edited: the guards at the bottom of
this module refuse it inside the application, and on PostgreSQL a trigger refuses it in the
database itself.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..concurrency import Revisioned
from ..extensions import AppendOnly, Model, RecordIsAppendOnly, enum_type


class VersionState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChangeSize(enum.StrEnum):
    """Minor: wording tidied, nobody signs again. Major: the rules changed, everyone signs again."""

    MINOR = "minor"
    MAJOR = "major"

    @property
    def label(self) -> str:
        return {
            ChangeSize.MINOR: "Minor (no new sign-off)",
            ChangeSize.MAJOR: "Major (everyone signs again)",
        }[self]


class TrainingKind(enum.StrEnum):
    SAFEGUARDING = "safeguarding"
    DSL = "dsl"
    ONLINE_SAFETY = "online_safety"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            TrainingKind.SAFEGUARDING: "Safeguarding",
            TrainingKind.DSL: "Designated safeguarding lead",
            TrainingKind.ONLINE_SAFETY: "Online safety",
            TrainingKind.OTHER: "Other",
        }[self]


class ReminderStage(enum.StrEnum):
    INDUCTION_OVERDUE = "induction_overdue"
    RESIGN_NOTICE = "resign_notice"
    RESIGN_OVERDUE = "resign_overdue"
    TRAINING_EXPIRING = "training_expiring"
    TRAINING_EXPIRED = "training_expired"
    REVIEW_DUE = "review_due"
    REVIEW_OVERDUE = "review_overdue"


class Policy(Model):
    """A school policy (the Social Media Policy...); its text lives in its versions."""

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable short name used by course files and the demo ("social-media").
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    #: Who keeps the policy up to date: review reminders go to them.
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: How often the policy is reviewed; the school's policy says every year.
    review_interval_months: Mapped[int] = mapped_column(default=12)
    #: Month (1-12) when everyone signs again whatever the version (KCSIE: September); None:
    #: only a major version asks for a new sign-off.
    annual_resign_month: Mapped[int | None]
    #: Who must sign it beyond staff: everyone (parents and pupils can read it), or nobody more.
    open_to_families: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")
    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy", order_by="PolicyVersion.number"
    )


class PolicyVersion(Revisioned, Model):
    """One version of a policy's text: draft, then published (frozen), then superseded."""

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    #: 1, 2, 3... in the order they were drafted; the sign-off statement names it.
    number: Mapped[int]
    #: active_history: the guard below must know the state before a change, even when unloaded.
    state: Mapped[VersionState] = mapped_column(
        enum_type(VersionState), default=VersionState.DRAFT, active_history=True
    )
    change: Mapped[ChangeSize] = mapped_column(enum_type(ChangeSize), default=ChangeSize.MAJOR)
    #: What changed since the last version, in a sentence or two, for the staff told about it.
    change_summary: Mapped[str] = mapped_column(Text, default="")
    #: The exact Markdown source; for a published version, what its SHA-256 is computed over.
    body_markdown: Mapped[str] = mapped_column(Text)
    #: Hex SHA-256 of body_markdown as UTF-8, set when published.
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The leader who approved (published) it.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    #: When the policy is next due for review (published date + the policy's interval).
    review_due_on: Mapped[date | None]
    superseded_at: Mapped[datetime | None]

    policy: Mapped[Policy] = relationship(back_populates="versions", lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    sections: Mapped[list[PolicySection]] = relationship(
        back_populates="version",
        order_by="PolicySection.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (UniqueConstraint("policy_id", "number"),)

    @property
    def label(self) -> str:
        return f"version {self.number} of the {self.policy.title}"


class PolicySection(Model):
    """One `## ` section of a version, rendered once when saved; staff read section by section."""

    __tablename__ = "policy_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_version.id", ondelete="CASCADE"), index=True
    )
    #: 1-based order within the version.
    position: Mapped[int]
    heading: Mapped[str] = mapped_column(String(200))
    #: Sanitised HTML made from the section's Markdown: the only policy text marked safe.
    body_html: Mapped[str] = mapped_column(Text)

    version: Mapped[PolicyVersion] = relationship(back_populates="sections")

    __table_args__ = (UniqueConstraint("version_id", "position"),)


class SectionRead(AppendOnly, Model):
    """A section counts as read once the member of staff has opened it."""

    __tablename__ = "section_read"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("policy_section.id", ondelete="CASCADE"), primary_key=True
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Course(Model):
    """A short course on one policy, ending in a scenario quiz with a pass mark."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Matches the course file's name in esafety/induction/courses/.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), index=True)
    #: Percentage of questions to answer correctly to pass.
    pass_mark: Mapped[int] = mapped_column(default=80)
    #: The course's key points, sanitised HTML made from the file's Markdown.
    intro_html: Mapped[str] = mapped_column(Text, default="")

    policy: Mapped[Policy | None] = relationship()
    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="course",
        order_by="QuizQuestion.position",
        cascade="all, delete-orphan",
    )


class QuizQuestion(Model):
    __tablename__ = "quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    #: A scenario: "A parent sends you a friend request. What do you do?"
    prompt: Mapped[str] = mapped_column(Text)
    #: Shown after the attempt, whatever was chosen: why the right answer is right.
    explanation: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="questions")
    choices: Mapped[list[QuizChoice]] = relationship(
        back_populates="question",
        order_by="QuizChoice.position",
        cascade="all, delete-orphan",
    )


class QuizChoice(Model):
    __tablename__ = "quiz_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[QuizQuestion] = relationship(back_populates="choices")


class QuizAttempt(AppendOnly, Model):
    """One go at a course's quiz; every attempt is kept, passed or not."""

    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    #: Percentage of questions answered correctly.
    score: Mapped[int]
    passed: Mapped[bool]
    #: The questions and chosen answers as they were worded then (JSON), so later edits to a
    #: course file do not change what this attempt records.
    answers: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    course: Mapped[Course] = relationship(lazy="joined")


class Pathway(Model):
    """What a role must do in its first days: policies to sign and courses to pass."""

    __tablename__ = "pathway"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: Everything is due this many days after the member of staff's start date.
    due_within_days: Mapped[int] = mapped_column(default=10)

    #: A light pathway (volunteers, supply staff, students, contractors): they read and sign its
    #: policies without the courses and quizzes of the full induction.
    sign_only: Mapped[bool] = mapped_column(default=False)

    roles: Mapped[list[PathwayRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    policies: Mapped[list[Policy]] = relationship(
        secondary="pathway_policy", lazy="selectin", order_by="Policy.title"
    )
    courses: Mapped[list[Course]] = relationship(
        secondary="pathway_course", lazy="selectin", order_by="Course.title"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class PathwayRole(Model):
    """Staff holding this role follow the pathway."""

    __tablename__ = "pathway_role"

    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("pathway.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role), primary_key=True)


class PathwayPolicy(Model):
    __tablename__ = "pathway_policy"

    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("pathway.id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policy.id", ondelete="CASCADE"), primary_key=True
    )


class PathwayCourse(Model):
    __tablename__ = "pathway_course"

    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("pathway.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )


class SignOff(AppendOnly, Model):
    """One sign-off of one policy version: evidence that stands up, so written once and chained.

    record_hash is the SHA-256 of the canonical JSON of every other field, previous_hash
    included, so changing or removing any record breaks the chain from that point on.
    """

    __tablename__ = "sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The member of staff the sign-off is for.
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: Who clicked: the member of staff, or an admin recording a paper sign-off for them.
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: Required when someone records a sign-off for another person.
    on_behalf_reason: Mapped[str | None] = mapped_column(Text)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id"), index=True)
    #: The version's SHA-256 at the moment of signing.
    policy_sha256: Mapped[str] = mapped_column(String(64))
    #: The exact sentence the person agreed to.
    statement: Mapped[str] = mapped_column(Text)
    #: The full name as typed.
    typed_name: Mapped[str] = mapped_column(String(200))
    #: Best passing score on the policy's course, if it has one.
    quiz_score: Mapped[int | None]
    signed_at: Mapped[datetime] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    #: record_hash of the record before this one (64 zeros for the first); unique, so two
    #: sign-offs racing for the same place in the chain cannot both be written.
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    record_hash: Mapped[str] = mapped_column(String(64), unique=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    version: Mapped[PolicyVersion] = relationship(lazy="joined")

    def hashed_fields(self) -> dict[str, Any]:
        """Every field the hash covers, in plain JSON types (not the id, given by the database)."""
        return {
            "user_id": self.user_id,
            "recorded_by_id": self.recorded_by_id,
            "on_behalf_reason": self.on_behalf_reason,
            "policy_version_id": self.policy_version_id,
            "policy_sha256": self.policy_sha256,
            "statement": self.statement,
            "typed_name": self.typed_name,
            "quiz_score": self.quiz_score,
            "signed_at": self.signed_at.isoformat(timespec="seconds"),
            "ip": self.ip,
            "user_agent": self.user_agent,
            "previous_hash": self.previous_hash,
        }


class InductionCertificate(AppendOnly, Model):
    """Issued when a member of staff completes everything their pathways ask."""

    __tablename__ = "induction_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: JSON: {"sign_offs": [ids], "attempts": [ids]} that completed the induction.
    evidence: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined")


class TrainingRecord(Model):
    """A course someone completed; a refresher is a new record, never an edit of the old one."""

    __tablename__ = "training_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[TrainingKind] = mapped_column(enum_type(TrainingKind))
    course: Mapped[str] = mapped_column(String(160))
    provider: Mapped[str] = mapped_column(String(160))
    completed_on: Mapped[date]
    #: Null when the training does not expire.
    expires_on: Mapped[date | None] = mapped_column(index=True)
    #: File name under UPLOAD_FOLDER/induction/ (random, never the uploaded name).
    certificate_file: Mapped[str | None] = mapped_column(String(80))
    certificate_mimetype: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class ReminderSent(Model):
    """Each reminder goes at most once per stage: this records the ones already sent."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[ReminderStage] = mapped_column(enum_type(ReminderStage))
    #: What the reminder is about, e.g. "user:7:version:3" or "training:12".
    subject_key: Mapped[str] = mapped_column(String(120))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("stage", "subject_key"),
        Index("ix_reminder_sent_recipient_id", "recipient_id"),
    )


class ApprovalCapacity(enum.StrEnum):
    """The two signatures the school's policy carries: the headteacher's and the chair's."""

    HEADTEACHER = "headteacher"
    CHAIR = "chair"

    @property
    def label(self) -> str:
        return {
            ApprovalCapacity.HEADTEACHER: "Headteacher",
            ApprovalCapacity.CHAIR: "Chair of governors",
        }[self]


class PolicyApproval(AppendOnly, Model):
    """The headteacher's or the chair's approval of a version's exact text, with the equality
    check they confirmed: a version is ratified when both approved the text it carries."""

    __tablename__ = "policy_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_version.id", ondelete="CASCADE"), index=True
    )
    capacity: Mapped[ApprovalCapacity] = mapped_column(enum_type(ApprovalCapacity))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: SHA-256 of the draft's text when approved: an edit afterwards needs a new approval.
    sha256: Mapped[str] = mapped_column(String(64))
    #: JSON list of the equality-check keys the approver confirmed (all of them).
    equality_checks: Mapped[str] = mapped_column(Text, default="[]")
    #: Anything the approver noted about the policy's effect on any group.
    equality_note: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ReviewTrigger(enum.StrEnum):
    """Why a policy is being reviewed: its yearly date, an incident, or a new threat."""

    ANNUAL = "annual"
    INCIDENT = "incident"
    NEW_THREAT = "new_threat"

    @property
    def label(self) -> str:
        return {
            ReviewTrigger.ANNUAL: "Yearly review",
            ReviewTrigger.INCIDENT: "After an incident",
            ReviewTrigger.NEW_THREAT: "A new threat or development",
        }[self]


class PolicyReview(Model):
    """One review of a policy: opened (by its date, an incident or a new threat), then closed
    with what changed. The next yearly review counts from the last one closed."""

    __tablename__ = "policy_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    trigger: Mapped[ReviewTrigger] = mapped_column(enum_type(ReviewTrigger))
    #: Why: the incident or threat in a sentence (never a child's name).
    reason: Mapped[str] = mapped_column(Text)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the review should be finished by.
    due_on: Mapped[date]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: What changed (or why nothing needed to), for governors.
    outcome: Mapped[str] = mapped_column(Text, default="")
    #: The version the review led to, if any.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_version.id"))

    policy: Mapped[Policy] = relationship(lazy="joined")
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id], lazy="joined")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])


class AgreementKind(enum.StrEnum):
    """The acceptable-use agreements: pupils' in two key stages, and one for families."""

    KS1 = "ks1"
    KS2 = "ks2"
    FAMILY = "family"

    @property
    def label(self) -> str:
        return {
            AgreementKind.KS1: "Our computer promise (Reception to Year 2)",
            AgreementKind.KS2: "Our promise for computers and the internet (Years 3 to 6)",
            AgreementKind.FAMILY: "Our family's agreement with the school",
        }[self]


class ClassAgreement(Model):
    """A class read its acceptable-use agreement aloud with its teacher and agreed to it; the
    teacher records who was there to agree. Once per class and school year."""

    __tablename__ = "class_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_class.id", ondelete="CASCADE"), index=True
    )
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"))
    kind: Mapped[AgreementKind] = mapped_column(enum_type(AgreementKind))
    agreed_on: Mapped[date]
    #: JSON list of the pupils who agreed (those away sign when they are back).
    pupil_ids: Mapped[str] = mapped_column(Text, default="[]")
    #: SHA-256 of the agreement's text as read.
    text_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("class_id", "academic_year_id"),)


class FamilyAgreement(AppendOnly, Model):
    """A parent signed the families' acceptable-use agreement online: one a family a year."""

    __tablename__ = "family_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"))
    typed_name: Mapped[str] = mapped_column(String(200))
    text_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("parent_id", "academic_year_id"),)


# --- Guards: evidence is written once -------------------------------------------------------


class EvidenceIsWrittenOnce(RecordIsAppendOnly):
    """Raised when code tries to change or delete a published version or a sign-off."""


#: Columns of a version that may change after publication: only the move to superseded.
_VERSION_FIELDS_THAT_MAY_CHANGE = {"state", "superseded_at"}
for _record in (SignOff, QuizAttempt, InductionCertificate, SectionRead, PolicyApproval):
    _record.append_only_error = EvidenceIsWrittenOnce


def _was_published(version: PolicyVersion) -> bool:
    history = inspect(version).attrs.state.history
    before = history.deleted[0] if history.deleted else version.state
    return before != VersionState.DRAFT


@event.listens_for(Session, "before_flush")
def _refuse_evidence_edits(session: Session, flush_context: Any, instances: Any) -> None:
    """The text someone signed never changes (the ledger itself is AppendOnly)."""
    for obj in list(session.dirty) + list(session.deleted):
        deleting = obj in session.deleted
        if isinstance(obj, PolicyVersion) and _was_published(obj):
            if deleting:
                raise EvidenceIsWrittenOnce("A published policy version cannot be deleted.")
            changed = {
                attr.key for attr in inspect(obj).attrs if attr.history.has_changes()
            } - _VERSION_FIELDS_THAT_MAY_CHANGE
            if changed:
                raise EvidenceIsWrittenOnce(
                    f"A published policy version cannot be changed ({', '.join(sorted(changed))})."
                )
            if obj.state == VersionState.DRAFT:
                raise EvidenceIsWrittenOnce("A published policy version cannot become a draft.")
        if isinstance(obj, PolicySection):
            version = obj.version
            if version is not None and version.state != VersionState.DRAFT:
                if deleting or session.is_modified(obj):
                    raise EvidenceIsWrittenOnce("A published policy's sections cannot be changed.")


# On PostgreSQL the database itself refuses to change or remove a sign-off: esafety/guards.py.
