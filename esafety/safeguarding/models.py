"""Safeguarding records: concerns, their evidence and chronology, who opened them, blocked sites."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..concurrency import Revisioned
from ..extensions import AppendOnly, Model, enum_type


class ConcernKind(enum.StrEnum):
    CYBER_BULLYING = "cyber_bullying"
    UNWANTED_CONTACT = "unwanted_contact"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    DAMAGING_POST = "damaging_post"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            ConcernKind.CYBER_BULLYING: "Cyber bullying",
            ConcernKind.UNWANTED_CONTACT: "Unwanted contact or friend request",
            ConcernKind.INAPPROPRIATE_CONTENT: "Inappropriate content seen",
            ConcernKind.DAMAGING_POST: "Damaging post about the school or staff",
            ConcernKind.OTHER: "Something else",
        }[self]


class Involved(enum.StrEnum):
    """Who the concern is about: the other person in what happened."""

    PUPIL = "pupil"
    STAFF = "staff"
    ADULT_OUTSIDE = "adult_outside"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            Involved.PUPIL: "A pupil",
            Involved.STAFF: "A member of staff",
            Involved.ADULT_OUTSIDE: "An adult outside school",
            Involved.UNKNOWN: "Not known",
        }[self]


class Procedure(enum.StrEnum):
    """Which of the school's procedures a concern follows, chosen when it is routed."""

    ANTI_BULLYING = "anti_bullying"
    ALLEGATIONS = "allegations"
    STAFF_CONTACT = "staff_contact"
    ADULT_OUTSIDE = "adult_outside"
    BLOCK_SITE = "block_site"
    PUPIL_WORRY = "pupil_worry"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return {
            Procedure.ANTI_BULLYING: "Anti-Bullying Policy",
            Procedure.ALLEGATIONS: "Allegations of Abuse Against Staff Policy",
            Procedure.STAFF_CONTACT: "Social media contact between staff and pupils or parents",
            Procedure.ADULT_OUTSIDE: "An adult outside school: meeting, removal, provider, police",
            Procedure.BLOCK_SITE: "Inappropriate content in school: have the site blocked",
            Procedure.PUPIL_WORRY: "A pupil's worry: class teacher with the e-safety officer",
            Procedure.GENERAL: "E-safety officer",
        }[self]


class ConcernStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REFERRED = "referred"

    @property
    def label(self) -> str:
        return {
            ConcernStatus.NEW: "New",
            ConcernStatus.IN_PROGRESS: "In progress",
            ConcernStatus.RESOLVED: "Resolved",
            ConcernStatus.REFERRED: "Referred",
        }[self]

    @property
    def is_closed(self) -> bool:
        return self in (ConcernStatus.RESOLVED, ConcernStatus.REFERRED)


class Urgency(enum.StrEnum):
    """Asked on every concern: is a child at risk now, or is this information to act on?"""

    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def label(self) -> str:
        return {
            Urgency.URGENT: "Urgent: a child may be at risk now",
            Urgency.ROUTINE: "Information to act on",
        }[self]


class PupilPart(enum.StrEnum):
    """The part a pupil plays in a concern; one concern can involve several pupils."""

    HARMED = "harmed"
    HARMED_OTHERS = "harmed_others"
    WITNESS = "witness"
    REPORTED = "reported"

    @property
    def label(self) -> str:
        return {
            PupilPart.HARMED: "Harmed or at risk",
            PupilPart.HARMED_OTHERS: "Harmed others",
            PupilPart.WITNESS: "Witness",
            PupilPart.REPORTED: "Told us",
        }[self]


class Agency(enum.StrEnum):
    """Who a concern can be referred to; a referral leaves the case open here."""

    SOCIAL_CARE = "social_care"
    EARLY_HELP = "early_help"
    POLICE = "police"
    LADO = "lado"
    CEOP = "ceop"
    REPORT_REMOVE = "report_remove"
    PREVENT = "prevent"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Agency.SOCIAL_CARE: "Children's social care (MASH)",
            Agency.EARLY_HELP: "Early Help",
            Agency.POLICE: "Police",
            Agency.LADO: "LADO (allegations about staff)",
            Agency.CEOP: "CEOP",
            Agency.REPORT_REMOVE: "Report Remove",
            Agency.PREVENT: "Prevent / Channel",
            Agency.OTHER: "Another agency",
        }[self]


class ReferredTo(enum.StrEnum):
    POLICE = "police"
    LOCAL_AUTHORITY = "local_authority"

    @property
    def label(self) -> str:
        return "The police" if self is ReferredTo.POLICE else "The local authority"


class ConcernSource(enum.StrEnum):
    FORM = "form"
    TELL_A_TEACHER = "tell_a_teacher"
    CLASS_BLOG = "class_blog"
    TRANSFER = "transfer"

    @property
    def label(self) -> str:
        return {
            ConcernSource.FORM: "Concern form",
            ConcernSource.TELL_A_TEACHER: "Tell a teacher (pupil)",
            ConcernSource.CLASS_BLOG: "Class blog",
            ConcernSource.TRANSFER: "Child-protection file from another school",
        }[self]


class Material(enum.StrEnum):
    """Material the policy says makes the school consider contacting the police."""

    THREATENING = "threatening"
    ABUSIVE = "abusive"
    SEXIST = "sexist"
    SEXUAL = "sexual"
    HATE = "hate"

    @property
    def label(self) -> str:
        return {
            Material.THREATENING: "Threatening",
            Material.ABUSIVE: "Abusive",
            Material.SEXIST: "Sexist",
            Material.SEXUAL: "Of a sexual nature",
            Material.HATE: "Hate crime (hatred because of who someone is)",
        }[self]


class ActionKind(enum.StrEnum):
    RAISED = "raised"
    ROUTED = "routed"
    ASSIGNED = "assigned"
    STARTED = "started"
    MATERIAL_MARKED = "material_marked"
    EVIDENCE_ADDED = "evidence_added"
    BLOCK_REQUESTED = "block_requested"
    MEETING_HELD = "meeting_held"
    REMOVAL_REQUESTED = "removal_requested"
    PROVIDER_CONTACTED = "provider_contacted"
    POLICE_CONTACTED = "police_contacted"
    OUTCOME = "outcome"
    NOTE = "note"
    RESOLVED = "resolved"
    REFERRED = "referred"
    EXPORTED = "exported"
    PUPIL_ADDED = "pupil_added"
    TASK_SET = "task_set"
    TASK_DONE = "task_done"
    REVIEW_SET = "review_set"
    REFERRAL_MADE = "referral_made"
    REFERRAL_UPDATED = "referral_updated"
    ESCALATED = "escalated"
    REMINDER = "reminder"
    FILE_DESTROYED = "file_destroyed"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    ActionKind.RAISED: "Concern raised",
    ActionKind.ROUTED: "Passed to",
    ActionKind.ASSIGNED: "Handler assigned",
    ActionKind.STARTED: "Work started",
    ActionKind.MATERIAL_MARKED: "Material marked",
    ActionKind.EVIDENCE_ADDED: "Evidence added",
    ActionKind.BLOCK_REQUESTED: "Site block requested",
    ActionKind.MEETING_HELD: "Meeting held",
    ActionKind.REMOVAL_REQUESTED: "Removal requested",
    ActionKind.PROVIDER_CONTACTED: "Provider contacted",
    ActionKind.POLICE_CONTACTED: "Police contacted",
    ActionKind.OUTCOME: "Outcome",
    ActionKind.NOTE: "Note",
    ActionKind.RESOLVED: "Resolved",
    ActionKind.REFERRED: "Referred",
    ActionKind.EXPORTED: "Exported for a referral",
    ActionKind.PUPIL_ADDED: "Pupil added",
    ActionKind.TASK_SET: "Action set",
    ActionKind.TASK_DONE: "Action done",
    ActionKind.REVIEW_SET: "Review date set",
    ActionKind.REFERRAL_MADE: "Referral made",
    ActionKind.REFERRAL_UPDATED: "Referral updated",
    ActionKind.ESCALATED: "Deputy alerted",
    ActionKind.REMINDER: "Reminder sent",
    ActionKind.FILE_DESTROYED: "Picture destroyed",
}

#: The steps a handler records by hand; the others are written by the app.
HANDLER_ACTIONS = (
    ActionKind.MEETING_HELD,
    ActionKind.REMOVAL_REQUESTED,
    ActionKind.PROVIDER_CONTACTED,
    ActionKind.POLICE_CONTACTED,
    ActionKind.OUTCOME,
    ActionKind.NOTE,
)


class Concern(Revisioned, Model):
    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConcernKind] = mapped_column(enum_type(ConcernKind), index=True)
    involved: Mapped[Involved] = mapped_column(enum_type(Involved))
    source: Mapped[ConcernSource] = mapped_column(enum_type(ConcernSource))
    #: The blog item it came from ("post:12"), for reports passed on by the class blog.
    source_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: The teacher who passed a blog report on, when it did not come from the reporter directly.
    passed_on_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The pupil affected or involved, if the reporter named one they may see.
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupil.id"), index=True)
    #: The class concerned (the pupil's class, or the blog's); its teachers are told.
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"))
    #: The member of staff the concern is about: they can never open it.
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Set when the concern is about the headteacher: only the chair of governors opens it.
    about_headteacher: Mapped[bool] = mapped_column(default=False)
    #: Names the reporter chose to give (optional, free text).
    names: Mapped[str] = mapped_column(Text, default="")
    #: Reported as friend requests or contact between staff and pupils or parents.
    staff_contact: Mapped[bool] = mapped_column(default=False)
    #: Seen in school, on a school device or the school network.
    in_school: Mapped[bool] = mapped_column(default=False)
    platform: Mapped[str] = mapped_column(String(80), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    #: When it happened, as the reporter gave it (school's local time); pupils are not asked.
    occurred_on: Mapped[date | None]
    occurred_time: Mapped[time | None]
    description: Mapped[str] = mapped_column(Text)
    #: A copy of the words reported (from the class blog), kept even if the original goes.
    quoted_text: Mapped[str] = mapped_column(Text, default="")
    #: Comma-separated Material values the reporter ticked.
    reported_material: Mapped[str] = mapped_column(String(80), default="")
    #: Comma-separated Material values a handler marked.
    handler_material: Mapped[str] = mapped_column(String(80), default="")
    #: Raised when anyone marks material threatening, abusive, sexist, sexual or hate.
    consider_police: Mapped[bool] = mapped_column(default=False)
    procedure: Mapped[Procedure] = mapped_column(enum_type(Procedure))
    status: Mapped[ConcernStatus] = mapped_column(
        enum_type(ConcernStatus), default=ConcernStatus.NEW, index=True
    )
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    referred_to: Mapped[ReferredTo | None] = mapped_column(enum_type(ReferredTo))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[datetime | None]
    #: Asked on every concern; urgent ones alert the deputies at once.
    urgency: Mapped[Urgency] = mapped_column(enum_type(Urgency), default=Urgency.ROUTINE)
    #: The first time someone who handles it opened it; unread ones escalate to the deputies.
    first_read_at: Mapped[datetime | None]
    #: When the deputies were alerted (urgent, or unread too long), so they are told once.
    escalated_at: Mapped[datetime | None]
    #: Not told to the class team: the child said it is about someone at school.
    keep_from_class: Mapped[bool] = mapped_column(default=False)
    #: The next case review, set by the handler.
    review_on: Mapped[date | None]
    #: Allegations about staff: the LADO must be contacted by then (one working day).
    lado_due_at: Mapped[datetime | None]
    #: When the handler was reminded that the LADO contact is overdue.
    lado_reminded_at: Mapped[datetime | None]

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id], lazy="joined")
    passed_on_by: Mapped[User | None] = relationship(foreign_keys=[passed_on_by_id])
    staff_member: Mapped[User | None] = relationship(foreign_keys=[staff_member_id])
    pupil = relationship("Pupil")
    school_class = relationship("SchoolClass")
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="concern", order_by="Evidence.id"
    )
    actions: Mapped[list[ConcernAction]] = relationship(
        back_populates="concern", order_by="ConcernAction.id"
    )
    pupils: Mapped[list[ConcernPupil]] = relationship(
        back_populates="concern", order_by="ConcernPupil.id"
    )
    tasks: Mapped[list[CaseTask]] = relationship(back_populates="concern", order_by="CaseTask.id")
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="concern", order_by="Referral.id"
    )

    @property
    def reference(self) -> str:
        return f"SG-{self.id:04d}"

    @property
    def material(self) -> list[Material]:
        chosen = set(split_material(self.reported_material)) | set(
            split_material(self.handler_material)
        )
        return [m for m in Material if m in chosen]

    @property
    def images_withheld(self) -> bool:
        """Material that may be sexual: pictures are never shown, only hashes and words."""
        return Material.SEXUAL in self.material


def split_material(value: str) -> list[Material]:
    return [Material(v) for v in value.split(",") if v]


def join_material(values) -> str:
    return ",".join(m.value for m in Material if m in set(values))


class Evidence(Model):
    """A file kept exactly as uploaded (outside static/), with its hash for a referral."""

    __tablename__ = "concern_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), index=True)
    #: The uploader's file name, tidied; shown to handlers, never used as a path.
    original_name: Mapped[str] = mapped_column(String(255))
    #: Path under UPLOAD_FOLDER, e.g. "safeguarding/12/3f9a....png".
    stored_path: Mapped[str] = mapped_column(String(255), unique=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    #: SHA-256 of the file as uploaded (hex), so a referral can show it is unchanged.
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: The date and time of the incident the evidence shows, as the reporter gave it.
    incident_on: Mapped[date | None]
    incident_time: Mapped[time | None]
    #: When the DSL destroyed the file (a picture that may show a child): the record and its
    #: hash stay, the file does not.
    destroyed_at: Mapped[datetime | None]
    destroyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    destroyed_reason: Mapped[str] = mapped_column(Text, default="")

    concern: Mapped[Concern] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id], lazy="joined")

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


class ConcernPupil(Model):
    """A pupil in a concern, with their part: each appears on that child's chronology."""

    __tablename__ = "concern_pupil"
    __table_args__ = (UniqueConstraint("concern_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id"), index=True)
    part: Mapped[PupilPart] = mapped_column(enum_type(PupilPart))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    concern: Mapped[Concern] = relationship(back_populates="pupils")
    pupil = relationship("Pupil", lazy="joined")


class CaseTask(Model):
    """Something to do on a case, with an owner and a due date; overdue ones are reminded."""

    __tablename__ = "concern_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_note: Mapped[str] = mapped_column(Text, default="")
    #: The last day the owner was reminded it is overdue (once a day at most).
    reminded_on: Mapped[date | None]

    concern: Mapped[Concern] = relationship(back_populates="tasks")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")

    def overdue(self, on: date) -> bool:
        return self.done_at is None and self.due_on < on


class Referral(Model):
    """A referral to another agency; the case stays open here while they act."""

    __tablename__ = "concern_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), index=True)
    agency: Mapped[Agency] = mapped_column(enum_type(Agency))
    #: The other agency's name when "another agency" is chosen.
    agency_name: Mapped[str] = mapped_column(String(120), default="")
    #: Their reference number, as they gave it.
    reference: Mapped[str] = mapped_column(String(80), default="")
    referred_on: Mapped[date]
    referred_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    #: When to chase or check on it next.
    follow_up_on: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="referrals")
    referred_by: Mapped[User] = relationship(lazy="joined")

    @property
    def agency_label(self) -> str:
        return (
            self.agency_name
            if self.agency is Agency.OTHER and self.agency_name
            else (self.agency.label)
        )


class LowLevelConcern(Model):
    """A low-level concern about a member of staff: for the headteacher and the DSL, or the
    chair of governors when it is about the headteacher; never for the person it is about."""

    __tablename__ = "low_level_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    about_headteacher: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date | None]
    #: Who raised it with the school (may be the person recording it).
    raised_by: Mapped[str] = mapped_column(String(160), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    response: Mapped[str] = mapped_column(Text, default="")

    staff_member: Mapped[User] = relationship(foreign_keys=[staff_member_id], lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")


class ConcernAction(AppendOnly, Model):
    """One step in a concern's chronology, with who and when; never shown to the reporter."""

    __tablename__ = "concern_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(enum_type(ActionKind))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Null only for steps the app took by itself.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    concern: Mapped[Concern] = relationship(back_populates="actions")
    by: Mapped[User | None] = relationship(lazy="joined")


class ConcernAccess(AppendOnly, Model):
    """Who opened which safeguarding page or file, and when: the headteacher reads this log."""

    __tablename__ = "concern_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Null for pages that list or count concerns rather than open one.
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: What was opened, in words: "case", "evidence 3", "export".
    what: Mapped[str] = mapped_column(String(80))

    user: Mapped[User] = relationship(lazy="joined")


class BlockStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            BlockStatus.PENDING: "Waiting for approval",
            BlockStatus.APPROVED: "Blocked",
            BlockStatus.DECLINED: "Declined",
        }[self]


class BlockedSite(Model):
    """A domain for the school's filter; requests from concerns wait here for approval."""

    __tablename__ = "blocked_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case, ASCII (punycode) host name without "www.", e.g. "example.com".
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[BlockStatus] = mapped_column(enum_type(BlockStatus), index=True)
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    concern: Mapped[Concern | None] = relationship()


class TransferDirection(enum.StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class FileTransfer(Model):
    """A child-protection file sent to a pupil's new school (with its receipt) or received."""

    __tablename__ = "cp_file_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id"), index=True)
    direction: Mapped[TransferDirection] = mapped_column(enum_type(TransferDirection))
    #: The receiving school (sent) or the sending school (received).
    other_school: Mapped[str] = mapped_column(String(200))
    made_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: SHA-256 of the whole package, so both schools can show it is the same file.
    package_sha256: Mapped[str] = mapped_column(String(64))
    #: The package kept for download (sent files), under the upload folder.
    stored_path: Mapped[str | None] = mapped_column(String(255))
    #: SHA-256 of the one-time receipt link's token; cleared once used.
    receipt_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Five school days after sending: without a receipt by then the DSL is reminded.
    receipt_due_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    received_by: Mapped[str] = mapped_column(String(200), default="")
    reminded_at: Mapped[datetime | None]

    pupil = relationship("Pupil", lazy="joined")
    made_by: Mapped[User] = relationship(lazy="joined")
