"""Pictures on the class blog and the school news, kept in one table whoever owns them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import Model, enum_type


class ImageKind(enum.StrEnum):
    #: Taken by staff; may show pupils, so tagged pupils need photo consent.
    PHOTO = "photo"
    #: A pupil's own drawing.
    DRAWING = "drawing"


class BlogImage(Model):
    """A re-encoded picture (no EXIF, no GPS) kept outside static/ under a random name."""

    __tablename__ = "blog_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("blog_post.id", ondelete="CASCADE"), index=True
    )
    news_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("news_item.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[ImageKind] = mapped_column(enum_type(ImageKind))
    #: Random file name under UPLOAD_FOLDER/sandbox/; the uploaded name is never kept.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    #: Read aloud by screen readers in place of the picture.
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("(post_id IS NULL) <> (news_item_id IS NULL)", name="one_owner"),
    )
