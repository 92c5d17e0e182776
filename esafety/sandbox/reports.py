"""Anyone who can see the blog can report a post or comment; a teacher decides, and says why.

Policy: inappropriate content is reported to a teacher. The reported item is hidden from pupils
at once, a copy of its words is kept with the report, and the reporter sees the outcome.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, func, literal, select, union_all
from sqlalchemy.orm import aliased

from .. import audit, concurrency
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..safeguarding import services as safeguarding
from .blog_list import Author
from .findings import raise_worry
from .models import BlogComment, BlogPost, BlogReport, ItemState, ReportReason, ReportState
from .moderation import Item, class_id_of
from .services import (
    Reader,
    blog_reader,
    can_see_comment,
    can_see_post,
    check_fields,
    require_staff,
)

DETAILS_MAX = 500
NOTE_MAX = 1000


def report_item(
    actor: User, item: Item, reason: ReportReason | str, details: str = ""
) -> BlogReport:
    """Tell the teacher about a post or comment; it is hidden from pupils straight away."""
    reader = blog_reader(actor, class_id_of(item))
    visible = (
        can_see_post(reader, item) if isinstance(item, BlogPost) else can_see_comment(reader, item)
    )
    if not visible:
        raise NotFoundError("We could not find that.")
    try:
        reason = ReportReason(reason)
    except ValueError as error:
        raise DomainError("Choose the reason that fits best.", field="reason") from error
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        raise DomainError(f"Please keep it under {DETAILS_MAX} letters.", field="details")
    if item.state is not ItemState.APPROVED:
        raise DomainError("Thank you: a teacher is already looking at this one.")
    report = BlogReport(
        class_id=reader.school_class.id,
        reporter_id=actor.id,
        reason=reason,
        details=details,
        reported_text=_copy_of(item),
        created_at=utcnow(),
    )
    if isinstance(item, BlogPost):
        report.post_id = item.id
    else:
        report.comment_id = item.id
    item.state = ItemState.HIDDEN
    db.session.add(report)
    db.session.flush()
    if reader.is_pupil and details and _has_worry(details, report.class_id):
        # A child's own words when telling us about a post are heard like their writing.
        report.concern_id = raise_worry(
            actor, "their words when reporting a blog post", "report", report.id, details
        )
    audit.record("sandbox.report.made", actor=actor, target=report, reason=reason.value)
    audit.record(f"sandbox.{item.kind}.hidden", actor=actor, target=item, report_id=report.id)
    return report


def _has_worry(text: str, class_id: int) -> bool:
    return any(f.kind == "worry" for f in check_fields({"details": text}, class_id)["details"])


def _copy_of(item: Item) -> str:
    if isinstance(item, BlogPost):
        return f"{item.title}\n\n{item.source}"
    return item.source


def report_for_staff(actor: User, report_id: int) -> BlogReport:
    report = db.session.get(BlogReport, report_id)
    if report is None:
        raise NotFoundError("We could not find that report.")
    require_staff(actor, report.class_id)
    return report


def decide_report(
    actor: User, report: BlogReport, uphold: bool, note: str, seen: int | str | None = None
) -> None:
    """Uphold (take the item off, kept) or dismiss (put it back), with a note the reporter reads.

    Every open report on the same item gets the same decision, so nothing is left hanging.
    `seen` is the report's revision on the teacher's page.
    """
    require_staff(actor, report.class_id)
    if report.state is not ReportState.OPEN:
        raise DomainError("This report has already been decided.")
    concurrency.expect_revision(report, seen)
    note = (note or "").strip()
    if not note:
        raise DomainError(
            "Write a short note: the person who reported it will read it.", field="note"
        )
    if len(note) > NOTE_MAX:
        raise DomainError(f"Please keep the note under {NOTE_MAX} letters.", field="note")
    item = report.item
    now = utcnow()
    column = BlogReport.post_id if report.post_id is not None else BlogReport.comment_id
    siblings = db.session.scalars(
        select(BlogReport).where(column == item.id, BlogReport.state == ReportState.OPEN)
    ).all()
    if report not in siblings:
        # Decided by someone else since this request read it: say so, rather than do nothing.
        raise concurrency.StaleDecision()
    outcome = ReportState.UPHELD if uphold else ReportState.DISMISSED
    for each in siblings:
        each.state, each.decided_by_id, each.decided_at, each.decision_note = (
            outcome,
            actor.id,
            now,
            note,
        )
        audit.record(f"sandbox.report.{outcome.value}", actor=actor, target=each)
    if item.state is ItemState.HIDDEN:
        item.state = ItemState.REMOVED if uphold else ItemState.APPROVED
        item.decided_at, item.decided_by_id = now, actor.id
        audit.record(
            f"sandbox.{item.kind}.{'removed' if uphold else 'restored'}",
            actor=actor,
            target=item,
            report_id=report.id,
        )
    concurrency.flush()


def pass_to_esafety_officer(
    actor: User, report: BlogReport, note: str = "", seen: int | str | None = None
) -> Any:
    """A report that worries a child can become a safeguarding concern for the e-safety officer."""
    require_staff(actor, report.class_id)
    if report.reason is not ReportReason.WORRIES_ME:
        raise DomainError("Only reports marked “it worries me” are passed on from here.")
    if report.passed_on_at is not None:
        raise DomainError("This report has already been passed to the e-safety officer.")
    concurrency.expect_revision(report, seen)
    concern = safeguarding.receive_blog_report(
        reporter=report.reporter,
        class_id=report.class_id,
        item_kind=report.item_kind,
        item_id=report.item.id,
        reported_text=report.reported_text,
        reason=report.reason.value,
        note=(note or "").strip(),
        passed_on_by=actor,
    )
    report.passed_on_at = utcnow()
    report.passed_on_by_id = actor.id
    report.concern_id = getattr(concern, "id", None)
    concurrency.flush()
    audit.record(
        "sandbox.report.passed_on", actor=actor, target=report, concern_id=report.concern_id
    )
    return concern


def raise_concern_from(actor: User, item: Item, note: str = "") -> Any:
    """Staff raise a safeguarding concern straight from a post or comment, with its words."""
    require_staff(actor, class_id_of(item))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"Please keep the note under {NOTE_MAX} letters.", field="note")
    concern = safeguarding.receive_blog_report(
        reporter=actor,
        class_id=class_id_of(item),
        item_kind=item.kind,
        item_id=item.id,
        reported_text=_copy_of(item),
        reason="raised by a member of staff from the class blog",
        note=note,
        passed_on_by=actor,
    )
    audit.record(
        f"sandbox.{item.kind}.concern_raised",
        actor=actor,
        target=item,
        concern_id=getattr(concern, "id", None),
    )
    return concern


@dataclass(frozen=True)
class ReportRow:
    """A report as the teacher's queue shows it (open, or recently decided)."""

    id: int
    state: ReportState
    reason: ReportReason
    post_id: int | None
    #: The reported post's title, or the title of the post the reported comment is on.
    post_title: str
    reporter: Author
    details: str
    reported_text: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str | None
    passed_on_at: datetime | None
    revision: int

    @property
    def item_kind(self) -> str:
        return "post" if self.post_id is not None else "comment"


@dataclass
class ClassReports:
    #: Oldest first.
    open: list[ReportRow]
    #: The latest decisions, newest first.
    decided: list[ReportRow]


#: Decided reports the teacher's queue lists, newest first.
DECIDED_SHOWN = 20


@functools.cache
def _class_reports_statement() -> Select:
    """Built once per process (a union of subqueries costs milliseconds to build); the class is
    a bound parameter."""
    reported_post = aliased(BlogPost)
    commented_post = aliased(BlogPost)

    def part(number: int) -> Select:
        return (
            select(
                literal(number).label("part"),
                BlogReport.id,
                BlogReport.state,
                BlogReport.reason,
                BlogReport.post_id,
                func.coalesce(reported_post.title, commented_post.title).label("post_title"),
                User.first_name,
                User.last_name,
                User.role_codes,
                BlogReport.details,
                BlogReport.reported_text,
                BlogReport.created_at,
                BlogReport.decided_at,
                BlogReport.decision_note,
                BlogReport.passed_on_at,
                BlogReport.revision,
            )
            .join(User, User.id == BlogReport.reporter_id)
            .outerjoin(reported_post, reported_post.id == BlogReport.post_id)
            .outerjoin(BlogComment, BlogComment.id == BlogReport.comment_id)
            .outerjoin(commented_post, commented_post.id == BlogComment.post_id)
            .where(BlogReport.class_id == bindparam("class_id", type_=Integer))
        )

    latest = (
        part(1)
        .where(BlogReport.state != ReportState.OPEN)
        .order_by(BlogReport.decided_at.desc())
        .limit(DECIDED_SHOWN)
        .subquery()
    )
    both = union_all(part(0).where(BlogReport.state == ReportState.OPEN), select(latest)).subquery()
    return select(both).order_by(
        both.c.part,
        case((both.c.part == 0, both.c.created_at)),
        both.c.decided_at.desc(),
        both.c.id,
    )


def class_reports(reader: Reader) -> ClassReports:
    """The class's open reports and its latest decided ones (from require_staff's Reader), read
    as rows in one statement."""
    rows = db.session.execute(_class_reports_statement(), {"class_id": reader.school_class.id})
    found = ClassReports([], [])
    for row in rows:
        report = ReportRow(
            row.id,
            row.state,
            row.reason,
            row.post_id,
            row.post_title,
            Author(row.first_name, row.last_name, row.role_codes),
            row.details,
            row.reported_text,
            row.created_at,
            row.decided_at,
            row.decision_note,
            row.passed_on_at,
            row.revision,
        )
        (found.decided if row.part else found.open).append(report)
    return found


def outcome_for_reporter(report: BlogReport) -> str:
    """What the reporter is told, in plain words."""
    if report.state is ReportState.OPEN:
        return "Your teacher will look at it soon. It is hidden until they do."
    if report.state is ReportState.UPHELD:
        return "Your teacher agreed and took it off the blog. Thank you for telling us."
    return "Your teacher looked at it carefully and decided it can stay on the blog."
