"""The class blog's rules: who reads which blog, when pupils may write, and saving what they write.

Policy: children blog only as a directed, monitored curriculum activity; the blog is seen only by
the class, its staff and (approved writing only) the pupils' parents; pupils appear by first name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import CompoundSelect, Integer, bindparam, func, null, select, union_all
from sqlalchemy.orm import lazyload

from .. import audit, concurrency
from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..memo import forget, per_request
from ..photos import consent as photo_consent
from ..photos import storage as images
from ..photos.models import BlogImage, ImageKind
from ..school import services as school
from ..school.models import Pupil, SchoolClass
from ..text import render_markdown
from ..writing.checks import Finding, WritingNeedsChanges, check_text
from . import blog_list, saved_findings
from . import findings as class_findings
from .models import (
    AllowedWords,
    BlogComment,
    BlogPost,
    BlogPostPupil,
    BlogReport,
    ItemState,
    PostingWindow,
    ReportState,
)

#: Findings that stop writing being saved at all: personal details are never stored by mistake.
PERSONAL_KINDS = frozenset(
    {
        "full_name",
        "email",
        "phone",
        "postcode",
        "address",
        "username",
        "password",
        "birthday",
        "whereabouts",
    }
)
#: Findings that stop writing being sent to the teacher (text speak must be fixed first).
SEND_BLOCKING_KINDS = PERSONAL_KINDS | {"text_speak", "school"}
#: What a child gives away about themselves: staff writing ("we will be at the park at 2",
#: the school's name) sees these as advice, not a stop.
CHILD_DETAIL_KINDS = frozenset({"username", "password", "school", "birthday", "whereabouts"})
#: Posts shown on one page of the blog, newest first.
POSTS_PER_PAGE = blog_list.POSTS_PER_PAGE
TITLE_MAX = 120
POST_MAX = 5000
COMMENT_MAX = 1000
#: How long a teacher may open the blog for, in minutes (None: until they close it).
WINDOW_CHOICES = (30, 60, 90, None)


# --- Who reads the blog --------------------------------------------------------------------


@dataclass
class Reader:
    """How one person meets one class's blog: as its staff, one of its pupils, or a parent."""

    user: User
    school_class: SchoolClass
    #: "staff", "pupil" or "parent"
    role: str
    pupil: Pupil | None = None

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def is_pupil(self) -> bool:
        return self.role == "pupil"

    @property
    def is_parent(self) -> bool:
        return self.role == "parent"

    @property
    def may_check(self) -> bool:
        """Writers (pupils and staff) may ask for the live check; parents only read."""
        return not self.is_parent


def blog_reader(actor: User, class_id: int) -> Reader:
    """The blog is for the class, its staff and its pupils' parents; others get 'not found'."""
    school_class = school.class_visible_to(actor, class_id)
    if actor.is_staff and school.teaches(actor, class_id):
        return Reader(actor, school_class, "staff")
    if actor.has_role(Role.PUPIL):
        pupil = school.pupil_of(actor)
        if pupil is not None and pupil.class_id == class_id and pupil.left_on is None:
            return Reader(actor, school_class, "pupil", pupil)
    if actor.has_role(Role.PARENT) and any(
        child.class_id == class_id for child in school.children_of(actor)
    ):
        return Reader(actor, school_class, "parent")
    raise NotFoundError("That class blog is not one of yours.")


def blogs_for(actor: User) -> list[SchoolClass]:
    """The class blogs this person may read, in year-group order."""
    readable = []
    for school_class in school.classes_for(actor):
        try:
            blog_reader(actor, school_class.id)
        except NotFoundError:
            continue
        readable.append(school_class)
    return readable


def require_staff(actor: User, class_id: int) -> Reader:
    reader = blog_reader(actor, class_id)
    if not reader.is_staff:
        raise NotAllowed("Only the class's teachers can do that.")
    return reader


def display_name(user: User) -> str:
    """Pupils appear by first name only; adults by their full name."""
    return user.first_name if user.is_pupil else user.full_name


def can_see_post(reader: Reader, post: BlogPost) -> bool:
    """Staff see everything; authors their own; everyone else approved posts only."""
    if post.class_id != reader.school_class.id:
        return False
    if reader.is_staff or post.author_id == reader.user.id:
        return True
    return post.state is ItemState.APPROVED


def can_see_comment(reader: Reader, comment: BlogComment) -> bool:
    if not can_see_post(reader, comment.post):
        return False
    if reader.is_staff or comment.author_id == reader.user.id:
        return True
    return comment.state is ItemState.APPROVED and comment.post.state is ItemState.APPROVED


def post_for(actor: User, post_id: int) -> tuple[BlogPost, Reader]:
    post = db.session.get(BlogPost, post_id)
    if post is None:
        raise NotFoundError("We could not find that post.")
    reader = blog_reader(actor, post.class_id)
    if not can_see_post(reader, post):
        raise NotFoundError("We could not find that post.")
    return post, reader


def comment_for(actor: User, comment_id: int) -> tuple[BlogComment, Reader]:
    comment = db.session.get(BlogComment, comment_id)
    if comment is None:
        raise NotFoundError("We could not find that comment.")
    reader = blog_reader(actor, comment.post.class_id)
    if not can_see_comment(reader, comment):
        raise NotFoundError("We could not find that comment.")
    return comment, reader


# --- Posting windows -----------------------------------------------------------------------


@per_request
def current_window(class_id: int) -> PostingWindow | None:
    """The open posting window, if the teacher has opened the blog for writing (asked twice
    when a pupil sends a post: may they write, then which window it is)."""
    window = db.session.scalar(
        select(PostingWindow)
        .where(PostingWindow.class_id == class_id, PostingWindow.closed_at.is_(None))
        .order_by(PostingWindow.opened_at.desc())
        .limit(1)
    )
    return window if window is not None and window.is_open(utcnow()) else None


def open_window(actor: User, class_id: int, minutes: int | None) -> PostingWindow:
    """Open the blog for pupils' writing, for a lesson or until the teacher closes it."""
    reader = require_staff(actor, class_id)
    if reader.school_class.archived:
        raise DomainError("This blog is last year's archive: it cannot be opened for writing.")
    if minutes is not None and not 5 <= minutes <= 8 * 60:
        raise DomainError("Choose how long the blog stays open.", field="minutes")
    _close_open_windows(actor, class_id)
    now = utcnow()
    window = PostingWindow(
        class_id=class_id,
        opened_by_id=actor.id,
        opened_at=now,
        closes_at=now + timedelta(minutes=minutes) if minutes else None,
    )
    db.session.add(window)
    db.session.flush()
    audit.record("sandbox.window.opened", actor=actor, target=window, minutes=minutes)
    return window


def close_window(actor: User, class_id: int) -> None:
    """Close the blog for writing: pupils can still read it."""
    require_staff(actor, class_id)
    if not _close_open_windows(actor, class_id):
        raise DomainError("The blog is already closed for writing.")
    audit.record(
        "sandbox.window.closed", actor=actor, target_type="school_class", target_id=class_id
    )


def _close_open_windows(actor: User, class_id: int) -> int:
    forget(current_window)
    now = utcnow()
    windows = db.session.scalars(
        select(PostingWindow).where(
            PostingWindow.class_id == class_id, PostingWindow.closed_at.is_(None)
        )
    ).all()
    closed = 0
    for window in windows:
        if window.is_open(now):
            closed += 1
        window.closed_at = min(now, window.closes_at) if window.closes_at else now
        window.closed_by_id = actor.id
    db.session.flush()
    return closed


def may_write(reader: Reader) -> bool:
    """Staff write at any time; pupils only while the blog is open; parents read.

    Blogs of past academic years are read-only archives for everyone."""
    if reader.school_class.archived:
        return False
    if reader.is_staff:
        return True
    if reader.is_pupil:
        return current_window(reader.school_class.id) is not None
    return False


def _require_may_write(reader: Reader) -> None:
    if reader.is_parent:
        raise NotAllowed("Parents and carers can read the class blog and report anything.")
    if reader.school_class.archived:
        raise NotAllowed("This blog is last year's archive: it can be read but not written.")
    if not may_write(reader):
        raise NotAllowed(
            "Your class blog is closed for writing just now. Your teacher opens it in lessons: "
            "everything you wrote is kept safe until then."
        )


# --- Checking and saving writing -----------------------------------------------------------


def names_to_check(class_id: int) -> list[tuple[str, str]]:
    """The class's pupils' and every member of staff's first and last names.

    Only the writer's own class: the checks must not become a way to ask whether some
    full name belongs to a child elsewhere in the school.
    """
    return school.known_names(class_id)


@functools.cache
def _names_and_allowed_words_statement() -> CompoundSelect:
    """Built once per process, the class as the bound parameter `class_id`."""
    allowed = select(AllowedWords.words, null()).where(
        AllowedWords.class_id == bindparam("class_id", type_=Integer)
    )
    return union_all(*school.names_selects(one_class=True), allowed)


def names_and_allowed_words(class_id: int) -> tuple[list[tuple[str, str]], list[str]]:
    """names_to_check and the class's allowed words, in one statement: what the checks of this
    class's writing need (every save runs them). An allowed word comes back as (words, NULL);
    every name has a last name."""
    names: list[tuple[str, str]] = []
    words: list[str] = []
    rows = db.session.execute(_names_and_allowed_words_statement(), {"class_id": class_id})
    for first, last in rows:
        if last is None:
            words.append(first)
        else:
            names.append((first, last))
    return names, words


def _check_fields_keyed(
    fields: dict[str, str], class_id: int
) -> tuple[dict[str, list[Finding]], str]:
    names, allowed = names_and_allowed_words(class_id)
    found = {name: check_text(text, names, allowed=allowed) for name, text in fields.items()}
    return found, saved_findings.checks_key(names, allowed)


def check_fields(fields: dict[str, str], class_id: int) -> dict[str, list[Finding]]:
    """Run the checks on each field of a form; the same answer the live check gives."""
    return _check_fields_keyed(fields, class_id)[0]


@dataclass
class Checked:
    """A pupil's writing after the checks: what they found, and whether a worry was heard."""

    findings: dict[str, list[Finding]]
    worried: bool
    #: The rules and class lists the findings were made with (stored with the writing).
    key: str = ""


def _check_writing(reader: Reader, fields: dict[str, str], class_id: int, sending: bool) -> Checked:
    """The server's checks on saving or sending; a pupil's worry is never blocked.

    Each time the checks step in on a pupil's writing it is counted for the class (never the
    pupil), even when the writing must change first.
    """
    findings, key = _check_fields_keyed(fields, class_id)
    if reader.is_pupil:
        class_findings.record_findings(class_id, (f for fs in findings.values() for f in fs))
        if class_findings.worries_in(findings):
            return Checked(findings, worried=True, key=key)
    _require_sendable(findings, sending, staff=reader.is_staff)
    return Checked(findings, worried=False, key=key)


def _require_sendable(findings: dict[str, list[Finding]], sending: bool, staff: bool) -> None:
    stopping = SEND_BLOCKING_KINDS if sending else PERSONAL_KINDS
    if staff:
        stopping -= CHILD_DETAIL_KINDS
    problems = {
        name: [f for f in found if f.kind in stopping]
        for name, found in findings.items()
        if any(f.kind in stopping for f in found)
    }
    if problems:
        raise WritingNeedsChanges(problems, sending)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("Give your post a title.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Keep the title under {TITLE_MAX} letters.", field="title")
    return title


def _clean_body(body: str, limit: int) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError("Write something first.", field="body")
    if len(body) > limit:
        raise DomainError(
            f"That is a little long: please keep it under {limit} letters.", field="body"
        )
    return body


def _publish_staff_post(actor: User, post: BlogPost, now: datetime) -> None:
    """Staff posts go straight on the blog, once the photo-consent rule is met."""
    problem = photo_problem(post, images_of(post))
    if problem:
        raise DomainError(problem)
    post.submitted_at = post.submitted_at or now
    post.state, post.decided_at, post.decided_by_id = ItemState.APPROVED, now, actor.id
    db.session.flush()
    audit.record("sandbox.post.published", actor=actor, target=post)


def _send(item: BlogPost | BlogComment, now) -> None:
    if item.state is not ItemState.PENDING:
        item.submitted_at = now
    item.state = ItemState.PENDING


def save_post(
    actor: User,
    class_id: int,
    title: str,
    body: str,
    *,
    send: bool,
    post: BlogPost | None = None,
    seen: int | str | None = None,
) -> BlogPost:
    """Save a post as a draft, or send it: pupils' posts go to the teacher, staff posts publish.

    Private details are never saved; text speak may sit in a draft but must be fixed to send.
    Editing a post that is on the blog sends it back to the teacher. `seen` is the revision
    the editor was opened on: a teacher's decision since then is not silently written over.
    """
    reader = blog_reader(actor, class_id)
    _require_may_write(reader)
    title, body = _clean_title(title), _clean_body(body, POST_MAX)
    if post is not None:
        _require_author_may_edit(actor, post)
        if post.class_id != class_id:
            raise NotFoundError("We could not find that post.")
        _expect_unchanged(post, seen)
    checked = _check_writing(reader, {"title": title, "body": body}, class_id, sending=send)
    if post is not None and post.state is ItemState.APPROVED and not (send or checked.worried):
        raise DomainError(
            "This post is on the blog. Send your changes to your teacher instead.",
            field="body",
        )
    now = utcnow()
    if post is None:
        post = BlogPost(class_id=class_id, author_id=actor.id, state=ItemState.DRAFT)
        post.created_at = now
        db.session.add(post)
    post.title, post.source, post.html, post.updated_at = title, body, render_markdown(body), now
    saved_findings.store(post, checked.findings, checked.key)
    if checked.worried:
        # Sent to the teacher's queue whatever was pressed, kept off the blog, and heard.
        _send(post, now)
        concurrency.flush()
        class_findings.hear_worry(actor, post, class_id, f"{title}\n\n{body}")
        audit.record("sandbox.post.submitted", actor=actor, target=post, class_id=class_id)
    elif send and reader.is_staff:
        concurrency.flush()
        _publish_staff_post(actor, post, now)
    elif send:
        _send(post, now)
        concurrency.flush()
        audit.record("sandbox.post.submitted", actor=actor, target=post, class_id=class_id)
    else:
        if post.state is ItemState.PENDING:
            post.state = ItemState.DRAFT
        concurrency.flush()
    return post


def save_new_post(
    actor: User,
    class_id: int,
    title: str,
    body: str,
    *,
    send: bool,
    picture: BinaryIO | None = None,
    description: str = "",
) -> BlogPost:
    """A new post, with the drawing or picture that came with it (if any).

    The picture goes through attach_picture, as one added later does (same checks, re-encoding
    and storage), in the same unit of work: if it is refused, the post is not saved either and
    the writer sees why beside the picture, with everything they typed still there.
    """
    if picture is None and (description or "").strip():
        raise DomainError(
            "There is no picture yet. Draw one or choose one, or leave this box empty.",
            field="description",
        )
    post = save_post(actor, class_id, title, body, send=send)
    if picture is not None:
        attach_picture(actor, post, picture, description)
    return post


def _expect_unchanged(item: BlogPost | BlogComment, seen: int | str | None) -> None:
    """The author's editor was opened on this revision; a teacher may have decided since."""
    try:
        concurrency.expect_revision(item, seen)
    except concurrency.StaleDecision:
        raise concurrency.StaleDecision(
            "Your teacher looked at this while you were changing it. Your words are still "
            "here: copy them if you want them, then open it again to see what changed.",
            field="body",
        ) from None


def _require_author_may_edit(actor: User, item: BlogPost | BlogComment) -> None:
    if item.author_id != actor.id:
        raise NotAllowed("Only the person who wrote this can change it.")
    if item.state in (ItemState.HIDDEN, ItemState.REMOVED):
        raise DomainError("Your teacher is looking after this one, so it cannot be changed now.")


def add_comment(actor: User, post: BlogPost, body: str) -> BlogComment:
    """Comment on an approved post: pupils' comments (even on their own post) go to the teacher."""
    reader = blog_reader(actor, post.class_id)
    _require_may_write(reader)
    if post.state is not ItemState.APPROVED:
        raise DomainError("You can comment once the post is on the blog.")
    body = _clean_body(body, COMMENT_MAX)
    checked = _check_writing(reader, {"body": body}, post.class_id, sending=True)
    now = utcnow()
    comment = BlogComment(post_id=post.id, author_id=actor.id, source=body)
    comment.post = post
    comment.html = render_markdown(body)
    comment.created_at = comment.updated_at = now
    saved_findings.store(comment, checked.findings, checked.key)
    db.session.add(comment)
    if reader.is_staff:
        comment.state, comment.decided_at, comment.decided_by_id = ItemState.APPROVED, now, actor.id
        db.session.flush()
        audit.record("sandbox.comment.published", actor=actor, target=comment, post_id=post.id)
    else:
        _send(comment, now)
        db.session.flush()
        if checked.worried:
            class_findings.hear_worry(actor, comment, post.class_id, body)
        audit.record("sandbox.comment.submitted", actor=actor, target=comment, post_id=post.id)
    return comment


def edit_comment(
    actor: User, comment: BlogComment, body: str, seen: int | str | None = None
) -> BlogComment:
    """Change a comment: a pupil's goes back to the teacher, even if it was on the blog."""
    reader = blog_reader(actor, comment.post.class_id)
    _require_may_write(reader)
    _require_author_may_edit(actor, comment)
    _expect_unchanged(comment, seen)
    body = _clean_body(body, COMMENT_MAX)
    checked = _check_writing(reader, {"body": body}, comment.post.class_id, sending=True)
    now = utcnow()
    comment.source, comment.html, comment.updated_at = body, render_markdown(body), now
    saved_findings.store(comment, checked.findings, checked.key)
    if reader.is_staff:
        comment.state, comment.decided_at, comment.decided_by_id = ItemState.APPROVED, now, actor.id
    else:
        _send(comment, now)
    concurrency.flush()
    if checked.worried:
        class_findings.hear_worry(actor, comment, comment.post.class_id, body)
    audit.record("sandbox.comment.submitted", actor=actor, target=comment, edited=True)
    return comment


# --- The blog page -------------------------------------------------------------------------


@dataclass
class PostView:
    """A post on the page: an ORM row for the reader's own writing, a plain row from the kept
    class list for everyone else's (blog_list.py); templates read the same names from both."""

    post: BlogPost | blog_list.PostRow
    comments: list[BlogComment | blog_list.CommentRow] = field(default_factory=list)
    images: list[BlogImage | blog_list.ImageRow] = field(default_factory=list)

    @property
    def approved_comments(self) -> int:
        return sum(1 for comment in self.comments if comment.state is ItemState.APPROVED)


@dataclass
class BlogPage:
    reader: Reader
    window: PostingWindow | None
    posts: list[PostView]
    #: The reader's own posts that are not on the blog (drafts, waiting, sent back, removed).
    my_writing: list[PostView]
    my_reports: list[BlogReport]
    waiting_count: int = 0
    open_report_count: int = 0
    page: int = 1
    has_older: bool = False

    @property
    def may_write(self) -> bool:
        return self.reader.is_staff or (self.reader.is_pupil and self.window is not None)


def blog_page(actor: User, class_id: int, page: int = 1) -> BlogPage:
    """Everything one person may see on a class blog, in a fixed number of queries: the posts
    everyone of their kind sees (kept per class, blog_list.py), then their own writing."""
    reader = blog_reader(actor, class_id)
    window = current_window(class_id)
    page = max(1, page)
    shown_states = [ItemState.APPROVED]
    if reader.is_staff:
        shown_states.append(ItemState.HIDDEN)
    shared = blog_list.shared_page(class_id, reader.is_staff, page)
    views: dict[int, PostView] = {
        p.id: PostView(p, list(shared.comments.get(p.id, ())), list(shared.images.get(p.id, ())))
        for p in shared.posts
    }
    mine: list[BlogPost] = []
    if not reader.is_parent:
        # Their own writing not on the blog shows its title, state and feedback: no byline.
        mine = list(
            db.session.scalars(
                select(BlogPost)
                .where(
                    BlogPost.class_id == class_id,
                    BlogPost.author_id == actor.id,
                    BlogPost.state.not_in(shown_states),
                )
                .order_by(BlogPost.updated_at.desc())
                .options(lazyload(BlogPost.author))
            )
        )
        for post in mine:
            views[post.id] = PostView(post)
        if shared.posts:
            # Their own comments waiting or sent back, under the posts on this page (the
            # author is the reader, already loaded).
            extra = False
            for comment in db.session.scalars(
                select(BlogComment)
                .where(
                    BlogComment.post_id.in_([p.id for p in shared.posts]),
                    BlogComment.author_id == actor.id,
                    BlogComment.state.not_in(shown_states),
                )
                .order_by(BlogComment.created_at, BlogComment.id)
                .options(lazyload(BlogComment.author))
            ):
                views[comment.post_id].comments.append(comment)
                extra = True
            if extra:
                for view in views.values():
                    view.comments.sort(key=lambda c: (c.created_at, c.id))
    my_reports = list(
        db.session.scalars(
            select(BlogReport)
            .where(BlogReport.class_id == class_id, BlogReport.reporter_id == actor.id)
            .order_by(BlogReport.created_at.desc())
            .limit(10)
            .options(lazyload(BlogReport.reporter))
        )
    )
    result = BlogPage(
        reader=reader,
        window=window,
        posts=[views[p.id] for p in shared.posts],
        my_writing=[views[p.id] for p in mine],
        my_reports=my_reports,
        page=page,
        has_older=shared.has_older,
    )
    if reader.is_staff:
        result.waiting_count, result.open_report_count = waiting_counts(class_id)
    return result


def waiting_counts(class_id: int) -> tuple[int, int]:
    """How many posts and comments wait for the teacher, and how many reports are open."""
    posts = select(func.count(BlogPost.id)).where(
        BlogPost.class_id == class_id, BlogPost.state == ItemState.PENDING
    )
    comments = (
        select(func.count(BlogComment.id))
        .join(BlogPost, BlogPost.id == BlogComment.post_id)
        .where(BlogPost.class_id == class_id, BlogComment.state == ItemState.PENDING)
    )
    reports = select(func.count(BlogReport.id)).where(
        BlogReport.class_id == class_id, BlogReport.state == ReportState.OPEN
    )
    row = db.session.execute(
        select(posts.scalar_subquery(), comments.scalar_subquery(), reports.scalar_subquery())
    ).one()
    return row[0] + row[1], row[2]


# --- Pictures on posts ---------------------------------------------------------------------


def attach_picture(actor: User, post: BlogPost, upload: BinaryIO, description: str) -> BlogImage:
    """Staff attach photos; a pupil may attach a drawing to their own post before it is approved."""
    reader = blog_reader(actor, post.class_id)
    description = " ".join((description or "").split())
    if not description:
        raise DomainError(
            "Say in a few words what the picture shows, for people who cannot see it.",
            field="description",
        )
    if len(description) > 200:
        raise DomainError("Keep the description under 200 letters.", field="description")
    if post.state in (ItemState.APPROVED, ItemState.HIDDEN, ItemState.REMOVED):
        raise DomainError("Pictures can be added before the post goes on the blog.")
    if reader.is_staff:
        kind = ImageKind.PHOTO
    elif reader.is_pupil and post.author_id == actor.id:
        _require_may_write(reader)
        kind = ImageKind.DRAWING
    else:
        raise NotAllowed("Only the writer of the post or a teacher can add pictures.")
    checked = _check_writing(reader, {"description": description}, post.class_id, sending=True)
    if checked.worried:
        db.session.flush()
        class_findings.hear_worry(actor, post, post.class_id, f"Picture description: {description}")
    image = images.new_picture(
        upload, post_id=post.id, uploaded_by_id=actor.id, kind=kind, description=description
    )
    db.session.add(image)
    db.session.flush()
    db.session.expire(post, ["has_photo"])
    audit.record("sandbox.image.attached", actor=actor, target=image, post_id=post.id)
    return image


def remove_picture(actor: User, image: BlogImage) -> None:
    """Take a picture off a post (staff at any time; the writer before approval)."""
    post = db.session.get_one(BlogPost, image.post_id)
    reader = blog_reader(actor, post.class_id)
    if not reader.is_staff:
        if post.author_id != actor.id or post.state is ItemState.APPROVED:
            raise NotAllowed("Ask your teacher to take this picture off.")
    stored_name = image.stored_name
    audit.record("sandbox.image.removed", actor=actor, target=image, post_id=post.id)
    db.session.delete(image)
    db.session.flush()
    db.session.expire(post, ["has_photo"])
    images.discard(stored_name)


def picture_for(actor: User, image_id: int) -> BlogImage:
    """A class-blog picture, only for someone who may see its post."""
    image = db.session.get(BlogImage, image_id)
    if image is None or image.post_id is None:
        raise NotFoundError("We could not find that picture.")
    post_for(actor, image.post_id)
    return image


def tag_pupils(
    actor: User, post: BlogPost, pupil_ids: Iterable[int], nobody_in_photos: bool
) -> None:
    """Staff record who can be seen in the photos: approval waits for their photo consent."""
    require_staff(actor, post.class_id)
    wanted = set(pupil_ids)
    class_pupils = {p.id for p in school.pupils_in_class(post.class_id)}
    if wanted - class_pupils:
        raise DomainError("Only pupils in this class can be tagged.", field="pupils")
    photo_consent.check_tag_choice(wanted, nobody_in_photos)
    if post.state is ItemState.APPROVED:
        lacking = _without_consent(wanted, "class_blog")
        if lacking:
            raise DomainError(
                f"{_names(lacking)} {'has' if len(lacking) == 1 else 'have'} no class blog "
                "photo consent this year: take the photo off instead.",
                field="pupils",
            )
    post.tags = photo_consent.retagged(
        post.tags, wanted, lambda pid: BlogPostPupil(pupil_id=pid, tagged_by_id=actor.id)
    )
    post.no_pupils_in_photos = nobody_in_photos
    db.session.flush()
    audit.record(
        "sandbox.post.pupils_tagged",
        actor=actor,
        target=post,
        pupil_ids=sorted(wanted),
        nobody_in_photos=nobody_in_photos,
    )


def _without_consent(pupil_ids: Iterable[int], kind: str) -> list[Pupil]:
    ids = list(pupil_ids)
    consent = school.photo_consent_for(ids, kind)
    lacking = [pid for pid, granted in consent.items() if not granted]
    if not lacking:
        return []
    return list(
        db.session.scalars(select(Pupil).where(Pupil.id.in_(lacking)).order_by(Pupil.first_name))
    )


def _names(pupils: Sequence[photo_consent.Named]) -> str:
    names = [p.full_name for p in pupils]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def photo_problem(
    post: BlogPost, photos: list[BlogImage], consent: dict[int, bool] | None = None
) -> str | None:
    """Why a post with photos cannot go on the blog yet, or None when it can."""
    return photo_problem_of(
        any(image.kind is ImageKind.PHOTO for image in photos),
        {tag.pupil_id: tag.pupil for tag in post.tags},
        post.no_pupils_in_photos,
        consent,
    )


def photo_problem_of(
    has_photos: bool,
    tagged: Mapping[int, photo_consent.Named],
    nobody_in_photos: bool,
    consent: dict[int, bool] | None = None,
) -> str | None:
    """The photo rule on what a post is made of: whether it has photos, who is tagged in them
    (pupil id to pupil) and whether staff said nobody can be seen.

    `consent` (pupil id to class-blog consent) may be given when checking many posts at once.
    """
    if photo_consent.needs_tagging(has_photos, tagged, nobody_in_photos):
        return "Say who can be seen in the photos (or that nobody can) before it goes on the blog."
    if consent is None:
        consent = school.photo_consent_for(tagged, "class_blog")
    lacking = photo_consent.lacking_consent(tagged, consent)
    if lacking:
        verb = "has" if len(lacking) == 1 else "have"
        return (
            f"{_names(lacking)} {verb} no class blog photo consent this year. Take off the "
            "photos they are in before this goes on the blog."
        )
    return None


def images_of(post: BlogPost) -> list[BlogImage]:
    return list(
        db.session.scalars(
            select(BlogImage).where(BlogImage.post_id == post.id).order_by(BlogImage.id)
        )
    )
