"""The posts of a class blog as everyone of one kind sees them (pupils and parents, or staff):
plain rows of the columns the page shows, kept per class and page (esafety/caching.py) until a
post, comment or picture of that class changes. What only the reader sees (their own writing
waiting or sent back) is added per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .. import caching
from ..auth.models import User, roles_from_codes
from ..auth.roles import Role
from ..extensions import db
from ..photos.models import BlogImage
from .models import BlogComment, BlogPost, ItemState

#: Posts on one page of a class blog.
POSTS_PER_PAGE = 20


@dataclass(frozen=True)
class Author:
    """Just enough of an account for a byline (display_name: pupils by first name only)."""

    first_name: str
    last_name: str
    role_codes: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_pupil(self) -> bool:
        return Role.PUPIL in roles_from_codes(self.role_codes)


@dataclass(frozen=True)
class PostRow:
    id: int
    title: str
    html: str
    state: ItemState
    author_id: int
    author: Author
    decided_at: datetime | None
    created_at: datetime
    kind = "post"


@dataclass(frozen=True)
class CommentRow:
    id: int
    post_id: int
    html: str
    state: ItemState
    author_id: int
    author: Author
    created_at: datetime
    feedback: str | None = None
    kind = "comment"


@dataclass(frozen=True)
class ImageRow:
    id: int
    post_id: int
    description: str
    width: int
    height: int


@dataclass
class SharedPage:
    posts: list[PostRow]
    has_older: bool
    comments: dict[int, list[CommentRow]] = field(default_factory=dict)
    images: dict[int, list[ImageRow]] = field(default_factory=dict)


def _author(row) -> Author:
    return Author(row.first_name, row.last_name, row.role_codes)


def _read(class_id: int, states: tuple[ItemState, ...], page: int) -> SharedPage:
    names = (User.first_name, User.last_name, User.role_codes)
    rows = db.session.execute(
        select(
            BlogPost.id,
            BlogPost.title,
            BlogPost.html,
            BlogPost.state,
            BlogPost.author_id,
            BlogPost.decided_at,
            BlogPost.created_at,
            *names,
        )
        .join(User, User.id == BlogPost.author_id)
        .where(BlogPost.class_id == class_id, BlogPost.state.in_(states))
        .order_by(BlogPost.decided_at.desc(), BlogPost.id.desc())
        .offset((page - 1) * POSTS_PER_PAGE)
        .limit(POSTS_PER_PAGE + 1)
    ).all()
    posts = [
        PostRow(r.id, r.title, r.html, r.state, r.author_id, _author(r), r.decided_at, r.created_at)
        for r in rows[:POSTS_PER_PAGE]
    ]
    shared = SharedPage(posts, len(rows) > POSTS_PER_PAGE)
    ids = [p.id for p in posts]
    if not ids:
        return shared
    for c in db.session.execute(
        select(
            BlogComment.id,
            BlogComment.post_id,
            BlogComment.html,
            BlogComment.state,
            BlogComment.author_id,
            BlogComment.created_at,
            *names,
        )
        .join(User, User.id == BlogComment.author_id)
        .where(BlogComment.post_id.in_(ids), BlogComment.state.in_(states))
        .order_by(BlogComment.created_at, BlogComment.id)
    ):
        shared.comments.setdefault(c.post_id, []).append(
            CommentRow(c.id, c.post_id, c.html, c.state, c.author_id, _author(c), c.created_at)
        )
    for i in db.session.execute(
        select(
            BlogImage.id,
            BlogImage.post_id,
            BlogImage.description,
            BlogImage.width,
            BlogImage.height,
        )
        .where(BlogImage.post_id.in_(ids))
        .order_by(BlogImage.id)
    ):
        shared.images.setdefault(i.post_id, []).append(
            ImageRow(i.id, i.post_id, i.description, i.width, i.height)
        )
    return shared


def shared_page(class_id: int, staff: bool, page: int) -> SharedPage:
    """One page of the blog's posts with their comments and pictures, for pupils and parents
    (approved only) or for staff (hidden ones too)."""
    states = (ItemState.APPROVED, ItemState.HIDDEN) if staff else (ItemState.APPROVED,)
    return caching.kept("blog", (staff, page), lambda: _read(class_id, states, page), part=class_id)


def _class_of_comment(session, comment: BlogComment) -> int | None:
    post = comment.__dict__.get("post") or session.get(BlogPost, comment.post_id)
    return post.class_id if post is not None else None


def _class_of_image(session, image: BlogImage) -> int | None:
    if image.post_id is None:
        return None
    post = session.get(BlogPost, image.post_id)
    return post.class_id if post is not None else None


#: A class's posts change with its posts, comments and pictures; every class's with a name.
caching.depends_on("blog", "user", "pupil")
caching.depends_on_rows(
    "blog",
    {
        "blog_post": lambda session, post: post.class_id,
        "blog_comment": _class_of_comment,
        "blog_image": _class_of_image,
    },
)
