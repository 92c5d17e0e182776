"""The school's official public news feed: items, the pupils seen in their photos, publishers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..extensions import Model, enum_type
from ..school.models import Pupil


class NewsState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NewsItem(Model):
    """A post on the school's official public feed, written in the class's collective voice."""

    __tablename__ = "news_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text, default="")
    #: Made once at save by esafety.text.render_markdown.
    html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[NewsState] = mapped_column(
        enum_type(NewsState), default=NewsState.DRAFT, index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The publisher said nobody can be seen in the photos, so no pupil needs tagging.
    no_pupils_in_photos: Mapped[bool] = mapped_column(default=False)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    tags: Mapped[list[NewsItemPupil]] = relationship(
        back_populates="news_item", cascade="all, delete-orphan"
    )


class NewsItemPupil(Model):
    """A pupil seen in a news item's photos: publishing waits for their website consent."""

    __tablename__ = "news_item_pupil"

    news_item_id: Mapped[int] = mapped_column(
        ForeignKey("news_item.id", ondelete="CASCADE"), primary_key=True
    )
    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupil.id", ondelete="CASCADE"), primary_key=True
    )
    tagged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    news_item: Mapped[NewsItem] = relationship(back_populates="tags")
    pupil: Mapped[Pupil] = relationship(lazy="joined")


class NewsPublisher(Model):
    """A member of staff the computing lead has approved to publish on the school's feed."""

    __tablename__ = "news_publisher"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
