"""Writing left waiting too long: the class's teachers get one email, and never twice for it.

Children hear nothing about their post until a teacher has read it, so writing that has waited
longer than BLOG_WAIT_ALERT_HOURS (plain hours, nights and weekends included, 24 by default) is
marked on the teacher's start page and in the queues, and the class's teachers are emailed once
for it. The email says only the class and how many are waiting, with a link to the queue: no
pupil's name and none of their words leave the school's system.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, tuple_

from .. import audit, mail
from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..extensions import db
from ..school import services as school
from ..school.models import SchoolClass
from .models import BlogComment, BlogPost, ItemState, WaitNotice

#: The lock shared by the command and the mail worker's run of it (esafety.jobs).
JOB = "sandbox-remind-waiting"


def alert_hours() -> int:
    return int(current_app.config.get("BLOG_WAIT_ALERT_HOURS", 24))


def waited_too_long(since: datetime | None, now: datetime | None = None) -> bool:
    """Whether writing sent at `since` has waited longer than the school allows."""
    return since is not None and (now or utcnow()) - since > timedelta(hours=alert_hours())


#: (kind, id, when it was sent) of one piece of waiting writing.
Waiting = tuple[str, int, datetime]


def _long_waiting(cutoff: datetime) -> dict[int, list[Waiting]]:
    """Writing sent before `cutoff` and still waiting, by class (current classes only)."""
    found: dict[int, list[Waiting]] = defaultdict(list)
    current = select(SchoolClass.id).where(SchoolClass.archived.is_(False))
    posts = select(BlogPost.class_id, BlogPost.id, BlogPost.submitted_at).where(
        BlogPost.state == ItemState.PENDING,
        BlogPost.submitted_at < cutoff,
        BlogPost.class_id.in_(current),
    )
    comments = (
        select(BlogPost.class_id, BlogComment.id, BlogComment.submitted_at)
        .join(BlogPost, BlogPost.id == BlogComment.post_id)
        .where(
            BlogComment.state == ItemState.PENDING,
            BlogComment.submitted_at < cutoff,
            BlogPost.class_id.in_(current),
        )
    )
    for kind, query in (("post", posts), ("comment", comments)):
        for class_id, item_id, submitted_at in db.session.execute(query):
            assert submitted_at is not None  # sent before the cutoff, so sent
            found[class_id].append((kind, item_id, submitted_at))
    return found


def _already_told(waiting: list[Waiting]) -> set[Waiting]:
    if not waiting:
        return set()
    keys = [(kind, item_id) for kind, item_id, _ in waiting]
    rows = db.session.execute(
        select(WaitNotice.item_kind, WaitNotice.item_id, WaitNotice.submitted_at).where(
            tuple_(WaitNotice.item_kind, WaitNotice.item_id).in_(keys)
        )
    )
    return {(kind, item_id, submitted_at) for kind, item_id, submitted_at in rows}


def _class_teachers(class_id: int) -> list[User]:
    """The class teachers; a class without one has its other staff told instead."""
    staff = [user for user in school.teachers_of(class_id) if user.email]
    teachers = [user for user in staff if user.has_role(Role.TEACHER)]
    return teachers or staff


@dataclass
class NoticeReport:
    #: Emails queued, one for each member of staff told.
    emails: int = 0
    #: Pieces of writing the emails were about for the first time.
    items: int = 0
    #: Classes with long-waiting writing but no member of staff to tell.
    untold_classes: list[str] = field(default_factory=list)


def _body(teacher: User, classes: list[tuple[SchoolClass, int]], hours: int) -> str:
    lines = [
        f"Hello {teacher.first_name},",
        "",
        f"Some of your pupils' writing has waited more than {hours} hours for a teacher to "
        "check it. The children hear nothing about it until someone does.",
        "",
    ]
    for school_class, count in classes:
        what = "1 post or comment is" if count == 1 else f"{count} posts and comments are"
        lines += [
            f"{school_class.name}: {what} waiting.",
            mail.link("sandbox.moderation_queue", class_id=school_class.id),
            "",
        ]
    lines += [
        "You can also see everything waiting in your classes here:",
        mail.link("sandbox.moderation_all"),
        "",
        "We send this once for each piece of writing, so you will not hear about these again.",
    ]
    return "\n".join(lines)


def notice_long_waits(now: datetime | None = None) -> NoticeReport:
    """Email each class's teachers once about writing that has waited too long for them.

    Safe to run as often as you like: writing already told about is never told again (the
    notice rows are written in the same transaction as the email is queued).
    """
    now = now or utcnow()
    hours = alert_hours()
    report = NoticeReport()
    by_teacher: dict[int, tuple[User, list[tuple[SchoolClass, int]]]] = {}
    for class_id, waiting in sorted(_long_waiting(now - timedelta(hours=hours)).items()):
        told = _already_told(waiting)
        new = [item for item in waiting if item not in told]
        if not new:
            continue
        school_class = db.session.get_one(SchoolClass, class_id)
        teachers = _class_teachers(class_id)
        if not teachers:
            # Not recorded: once the class has a teacher, they are told.
            report.untold_classes.append(school_class.name)
            continue
        for teacher in teachers:
            by_teacher.setdefault(teacher.id, (teacher, []))[1].append((school_class, len(waiting)))
        db.session.add_all(
            WaitNotice(
                class_id=class_id,
                item_kind=kind,
                item_id=item_id,
                submitted_at=submitted_at,
                noticed_at=now,
            )
            for kind, item_id, submitted_at in new
        )
        report.items += len(new)
        audit.record(
            "sandbox.waiting.noticed",
            target=school_class,
            items=len(new),
            staff_ids=sorted(t.id for t in teachers),
        )
    for teacher, classes in by_teacher.values():
        mail.queue(
            teacher.email,
            "Class blog: writing has waited a long time for you",
            _body(teacher, classes, hours),
        )
        report.emails += 1
    db.session.flush()
    return report
