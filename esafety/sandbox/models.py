"""The class blog: posts, comments, reports, tags and the words a class may use."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, column_property, declared_attr, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..concurrency import Revisioned
from ..extensions import Model, enum_type
from ..photos.models import BlogImage, ImageKind
from ..school.models import Pupil, SchoolClass


class ItemState(enum.StrEnum):
    """Where a post or comment is on its way to the class (see ARCHITECTURE.md)."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    #: Reported: out of sight of pupils and parents until a teacher decides.
    HIDDEN = "hidden"
    #: Taken off the blog by a teacher; kept for the record, never deleted.
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    ItemState.DRAFT: "Draft: only you can see it",
    ItemState.PENDING: "Waiting for your teacher",
    ItemState.APPROVED: "On the blog",
    ItemState.RETURNED: "Your teacher sent it back with a note",
    ItemState.HIDDEN: "Your teacher is taking another look at it",
    ItemState.REMOVED: "Your teacher took it off the blog",
}


class ModeratedWriting(Revisioned):
    """What posts and comments share: the author, the words as typed and as HTML, the decision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Exactly what the author typed (light Markdown); the HTML below is made from it at save.
    source: Mapped[str] = mapped_column(Text, default="")
    #: Made once at save by esafety.text.render_markdown: the only user text marked |safe.
    html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ItemState] = mapped_column(
        enum_type(ItemState), default=ItemState.DRAFT, index=True
    )
    #: The teacher's words when they send it back; the author reads them beside their text.
    feedback: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was last sent to the teacher: the queue shows the oldest first.
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    #: The checks heard a worry: kept from the blog until a teacher says it is fine.
    held_for_worry: Mapped[bool] = mapped_column(default=False)
    #: The safeguarding concern the worry became (that feature's id; no foreign key across
    #: features), so saving the same words again does not raise a second one.
    worry_concern_id: Mapped[int | None]
    #: The words that concern was raised with.
    worry_words: Mapped[str | None] = mapped_column(Text)
    #: What the checks found when it was saved (JSON, esafety/sandbox/saved_findings.py), so the
    #: teacher's queue does not run every check on every item at every view.
    findings: Mapped[str | None] = mapped_column(Text)
    #: The rules version and class lists (names, allowed words) those findings were made with.
    findings_key: Mapped[str | None] = mapped_column(String(32))

    @declared_attr
    def author_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("user.id"), index=True)

    @declared_attr
    def decided_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user.id"))

    @declared_attr
    def author(cls: Any) -> Mapped[User]:  # called on the mapped class
        return relationship("User", foreign_keys=f"[{cls.__name__}.author_id]", lazy="joined")


class BlogPost(ModeratedWriting, Model):
    __tablename__ = "blog_post"
    #: A page of a class's blog, newest first, read from the index in order (not a sort of the
    #: class's whole history).
    __table_args__ = (Index("ix_blog_post_class_listing", "class_id", "state", "decided_at", "id"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    #: Staff said nobody can be seen in the photos, so no pupil needs tagging.
    no_pupils_in_photos: Mapped[bool] = mapped_column(default=False)

    school_class: Mapped[SchoolClass] = relationship()
    tags: Mapped[list[BlogPostPupil]] = relationship(
        back_populates="post", cascade="all, delete-orphan"
    )

    @declared_attr
    def has_photo(cls) -> Mapped[bool]:
        """Whether a picture on the post is a photo (the photo rule's question): read when
        asked for, or with the post where a decision loads it; adding or taking off a picture
        forgets it (services.attach_picture, remove_picture)."""
        photo = select(BlogImage.id).where(
            BlogImage.post_id == cls.id, BlogImage.kind == ImageKind.PHOTO
        )
        return column_property(photo.exists(), deferred=True)

    kind = "post"


class BlogComment(ModeratedWriting, Model):
    __tablename__ = "blog_comment"

    post_id: Mapped[int] = mapped_column(ForeignKey("blog_post.id"), index=True)

    post: Mapped[BlogPost] = relationship()

    kind = "comment"

    @property
    def title(self) -> str:
        return f"Comment on “{self.post.title}”"


class BlogPostPupil(Model):
    """A pupil who can be seen in a post's photos: approval waits for their photo consent."""

    __tablename__ = "blog_post_pupil"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("blog_post.id", ondelete="CASCADE"), primary_key=True
    )
    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupil.id", ondelete="CASCADE"), primary_key=True
    )
    tagged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    post: Mapped[BlogPost] = relationship(back_populates="tags")
    pupil: Mapped[Pupil] = relationship(lazy="joined")


class PostingWindow(Model):
    """A time when pupils may write on their class blog (pupils blog only in a lesson activity)."""

    __tablename__ = "posting_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The window shuts itself at this time; null means "until the teacher closes it".
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


class ReportReason(enum.StrEnum):
    UNKIND = "unkind"
    PERSONAL_INFORMATION = "personal_information"
    WORRIES_ME = "worries_me"
    SOMETHING_ELSE = "something_else"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    ReportReason.UNKIND: "It is unkind",
    ReportReason.PERSONAL_INFORMATION: "It shares personal information",
    ReportReason.WORRIES_ME: "It worries me",
    ReportReason.SOMETHING_ELSE: "Something else",
}


class ReportState(enum.StrEnum):
    OPEN = "open"
    #: The teacher agreed: the item was taken off the blog.
    UPHELD = "upheld"
    #: The teacher looked and put the item back.
    DISMISSED = "dismissed"


class BlogReport(Revisioned, Model):
    """Someone told a teacher about a post or comment; the item is hidden until a decision."""

    __tablename__ = "blog_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("blog_post.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("blog_comment.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_type(ReportReason))
    #: The reporter's own words, if they added any.
    details: Mapped[str] = mapped_column(Text, default="")
    #: A copy of the item's words when it was reported, so later edits cannot change the record.
    reported_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[ReportState] = mapped_column(
        enum_type(ReportState), default=ReportState.OPEN, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    #: The teacher's note; the reporter reads it with the outcome.
    decision_note: Mapped[str | None] = mapped_column(Text)
    #: Set when a teacher passed the report to the e-safety officer as a safeguarding concern.
    passed_on_at: Mapped[datetime | None]
    passed_on_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The safeguarding concern it became (that feature's id; no foreign key across features).
    concern_id: Mapped[int | None]

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    post: Mapped[BlogPost | None] = relationship()
    comment: Mapped[BlogComment | None] = relationship()

    __table_args__ = (
        CheckConstraint("(post_id IS NULL) <> (comment_id IS NULL)", name="one_item"),
    )

    @property
    def item_kind(self) -> str:
        return "post" if self.post_id is not None else "comment"

    @property
    def item(self) -> BlogPost | BlogComment:
        item = self.post if self.post_id is not None else self.comment
        assert item is not None  # the one_item check: a report is of a post or of a comment
        return item


class AllowedWords(Model):
    """Words a class's teacher said are fine in their class ("Class R", a story's title)."""

    __tablename__ = "blog_allowed_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    #: Lower case, single spaces: compared with the words a finding covers.
    words: Mapped[str] = mapped_column(String(80))
    #: The kind of finding it came from, when a teacher said "this is fine" on one.
    kind: Mapped[str | None] = mapped_column(String(20))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    added_by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("class_id", "words"),)


class FindingTally(Model):
    """One time the checks stepped in on a pupil's writing: the class and the kind, no pupil.

    Counted by week so a teacher sees what the class needs teaching, never who wrote what.
    """

    __tablename__ = "blog_finding_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    found_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WaitNotice(Model):
    """A class's teachers were emailed that this writing had waited too long for them.

    One row for each time a post or comment was sent: the same waiting is never told twice,
    but writing sent again later (after an edit or being sent back) may be. No pupil, no text.
    """

    __tablename__ = "blog_wait_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    #: "post" or "comment"
    item_kind: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[int]
    #: When the writing was sent to the teacher: the waiting this notice was about.
    submitted_at: Mapped[datetime]
    noticed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("item_kind", "item_id", "submitted_at"),)
