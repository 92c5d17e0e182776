"""The posts of a class blog as HTML, one article per post (sandbox/_blog_post.html).

What a pupil or parent sees of a post depends only on the post, its comments and pictures
(the plain rows of blog_list.py), on whether the blog is open for writing, and on whether the
reader wrote the post or one of its comments. An article is kept per process under exactly
those, so a post, comment or picture that changes is a new key, never the kept article. The
comment form's CSRF token differs per session: it is kept as a placeholder and put in per
request. Staff pages (hidden posts, the concern buttons) and posts with the reader's own
writing still waiting are rendered afresh. At most 1,024 articles are kept (a blog page shows
20; the school's classes read a few pages each), so a worker holds a few megabytes of them; an
article whose post changed is never shown again and goes as newer ones come.
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import services
from .blog_list import CommentRow, ImageRow, PostRow
from .models import ItemState

#: Stands for the reader's CSRF token in a kept article (no one's writing holds a NUL byte).
_PLACEHOLDER = "\x00csrf\x00"


def articles(page: services.BlogPage) -> list[Markup]:
    """The page's posts as HTML, in order."""
    reader = page.reader
    token = generate_csrf() if page.may_write else ""
    class_id = reader.school_class.id
    reader_id = reader.user.id
    found = []
    for view in page.posts:
        post = view.post
        if reader.is_staff or not (
            isinstance(post, PostRow) and all(isinstance(c, CommentRow) for c in view.comments)
        ):
            found.append(_render(view, reader_id, page.may_write, reader.is_staff, class_id, token))
            continue
        mine = post.author_id == reader_id or any(c.author_id == reader_id for c in view.comments)
        html = _kept(
            request.script_root,
            post,
            tuple(view.images),
            tuple(view.comments),
            page.may_write,
            class_id,
            reader_id if mine else None,
        )
        found.append(Markup(html.replace(_PLACEHOLDER, token)))  # noqa: S704 (kept autoescaped output)
    return found


@lru_cache(maxsize=1024)
def _kept(
    script_root: str,
    post: PostRow,
    images: tuple[ImageRow, ...],
    comments: tuple[CommentRow, ...],
    may_write: bool,
    class_id: int,
    reader_id: int | None,
) -> str:
    """One article for a pupil or parent; `reader_id` only when they wrote some of it (the
    links to change it are theirs alone). The mount point keys the links."""
    view = services.PostView(post, list(comments), list(images))
    return _render(view, reader_id, may_write, False, class_id, _PLACEHOLDER)


def _render(
    view: services.PostView,
    reader_id: int | None,
    may_write: bool,
    staff: bool,
    class_id: int,
    token: str,
) -> Markup:
    # The template's own names only (no context processors: it is rendered once per post).
    template = current_app.jinja_env.get_template("sandbox/_blog_post.html")
    return Markup(  # noqa: S704 (an autoescaped template's output)
        template.render(
            view=view,
            reader_id=reader_id,
            may_write=may_write,
            staff=staff,
            class_id=class_id,
            csrf_field=Markup('<input type="hidden" name="csrf_token" value="{}">').format(token),
            token=token,
            check_url=url_for("sandbox.check") if may_write else "",
            display_name=services.display_name,
            ItemState=ItemState,
        )
    )
