"""The school's official public news: writing, publishing and withdrawing items, and their photos.

Policy: official posts show only children whose parents gave website consent this year; a
published item goes through the stricter checks every time it changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..photos import consent
from ..photos import storage as images
from ..photos.models import BlogImage, ImageKind
from ..school import services as school
from ..school.models import Pupil, SchoolClass
from ..text import render_markdown
from ..writing.checks import WritingNeedsChanges
from .access import require_publisher
from .checks import NEWS_WARNINGS, check_news, check_news_text
from .models import NewsItem, NewsItemPupil, NewsState

TITLE_MAX = 120


NEWS_MAX = 5000


#: Items on the public page and in the feed.
FEED_LENGTH = 30


def _clean(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not title:
        raise DomainError("Give the news a title.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Keep the title under {TITLE_MAX} characters.", field="title")
    if not body:
        raise DomainError("Write the news first.", field="body")
    if len(body) > NEWS_MAX:
        raise DomainError(f"Keep it under {NEWS_MAX} characters.", field="body")
    return title, body


def news_item_for_publisher(actor: User, item_id: int) -> NewsItem:
    require_publisher(actor)
    item = db.session.get(NewsItem, item_id)
    if item is None:
        raise NotFoundError("We could not find that news item.")
    return item


def save_news(actor: User, title: str, body: str, item: NewsItem | None = None) -> NewsItem:
    """Save a draft (a published item is changed only by publishing it again)."""
    require_publisher(actor)
    title, body = _clean(title, body)
    if item is not None and item.state is NewsState.PUBLISHED:
        raise DomainError("This is public: use “Publish changes” so the checks run again.")
    now = utcnow()
    if item is None:
        item = NewsItem(author_id=actor.id, created_at=now)
        db.session.add(item)
    item.title, item.source, item.html, item.updated_at = title, body, render_markdown(body), now
    if item.state is NewsState.WITHDRAWN:
        item.state = NewsState.DRAFT
    db.session.flush()
    return item


def publish_news(
    actor: User, title: str, body: str, item: NewsItem | None = None, *, checked: bool = False
) -> NewsItem:
    """Publish to the public page and feed, if every stricter check passes.

    Blocking findings stop it; spelling and possible contact details need `checked` (the
    publisher ticked that they have looked); tagged pupils need website consent this year.
    """
    require_publisher(actor)
    title, body = _clean(title, body)
    findings = check_news(title, body)
    problems = {
        name: [f for f in found if f.blocking]
        for name, found in findings.items()
        if any(f.blocking for f in found)
    }
    if problems:
        raise WritingNeedsChanges(problems, sending=True)
    warnings = [f for found in findings.values() for f in found if f.kind in NEWS_WARNINGS]
    if warnings and not checked:
        raise DomainError(
            "Please look at the marked words, then tick that you have checked them.",
            field="checked",
        )
    if item is not None:
        problem = news_photo_problem(item, news_images_of(item))
        if problem:
            raise DomainError(problem)
    now = utcnow()
    if item is None:
        item = NewsItem(author_id=actor.id, created_at=now)
        db.session.add(item)
    item.title, item.source, item.html, item.updated_at = title, body, render_markdown(body), now
    first_time = item.published_at is None
    item.state = NewsState.PUBLISHED
    item.published_at = item.published_at or now
    item.published_by_id = actor.id
    db.session.flush()
    audit.record(
        "sandbox.news.published", actor=actor, target=item, first_time=first_time, checked=checked
    )
    return item


def withdraw_news(actor: User, item: NewsItem) -> None:
    """Take an item off the public page and feed (kept as a draft, for the record)."""
    require_publisher(actor)
    if item.state is not NewsState.PUBLISHED:
        raise DomainError("This news item is not public.")
    item.state = NewsState.WITHDRAWN
    item.updated_at = utcnow()
    db.session.flush()
    audit.record("sandbox.news.withdrawn", actor=actor, target=item)


def newsroom_items(actor: User) -> list[NewsItem]:
    require_publisher(actor)
    return list(db.session.scalars(select(NewsItem).order_by(NewsItem.updated_at.desc())))


def published_items(limit: int = FEED_LENGTH) -> list[NewsItem]:
    return list(
        db.session.scalars(
            select(NewsItem)
            .where(NewsItem.state == NewsState.PUBLISHED)
            .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
            .limit(limit)
        )
    )


def published_item(item_id: int) -> NewsItem:
    item = db.session.get(NewsItem, item_id)
    if item is None or item.state is not NewsState.PUBLISHED:
        raise NotFoundError("We could not find that news.")
    return item


def news_images_of(item: NewsItem) -> list[BlogImage]:
    return list(
        db.session.scalars(
            select(BlogImage).where(BlogImage.news_item_id == item.id).order_by(BlogImage.id)
        )
    )


def images_by_item(items: list[NewsItem]) -> dict[int, list[BlogImage]]:
    """Pictures of many items in one query."""
    found: dict[int, list[BlogImage]] = {item.id: [] for item in items}
    if found:
        for image in db.session.scalars(
            select(BlogImage).where(BlogImage.news_item_id.in_(found)).order_by(BlogImage.id)
        ):
            assert image.news_item_id is not None  # the query keeps pictures of these items
            found[image.news_item_id].append(image)
    return found


def attach_news_picture(
    actor: User, item: NewsItem, upload: BinaryIO, description: str
) -> BlogImage:
    require_publisher(actor)
    if item.state is NewsState.PUBLISHED:
        raise DomainError("Withdraw the item first to change its pictures.")
    description = " ".join((description or "").split())
    if not description:
        raise DomainError("Describe the photo for people who cannot see it.", field="description")
    if len(description) > 200:
        raise DomainError("Keep the description under 200 characters.", field="description")
    blocking = [f for f in check_news_text(description) if f.blocking]
    if blocking:
        raise DomainError(blocking[0].message, field="description")
    image = images.new_picture(
        upload,
        news_item_id=item.id,
        uploaded_by_id=actor.id,
        kind=ImageKind.PHOTO,
        description=description,
    )
    db.session.add(image)
    db.session.flush()
    audit.record("sandbox.news.image_attached", actor=actor, target=image, news_item_id=item.id)
    return image


def remove_news_picture(actor: User, image: BlogImage) -> None:
    require_publisher(actor)
    stored_name = image.stored_name
    audit.record("sandbox.news.image_removed", actor=actor, target=image)
    db.session.delete(image)
    db.session.flush()
    images.discard(stored_name)


def public_picture(image_id: int) -> BlogImage:
    """A picture of a published news item: public, like the item itself."""
    image = db.session.get(BlogImage, image_id)
    if image is None or image.news_item_id is None:
        raise NotFoundError("We could not find that picture.")
    published_item(image.news_item_id)
    return image


def publisher_picture(actor: User, image_id: int) -> BlogImage:
    require_publisher(actor)
    image = db.session.get(BlogImage, image_id)
    if image is None or image.news_item_id is None:
        raise NotFoundError("We could not find that picture.")
    return image


def pupils_to_tag() -> list[tuple[Pupil, str]]:
    """Every current pupil with their class name, in class order, for the news photo tags."""
    return [
        (pupil, class_name)
        for pupil, class_name in db.session.execute(
            select(Pupil, SchoolClass.name)
            .join(SchoolClass, SchoolClass.id == Pupil.class_id)
            .where(Pupil.left_on.is_(None), SchoolClass.archived.is_(False))
            .order_by(SchoolClass.year_group, SchoolClass.name, Pupil.first_name)
        )
    ]


def tag_news_pupils(
    actor: User, item: NewsItem, pupil_ids: Iterable[int], nobody_in_photos: bool
) -> None:
    """Record who can be seen in the photos: publishing needs their website consent."""
    require_publisher(actor)
    wanted = set(pupil_ids)
    known = (
        set(db.session.scalars(select(Pupil.id).where(Pupil.id.in_(wanted)))) if wanted else set()
    )
    if wanted - known:
        raise DomainError("Choose pupils from the list.", field="pupils")
    consent.check_tag_choice(wanted, nobody_in_photos)
    item.tags = consent.retagged(
        item.tags, wanted, lambda pid: NewsItemPupil(pupil_id=pid, tagged_by_id=actor.id)
    )
    item.no_pupils_in_photos = nobody_in_photos
    db.session.flush()
    audit.record(
        "sandbox.news.pupils_tagged",
        actor=actor,
        target=item,
        pupil_ids=sorted(wanted),
        nobody_in_photos=nobody_in_photos,
    )


def news_photo_problem(item: NewsItem, photos: list[BlogImage]) -> str | None:
    """Photos go public only of pupils whose parents gave website consent this year."""
    tagged = {tag.pupil_id: tag.pupil for tag in item.tags}
    if consent.needs_tagging(bool(photos), tagged, item.no_pupils_in_photos):
        return "Say who can be seen in the photos (or that nobody can) before publishing."
    lacking = consent.lacking_consent(tagged, school.photo_consent_for(tagged, "website"))
    if lacking:
        names = ", ".join(p.full_name for p in lacking)
        return (
            f"No website photo consent this year for: {names}. Take off the photos they are in "
            "before publishing."
        )
    return None
