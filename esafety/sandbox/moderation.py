"""Teachers moderate the class blog: approve, send back with feedback, or take off (kept).

Policy: children's use of social media is directed and monitored, with teachers moderating.
Every decision goes to the audit log; nothing a child wrote is ever deleted.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Integer, Row, Select, bindparam, literal, null, select, union_all
from sqlalchemy.orm import joinedload, undefer

from .. import audit, concurrency
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..photos.models import BlogImage, ImageKind
from ..school import services as school
from ..school.models import Pupil
from ..writing.checks import Finding, check_text
from . import findings as class_findings
from . import saved_findings
from .blog_list import Author
from .findings import KIND_LABELS, allowed_words
from .models import (
    BlogComment,
    BlogPost,
    BlogPostPupil,
    BlogReport,
    ItemState,
    ReportState,
)
from .services import (
    Reader,
    names_and_allowed_words,
    names_to_check,
    photo_problem_of,
    require_staff,
)
from .waiting import waited_too_long

#: Ready-made reasons a teacher can pick when sending writing back (or they write their own).
READY_REASONS = {
    "text_speak": "Please write whole words instead of text speak.",
    "personal": "Please take out anything that could tell people who or where someone is.",
    "kind": "Please read it again and make sure it is kind to everyone.",
    "more": "Great start! Can you tell us a little more?",
    "check": "Please read it through and check your capital letters and full stops.",
}


class NotWaiting(DomainError):
    pass


Item = BlogPost | BlogComment

_POST_WITH_CLASS_AND_TAGS = [
    undefer(BlogPost.has_photo),
    joinedload(BlogPost.school_class),
    joinedload(BlogPost.tags).joinedload(BlogPostPupil.pupil).lazyload(Pupil.user),
]


def find_item(kind: str, item_id: int) -> Item:
    """The writing a decision is about, with its class (for the access check) and, for a post,
    whether it has a photo and who is tagged in them (the photo rule), in one statement."""
    item: Item | None = None
    if kind == "post":
        item = db.session.get(BlogPost, item_id, options=_POST_WITH_CLASS_AND_TAGS)
    elif kind == "comment":
        item = db.session.get(
            BlogComment,
            item_id,
            options=[joinedload(BlogComment.post).joinedload(BlogPost.school_class)],
        )
    if item is None:
        raise NotFoundError("We could not find that writing.")
    return item


def class_id_of(item: Item) -> int:
    return item.class_id if isinstance(item, BlogPost) else item.post.class_id


def _decide(actor: User, item: Item, state: ItemState) -> None:
    item.state = state
    item.decided_at = utcnow()
    item.decided_by_id = actor.id


def _require_waiting(item: Item, seen: int | str | None) -> None:
    """A decision is for writing still waiting, exactly as the teacher's page showed it."""
    if item.state is not ItemState.PENDING:
        raise NotWaiting("This is not waiting for a decision any more.")
    concurrency.expect_revision(item, seen)


def approve(actor: User, item: Item, seen: int | str | None = None) -> None:
    """Put waiting writing on the blog; a post waits while a pupil in its photos lacks consent.

    `seen` is the revision the teacher's page showed: approval publishes exactly that text."""
    require_staff(actor, class_id_of(item))
    _require_waiting(item, seen)
    if item.held_for_worry:
        raise DomainError(
            "This is held because the checks heard a worry, and the safeguarding team has a "
            "copy. If you have read it and it is fine, press “This is fine” on the worry first."
        )
    if isinstance(item, BlogPost):
        problem = photo_problem_of(
            item.has_photo,
            {tag.pupil_id: tag.pupil for tag in item.tags},
            item.no_pupils_in_photos,
        )
        if problem:
            raise DomainError(problem)
    elif item.post.state is not ItemState.APPROVED:
        raise DomainError("The post this comment belongs to is not on the blog.")
    _decide(actor, item, ItemState.APPROVED)
    concurrency.flush()
    audit.record(f"sandbox.{item.kind}.approved", actor=actor, target=item)


def return_with_feedback(
    actor: User, item: Item, feedback: str, seen: int | str | None = None
) -> None:
    """Send writing back to its author with a note; their text stays with them to edit."""
    require_staff(actor, class_id_of(item))
    _require_waiting(item, seen)
    feedback = (feedback or "").strip()
    if not feedback:
        raise DomainError("Choose a reason or write a note for the pupil.", field="feedback")
    if len(feedback) > 1000:
        raise DomainError("Please keep the note under 1000 letters.", field="feedback")
    item.feedback = feedback
    _decide(actor, item, ItemState.RETURNED)
    concurrency.flush()
    audit.record(f"sandbox.{item.kind}.returned", actor=actor, target=item)


def remove(actor: User, item: Item, note: str = "", seen: int | str | None = None) -> None:
    """Take writing off the blog for good; the record (and the text) is kept."""
    require_staff(actor, class_id_of(item))
    if item.state is ItemState.REMOVED:
        raise NotWaiting("This has already been taken off the blog.")
    concurrency.expect_revision(item, seen)
    previous = item.state
    if note.strip():
        item.feedback = note.strip()
    _decide(actor, item, ItemState.REMOVED)
    concurrency.flush()
    for report in _open_reports_on(item):
        report.state = ReportState.UPHELD
        report.decided_by_id = actor.id
        report.decided_at = item.decided_at
        report.decision_note = report.decision_note or "Your teacher took it off the blog."
        audit.record("sandbox.report.upheld", actor=actor, target=report, via="removal")
    concurrency.flush()
    audit.record(f"sandbox.{item.kind}.removed", actor=actor, target=item, was=previous.value)


def _open_reports_on(item: Item) -> list[BlogReport]:
    column = BlogReport.post_id if isinstance(item, BlogPost) else BlogReport.comment_id
    return list(
        db.session.scalars(
            select(BlogReport).where(column == item.id, BlogReport.state == ReportState.OPEN)
        )
    )


def decide(
    actor: User, item: Item, decision: str, feedback: str = "", seen: int | str | None = None
) -> None:
    """One entry point for the queue's three buttons; `seen` is the revision the page showed."""
    if decision == "approve":
        approve(actor, item, seen)
    elif decision == "return":
        return_with_feedback(actor, item, feedback, seen)
    elif decision == "remove":
        remove(actor, item, feedback, seen)
    else:
        raise DomainError("Choose approve, send back or take off.")


# --- The queue -----------------------------------------------------------------------------


@dataclass
class Segment:
    text: str
    finding: Finding | None = None

    @property
    def label(self) -> str:
        """The finding's kind in words, shown in the marked text beside what it covers."""
        return KIND_LABELS.get(self.finding.kind, self.finding.kind) if self.finding else ""


@dataclass(frozen=True)
class TaggedPupil:
    """A pupil someone said can be seen in a post's photos."""

    id: int
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class QueueItem:
    """A waiting post or comment: the columns the queue shows and its checks read."""

    kind: str
    id: int
    #: A post's title; for a comment, the title of the post it is on.
    post_title: str
    author: Author
    source: str
    html: str
    feedback: str | None
    created_at: datetime
    submitted_at: datetime | None
    held_for_worry: bool
    worry_concern_id: int | None
    revision: int
    findings: str | None
    findings_key: str | None
    #: A comment's post's state (a post's own: waiting).
    post_state: ItemState
    no_pupils_in_photos: bool = False
    tagged: tuple[TaggedPupil, ...] = ()

    @property
    def title(self) -> str:
        return self.post_title


@dataclass
class QueueEntry:
    item: QueueItem
    findings: list[Finding]
    segments: list[Segment]
    title_findings: list[Finding] = field(default_factory=list)
    images: list[Row] = field(default_factory=list)
    photo_problem: str | None = None

    @property
    def waiting_since(self) -> datetime:
        return self.item.submitted_at or self.item.created_at

    @property
    def waited_too_long(self) -> bool:
        """Waiting longer than the school allows: marked, and the teachers emailed once."""
        return waited_too_long(self.waiting_since)

    @property
    def flagged(self) -> bool:
        return any(f.kind in ("unkind", "worry") for f in self.findings + self.title_findings)

    @property
    def worried(self) -> bool:
        return self.item.held_for_worry


def highlight(text: str, findings: Iterable[Finding]) -> list[Segment]:
    """Split text into plain parts and marked parts, so the teacher sees what each finding is."""
    segments: list[Segment] = []
    position = 0
    # A worry covers a whole sentence: mark it first so the teacher sees it before the rest.
    for finding in sorted(findings, key=lambda f: (f.start, f.kind != "worry")):
        if finding.start < position:
            continue
        if finding.start > position:
            segments.append(Segment(text[position : finding.start]))
        segments.append(Segment(text[finding.start : finding.end], finding))
        position = finding.end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def _writing_columns(table: type[BlogPost] | type[BlogComment]) -> tuple:
    return (
        literal(table.kind).label("kind"),
        table.id,
        table.source,
        table.html,
        table.feedback,
        table.created_at,
        table.submitted_at,
        table.held_for_worry,
        table.worry_concern_id,
        table.revision,
        table.findings,
        table.findings_key,
        User.first_name,
        User.last_name,
        User.role_codes,
        BlogPost.title,
        BlogPost.state.label("post_state"),
        BlogPost.no_pupils_in_photos,
    )


def _queue_item(row: Row) -> QueueItem:
    return QueueItem(
        row.kind,
        row.id,
        row.title,
        Author(row.first_name, row.last_name, row.role_codes),
        row.source,
        row.html,
        row.feedback,
        row.created_at,
        row.submitted_at,
        row.held_for_worry,
        row.worry_concern_id,
        row.revision,
        row.findings,
        row.findings_key,
        row.post_state,
        row.no_pupils_in_photos,
    )


@functools.cache
def _waiting_statement() -> Select:
    """Built once per process (a union costs milliseconds to build); the class is a bound
    parameter."""
    class_id = bindparam("class_id", type_=Integer)
    posts = (
        select(
            *_writing_columns(BlogPost),
            Pupil.id.label("pupil_id"),
            Pupil.first_name.label("pupil_first_name"),
            Pupil.last_name.label("pupil_last_name"),
        )
        .join(User, User.id == BlogPost.author_id)
        .outerjoin(BlogPostPupil, BlogPostPupil.post_id == BlogPost.id)
        .outerjoin(Pupil, Pupil.id == BlogPostPupil.pupil_id)
        .where(BlogPost.class_id == class_id, BlogPost.state == ItemState.PENDING)
    )
    comments = (
        select(*_writing_columns(BlogComment), null(), null(), null())
        .join(BlogPost, BlogPost.id == BlogComment.post_id)
        .join(User, User.id == BlogComment.author_id)
        .where(BlogPost.class_id == class_id, BlogComment.state == ItemState.PENDING)
    )
    both = union_all(posts, comments).subquery()
    return select(both).order_by(both.c.kind, both.c.id, both.c.pupil_id)


def waiting_items(class_id: int) -> list[QueueItem]:
    """The class's waiting posts (with who is tagged in their photos) and comments, as rows of
    one statement (a post once per pupil tagged in it)."""
    items: dict[tuple[str, int], QueueItem] = {}
    for row in db.session.execute(_waiting_statement(), {"class_id": class_id}):
        ref = (row.kind, row.id)
        item = items.get(ref) or _queue_item(row)
        if row.pupil_id is not None:
            tag = TaggedPupil(row.pupil_id, row.pupil_first_name, row.pupil_last_name)
            item = replace(item, tagged=(*item.tagged, tag))
        items[ref] = item
    return list(items.values())


def queue(reader: Reader, allowed: list[str] | None = None) -> list[QueueEntry]:
    """Posts and comments waiting for the teacher, oldest first, with their findings marked.

    Takes the staff Reader that require_staff() gave the page, so access is checked once, and
    the class's allowed words when the page has read them already."""
    class_id = reader.school_class.id
    items = waiting_items(class_id)
    post_ids = [item.id for item in items if item.kind == "post"]
    pictures: dict[int, list[Row]] = {}
    if post_ids:
        for image in db.session.execute(
            select(
                BlogImage.id,
                BlogImage.post_id,
                BlogImage.kind,
                BlogImage.description,
                BlogImage.width,
                BlogImage.height,
            )
            .where(BlogImage.post_id.in_(post_ids))
            .order_by(BlogImage.id)
        ):
            pictures.setdefault(image.post_id, []).append(image)
    tagged = {pupil.id for item in items for pupil in item.tagged}
    consent = school.photo_consent_for(tagged, "class_blog") if tagged else {}
    names = names_to_check(class_id)
    if allowed is None:
        allowed = allowed_words(class_id)
    key = saved_findings.checks_key(names, allowed)
    entries = []
    for item in items:
        found = saved_findings.stored(item, key) or _check_again(item, names, allowed)
        findings = found.get("body", [])
        entry = QueueEntry(item, findings, highlight(item.source, findings))
        if item.kind == "post":
            entry.title_findings = found.get("title", [])
            entry.images = pictures.get(item.id, [])
            entry.photo_problem = photo_problem_of(
                any(image.kind is ImageKind.PHOTO for image in entry.images),
                {pupil.id: pupil for pupil in item.tagged},
                item.no_pupils_in_photos,
                consent,
            )
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.waiting_since, e.item.kind, e.item.id))


def _check_again(item: Item | QueueItem, names, allowed) -> dict[str, list[Finding]]:
    """Stored findings missing or out of date (new rules, names or allowed words): the checks."""
    texts = saved_findings.texts_of(item)
    return {field: check_text(text, names, allowed=allowed) for field, text in texts.items()}


def store_waiting_findings(class_id: int) -> int:
    """Work out and store the findings of the class's waiting writing whose stored ones are out
    of date (after new rules, or for writing saved before findings were kept). Returns how many."""
    names, allowed = names_and_allowed_words(class_id)
    key = saved_findings.checks_key(names, allowed)
    waiting = [
        *db.session.scalars(
            select(BlogPost).where(
                BlogPost.class_id == class_id, BlogPost.state == ItemState.PENDING
            )
        ),
        *db.session.scalars(
            select(BlogComment)
            .join(BlogPost, BlogPost.id == BlogComment.post_id)
            .where(BlogPost.class_id == class_id, BlogComment.state == ItemState.PENDING)
        ),
    ]
    stale = [item for item in waiting if saved_findings.stored(item, key) is None]
    for item in stale:
        saved_findings.store(item, _check_again(item, names, allowed), key)
    db.session.flush()
    return len(stale)


# --- "This is fine" ----------------------------------------------------------------------------


def mark_fine(
    actor: User,
    class_id: int,
    words: str,
    kind: str | None = None,
    item_kind: str = "",
    item_id: int | None = None,
) -> str:
    """A teacher says a finding (or typed words) is fine here: the class's list learns it.

    On a worry it lets that one piece of writing go on the blog instead; the concern stays with
    the safeguarding team. Returns what happened, for the teacher's message.
    """
    require_staff(actor, class_id)
    if kind == "worry":
        item = find_item(item_kind, item_id or 0)
        if class_id_of(item) != class_id:
            raise NotFoundError("We could not find that writing.")
        class_findings.release_from_worry(actor, item)
        return "released"
    class_findings.allow(actor, class_id, words, kind or None)
    return "allowed"


def remove_allowed(actor: User, class_id: int, entry_id: int) -> None:
    require_staff(actor, class_id)
    class_findings.remove_allowed(actor, class_id, entry_id)


def class_counts(reader: Reader) -> list[class_findings.WeekCount]:
    """The class's findings by kind and week (from require_staff's Reader; no pupil names)."""
    return class_findings.weekly_counts(reader.school_class.id)
