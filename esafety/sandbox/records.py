"""The class blog in subject-access exports, retention and a leaver's erasure.

Posts and comments are kept to the end of the following academic year; then a post goes with
everything hanging on it (comments, reports, tags, pictures and their files) in one piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Select, func, or_, select

from ..extensions import db
from ..personal_data import DataSubject, DueRecord, ErasableWork, Rule, SubjectRecords, row
from ..photos import storage as images
from ..photos.models import BlogImage
from ..school.models import AcademicYear, Pupil, SchoolClass
from .models import BlogComment, BlogPost, BlogPostPupil, BlogReport

WRITING_COLUMNS = ("state", "feedback", "created_at", "updated_at", "submitted_at", "decided_at")


def _zip_name(stored_name: str) -> str:
    return f"sandbox/{Path(stored_name).name}"


def subject_records(subject: DataSubject) -> SubjectRecords:
    """Everything the person wrote, reported or uploaded on the blogs; for a pupil, their tags."""
    records = SubjectRecords()
    user_id = subject.user.id
    posts = db.session.execute(
        select(BlogPost, SchoolClass)
        .join(SchoolClass, SchoolClass.id == BlogPost.class_id)
        .where(BlogPost.author_id == user_id)
        .order_by(BlogPost.created_at, BlogPost.id)
    ).all()
    if posts:
        records.sections["Blog posts"] = [
            {**row(post, "id", "title", "source", *WRITING_COLUMNS), "class": school_class.label}
            for post, school_class in posts
        ]
    comments = db.session.execute(
        select(BlogComment, BlogPost.title)
        .join(BlogPost, BlogPost.id == BlogComment.post_id)
        .where(BlogComment.author_id == user_id)
        .order_by(BlogComment.created_at, BlogComment.id)
    ).all()
    if comments:
        records.sections["Blog comments"] = [
            {**row(comment, "id", "post_id", "source", *WRITING_COLUMNS), "post_title": title}
            for comment, title in comments
        ]
    reports = db.session.scalars(
        select(BlogReport).where(BlogReport.reporter_id == user_id).order_by(BlogReport.created_at)
    ).all()
    if reports:
        records.sections["Blog reports made"] = [
            {
                "id": report.id,
                "item": f"{report.item_kind} {report.post_id or report.comment_id}",
                **row(report, "reason", "details", "state", "created_at", "decided_at"),
                "outcome_note": report.decision_note,
            }
            for report in reports
        ]
    pictures = db.session.scalars(
        select(BlogImage).where(BlogImage.uploaded_by_id == user_id).order_by(BlogImage.id)
    ).all()
    if pictures:
        records.sections["Pictures uploaded"] = [
            {
                **row(
                    image,
                    "id",
                    "post_id",
                    "news_item_id",
                    "kind",
                    "description",
                    "content_type",
                    "width",
                    "height",
                    "created_at",
                ),
                "file": f"files/{_zip_name(image.stored_name)}",
            }
            for image in pictures
        ]
        records.files.extend(
            (_zip_name(image.stored_name), images.path_of(image.stored_name)) for image in pictures
        )
    if subject.pupil is not None:
        tagged = db.session.execute(
            select(BlogPost.id, BlogPost.title)
            .join(BlogPostPupil, BlogPostPupil.post_id == BlogPost.id)
            .where(BlogPostPupil.pupil_id == subject.pupil.id)
            .order_by(BlogPost.id)
        ).all()
        if tagged:
            records.sections["Blog posts they are tagged in"] = [
                {"post_id": post_id, "title": title} for post_id, title in tagged
            ]
    return records


# --- Taking posts away, with everything that hangs on them ------------------------------------


@dataclass
class PostParts:
    """The rows and files that belong to a set of posts, by post, ready to delete together."""

    comments: dict[int, list[int]]
    reports: dict[int, list[int]]
    tagged_users: dict[int, set[int]]
    images: dict[int, list[tuple[int, str]]]
    people: dict[int, set[int]]

    def due(self, post_id: int, **fields) -> DueRecord:
        pictures = self.images.get(post_id, [])
        return DueRecord(
            rows=[
                (BlogReport.__table__, self.reports.get(post_id, [])),
                (BlogComment.__table__, self.comments.get(post_id, [])),
                (BlogPostPupil.__table__.c.post_id, [post_id]),
                (BlogImage.__table__, [image_id for image_id, _ in pictures]),
                (BlogPost.__table__, [post_id]),
            ],
            files=[images.path_of(name) for _, name in pictures],
            user_ids=frozenset(self.people.get(post_id, set())),
            **fields,
        )


def parts_of(post_ids: Select) -> PostParts:
    """Comments, reports, tags and pictures of the posts `post_ids` selects (five queries)."""
    parts = PostParts({}, {}, {}, {}, {})
    for post_id, author_id in db.session.execute(
        select(BlogPost.id, BlogPost.author_id).where(BlogPost.id.in_(post_ids))
    ):
        parts.people.setdefault(post_id, set()).add(author_id)
    for comment_id, post_id, author_id in db.session.execute(
        select(BlogComment.id, BlogComment.post_id, BlogComment.author_id)
        .where(BlogComment.post_id.in_(post_ids))
        .order_by(BlogComment.id)
    ):
        parts.comments.setdefault(post_id, []).append(comment_id)
        parts.people.setdefault(post_id, set()).add(author_id)
    comment_ids = select(BlogComment.id).where(BlogComment.post_id.in_(post_ids))
    for report_id, report_post_id, comment_post_id, reporter_id in db.session.execute(
        select(BlogReport.id, BlogReport.post_id, BlogComment.post_id, BlogReport.reporter_id)
        .outerjoin(BlogComment, BlogComment.id == BlogReport.comment_id)
        .where(or_(BlogReport.post_id.in_(post_ids), BlogReport.comment_id.in_(comment_ids)))
        .order_by(BlogReport.id)
    ):
        owner = report_post_id if report_post_id is not None else comment_post_id
        parts.reports.setdefault(owner, []).append(report_id)
        parts.people.setdefault(owner, set()).add(reporter_id)
    for post_id, user_id in db.session.execute(
        select(BlogPostPupil.post_id, Pupil.user_id)
        .join(Pupil, Pupil.id == BlogPostPupil.pupil_id)
        .where(BlogPostPupil.post_id.in_(post_ids))
    ):
        parts.tagged_users.setdefault(post_id, set()).add(user_id)
        parts.people.setdefault(post_id, set()).add(user_id)
    for image_id, image_post_id, stored_name in db.session.execute(
        select(BlogImage.id, BlogImage.post_id, BlogImage.stored_name)
        .where(BlogImage.post_id.in_(post_ids))
        .order_by(BlogImage.id)
    ):
        assert image_post_id is not None  # only pictures on the posts asked about
        parts.images.setdefault(image_post_id, []).append((image_id, stored_name))
    return parts


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    """Posts of classes whose academic year ended longer ago than the rule allows."""
    rule = schedule["sandbox_posts"]
    old_posts = (
        select(BlogPost.id)
        .join(SchoolClass, SchoolClass.id == BlogPost.class_id)
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)
        .where(AcademicYear.ends_on < rule.cutoff(on))
    )
    found = db.session.execute(
        select(BlogPost.id, AcademicYear.ends_on)
        .join(SchoolClass, SchoolClass.id == BlogPost.class_id)
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)
        .where(BlogPost.id.in_(old_posts))
        .order_by(BlogPost.id)
    ).all()
    if not found:
        return []
    parts = parts_of(old_posts)
    return [
        parts.due(
            post_id,
            rule="sandbox_posts",
            description=f"Class blog post {post_id} with its comments and pictures",
            expired_on=rule.expires(ends_on),
        )
        for post_id, ends_on in found
    ]


@dataclass
class Writing:
    """A pupil's blog writing, ready to delete: their posts (whole) and their other comments."""

    records: list[DueRecord]
    posts: int
    comments: int
    comments_by_others: int
    drawings: int
    pictures: int


def erasable_work(pupil: Pupil) -> ErasableWork:
    """A leaver's blog writing and drawings, for erasure."""
    writing = writing_of(pupil.user_id)
    return ErasableWork(
        records=writing.records,
        counts={
            "posts": writing.posts,
            "comments": writing.comments,
            "comments_by_others_on_their_posts": writing.comments_by_others,
            "drawings": writing.drawings,
            "pictures": writing.pictures,
        },
    )


def writing_of(user_id: int) -> Writing:
    """Everything a pupil wrote or drew on the class blogs, as records to delete together.

    Their posts go whole (with classmates' comments on them); their comments on other posts go
    with the reports about those comments. Reports they made stay, under their anonymised name.
    """
    own_posts = select(BlogPost.id).where(BlogPost.author_id == user_id)
    post_ids = list(db.session.scalars(own_posts.order_by(BlogPost.id)))
    parts = parts_of(own_posts)
    records = [
        parts.due(post_id, rule="erasure", description=f"Class blog post {post_id}")
        for post_id in post_ids
    ]
    other_comments = list(
        db.session.scalars(
            select(BlogComment.id)
            .where(BlogComment.author_id == user_id, BlogComment.post_id.not_in(own_posts))
            .order_by(BlogComment.id)
        )
    )
    if other_comments:
        reports = list(
            db.session.scalars(
                select(BlogReport.id).where(BlogReport.comment_id.in_(other_comments))
            )
        )
        records.append(
            DueRecord(
                rule="erasure",
                description="Comments on other pupils' posts",
                rows=[(BlogReport.__table__, reports), (BlogComment.__table__, other_comments)],
            )
        )
    own_comments_on_own_posts = (
        db.session.scalar(
            select(func.count(BlogComment.id)).where(
                BlogComment.author_id == user_id, BlogComment.post_id.in_(own_posts)
            )
        )
        or 0
    )
    drawings = (
        db.session.scalar(
            select(func.count(BlogImage.id)).where(
                BlogImage.uploaded_by_id == user_id, BlogImage.post_id.in_(own_posts)
            )
        )
        or 0
    )
    return Writing(
        records=records,
        posts=len(post_ids),
        comments=len(other_comments) + own_comments_on_own_posts,
        comments_by_others=sum(map(len, parts.comments.values())) - own_comments_on_own_posts,
        drawings=drawings,
        pictures=sum(len(pictures) for pictures in parts.images.values()),
    )
