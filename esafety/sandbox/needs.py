"""What the class blogs need from one member of staff: writing to check and reports to decide."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import case, func, select

from ..auth.models import User
from ..auth.roles import Role
from ..clock import school_time, utcnow
from ..extensions import db
from ..needs import Need
from ..school.models import ClassTeacher, SchoolClass
from . import waiting as waiting_too_long
from .models import BlogComment, BlogPost, BlogReport, ItemState, ReportState

#: Leaders may run every class's blog (as school.services.teaches says).
_EVERY_CLASS = (Role.HEADTEACHER, Role.SLT, Role.COMPUTING_LEAD, Role.ESAFETY_OFFICER)


def _classes(user: User) -> dict[int, str]:
    query = select(SchoolClass.id, SchoolClass.name).where(SchoolClass.archived.is_(False))
    if not user.has_role(*_EVERY_CLASS):
        if not user.has_role(Role.TEACHER, Role.SUPPORT_STAFF):
            return {}
        query = query.where(
            SchoolClass.id.in_(select(ClassTeacher.class_id).where(ClassTeacher.user_id == user.id))
        )
    return dict(db.session.execute(query).all())


def needs_you(user: User) -> list[Need]:
    """Four queries, however many classes and posts: the classes, then three grouped counts."""
    if not user.is_staff:
        return []
    classes = _classes(user)
    if not classes:
        return []
    ids = list(classes)
    waiting: dict[int, list] = {}
    alert_hours = waiting_too_long.alert_hours()
    cutoff = utcnow() - timedelta(hours=alert_hours)

    def too_long(sent):
        return func.sum(case((sent < cutoff, 1), else_=0))

    posts = select(
        BlogPost.class_id,
        func.count(),
        func.min(BlogPost.submitted_at),
        too_long(BlogPost.submitted_at),
    ).where(BlogPost.class_id.in_(ids), BlogPost.state == ItemState.PENDING)
    comments = (
        select(
            BlogPost.class_id,
            func.count(),
            func.min(BlogComment.submitted_at),
            too_long(BlogComment.submitted_at),
        )
        .join(BlogPost, BlogPost.id == BlogComment.post_id)
        .where(BlogPost.class_id.in_(ids), BlogComment.state == ItemState.PENDING)
    )
    for query in (posts, comments):
        for class_id, count, oldest, late in db.session.execute(query.group_by(BlogPost.class_id)):
            entry = waiting.setdefault(class_id, [0, None, 0])
            entry[0] += count
            entry[2] += late or 0
            if oldest is not None and (entry[1] is None or oldest < entry[1]):
                entry[1] = oldest
    reports = dict(
        db.session.execute(
            select(BlogReport.class_id, func.count())
            .where(BlogReport.class_id.in_(ids), BlogReport.state == ReportState.OPEN)
            .group_by(BlogReport.class_id)
        ).all()
    )
    needs = []
    if waiting:
        total = sum(count for count, _, _ in waiting.values())
        oldest = min((o for _, o, _ in waiting.values() if o is not None), default=None)
        late = sum(n for _, _, n in waiting.values())
        detail = ", ".join(f"{classes[c]} {n}" for c, (n, _, _) in sorted(waiting.items()))
        if oldest is not None:
            detail += f"; the oldest since {school_time(oldest, with_date=True)}"
        if late:
            detail += f" ({late} waiting more than {alert_hours} hours)"
        needs.append(
            Need(
                "blog_waiting",
                total,
                "post to check" if total == 1 else "posts and comments to check",
                url_for("sandbox.moderation_all"),
                detail,
                # Children wait for an answer: a post left too long is flagged to the teacher.
                urgent=bool(late),
            )
        )
    if reports:
        total = sum(reports.values())
        only = next(iter(reports)) if len(reports) == 1 else None
        needs.append(
            Need(
                "blog_reports",
                total,
                "report on a class blog to decide"
                if total == 1
                else "reports on class blogs to decide",
                url_for("sandbox.moderation_queue", class_id=only) + "#reports"
                if only
                else url_for("sandbox.index"),
                ", ".join(f"{classes[c]} {n}" for c, n in sorted(reports.items())),
                urgent=True,
            )
        )
    return needs
