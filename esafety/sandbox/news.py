"""The school's official public news feed: a public page and an Atom feed for the website.

Policy: the computing lead is responsible for the school's accounts and only staff they approve
upload content; official posts are correctly written, contain no text language, name no child,
show only children whose parents gave website consent this year, and speak as the class
("Year 4 have been…", "We have been…").
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET  # noqa: S405 - building XML, never parsing it
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import BinaryIO

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..auth.roles import STAFF_ROLES, Role
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass
from ..text import render_markdown
from . import images
from .checks import Finding, check_text
from .models import (
    BlogImage,
    ImageKind,
    NewsItem,
    NewsItemPupil,
    NewsPublisher,
    NewsState,
)
from .services import TITLE_MAX, WritingNeedsChanges

NEWS_MAX = 5000
#: Items on the public page and in the feed.
FEED_LENGTH = 30
ATOM_NS = "http://www.w3.org/2005/Atom"

#: On the public feed these stop publishing outright.
NEWS_BLOCKING = frozenset({"text_speak", "full_name", "pupil_name", "unkind"})
#: These need the publisher to tick that they have checked them.
NEWS_WARNINGS = frozenset({"spelling", "email", "phone", "postcode", "address", "shouting"})

NEWS_MESSAGES = {
    "text_speak": "“{found}” is text language; the school's posts use whole words. "
    "Try “{suggestion}”.",
    "full_name": "“{found}” names a pupil. Children are never named on the public feed.",
    "pupil_name": "“{found}” is the name of a pupil here. Children are never named on the "
    "public feed: write about the class instead.",
    "unkind": "“{found}” does not belong on the school's public feed.",
    "spelling": "Check the spelling of “{found}”{suggestion_text}.",
    "email": "This is an email address: check it is the school's own before publishing.",
    "phone": "This is a phone number: check it is the school's own before publishing.",
    "postcode": "This is a postcode: check it is the school's own before publishing.",
    "address": "This looks like an address: check it is the school's own before publishing.",
    "shouting": "A long run of capital letters reads as shouting.",
    "voice": "The school writes as the class: try “Year 4 have been…” or “We have been…”.",
}


# --- Who may publish -----------------------------------------------------------------------


def may_publish(user: User) -> bool:
    """The computing lead, and staff the computing lead has approved."""
    if not user.is_authenticated or not user.is_staff:
        return False
    if user.has_role(Role.COMPUTING_LEAD):
        return True
    return db.session.get(NewsPublisher, user.id) is not None


def require_publisher(actor: User) -> None:
    if not may_publish(actor):
        raise NotAllowed("Only the computing lead and staff they approve publish school news.")


def publishers() -> list[NewsPublisher]:
    return list(db.session.scalars(select(NewsPublisher).order_by(NewsPublisher.approved_at)))


def staff_who_could_publish() -> list[User]:
    """Staff not yet approved (and not the computing lead), for the computing lead to choose."""
    approved = {p.user_id for p in publishers()}
    return [
        user
        for user in school.staff_with_role(*STAFF_ROLES)
        if user.id not in approved and not user.has_role(Role.COMPUTING_LEAD)
    ]


def approve_publisher(actor: User, user_id: int) -> NewsPublisher:
    """The computing lead approves a member of staff to publish on the school's feed."""
    if not actor.has_role(Role.COMPUTING_LEAD):
        raise NotAllowed("Only the computing lead approves who publishes school news.")
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff or not user.active:
        raise DomainError("Choose a member of staff.", field="user_id")
    existing = db.session.get(NewsPublisher, user_id)
    if existing is not None:
        return existing
    publisher = NewsPublisher(user_id=user_id, approved_by_id=actor.id, approved_at=utcnow())
    db.session.add(publisher)
    db.session.flush()
    audit.record("sandbox.news.publisher_approved", actor=actor, target=user)
    return publisher


def revoke_publisher(actor: User, user_id: int) -> None:
    if not actor.has_role(Role.COMPUTING_LEAD):
        raise NotAllowed("Only the computing lead changes who publishes school news.")
    publisher = db.session.get(NewsPublisher, user_id)
    if publisher is None:
        raise NotFoundError("That person is not a publisher.")
    audit.record("sandbox.news.publisher_revoked", actor=actor, target=publisher.user)
    db.session.delete(publisher)
    db.session.flush()


# --- Stricter checks -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _spellchecker():
    """The English dictionary ships inside pyspellchecker: nothing is fetched from the internet."""
    from spellchecker import SpellChecker

    checker = SpellChecker(language="en")
    checker.word_frequency.load_words(SCHOOL_WORDS)
    return checker


#: Words a British primary school uses that the dictionary lacks.
SCHOOL_WORDS = [
    "maths",
    "headteacher",
    "esafety",
    "online",
    "homework",
    "playtime",
    "lunchtime",
    "timetable",
    "colouring",
    "programme",
    "programmes",
    "pyjamas",
    "jewellery",
    "aluminium",
    "cheque",
    "kerb",
    "tyre",
    "tyres",
    "storytelling",
    "phonics",
    "wellbeing",
    "cheerleading",
    "dreamt",
]

#: British endings and their American forms: either spelling is accepted.
_BRITISH_TO_AMERICAN = [
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("ourful", "orful"),
    ("ourite", "orite"),
    ("ourites", "orites"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("ence", "ense"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("eller", "eler"),
    ("ellers", "elers"),
    ("mme", "m"),
]
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?]\s+|\n\s*[-*>]?\s*)$")
_LINK_RE = re.compile(r"\b(?:https?://|www\.|mailto:)\S+|[\w.+\-]+@[\w\-.]+", re.IGNORECASE)


def _american_forms(word: str) -> list[str]:
    forms = []
    for british, american in _BRITISH_TO_AMERICAN:
        if word.endswith(british):
            forms.append(word[: -len(british)] + american)
        # A British word in the middle of a longer one: "colourful", "favourites".
        index = word.find(british)
        if 0 < index < len(word) - len(british):
            forms.append(word[:index] + american + word[index + len(british) :])
    return forms


def _at_sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START_RE.search(text[max(0, start - 4) : start])) or start == 0


def spelling_findings(text: str, limit: int = 20) -> list[Finding]:
    """Words the dictionary does not know, in British or American spelling."""
    checker = _spellchecker()
    links = [(m.start(), m.end()) for m in _LINK_RE.finditer(text)]
    findings: list[Finding] = []
    for match in _WORD_RE.finditer(text):
        raw = match.group(0)
        if any(s <= match.start() < e for s, e in links):
            continue
        if any(ch.isupper() for ch in raw[1:]) or (
            raw[0].isupper() and not _at_sentence_start(text, match.start())
        ):
            continue  # names of places and people, and initials, are not spell-checked
        word = re.sub(r"['’]s?$", "", raw.lower()).replace("’", "'")
        if len(word) < 2 or not checker.unknown([word]):
            continue
        if any(not checker.unknown([form]) for form in _american_forms(word)):
            continue
        suggestion = checker.correction(word)
        findings.append(
            Finding(
                "spelling",
                match.start(),
                match.end(),
                NEWS_MESSAGES["spelling"].format(
                    found=raw,
                    suggestion_text=f" (did you mean “{suggestion}”?)" if suggestion else "",
                ),
                blocking=False,
                suggestion=suggestion,
            )
        )
        if len(findings) >= limit:
            break
    return findings


def _pupil_first_names() -> set[str]:
    return {
        name.strip()
        for name in db.session.scalars(
            select(Pupil.first_name).where(Pupil.left_on.is_(None)).distinct()
        )
        if name and name.strip()
    }


def pupil_name_findings(text: str, first_names: Iterable[str]) -> list[Finding]:
    """Any pupil's first name, as a name: 'Grace' mid-sentence, but not 'Will you…' or 'we will'."""
    names = sorted(set(first_names), key=len, reverse=True)
    if not names:
        return []
    checker = _spellchecker()
    pattern = re.compile(
        r"(?<![\w'’])(" + "|".join(re.escape(n) for n in names) + r")(?:['’]s)?(?![\w])"
    )
    findings = []
    for match in pattern.finditer(text):
        name = match.group(1)
        if name[0].islower():
            continue
        if not checker.unknown([name.lower()]) and _at_sentence_start(text, match.start()):
            continue  # "Will we…", "Grace and…" at the start of a sentence read as words
        findings.append(_news_finding("pupil_name", match.start(), match.end(), match.group(0)))
    return findings


_COLLECTIVE_RE = re.compile(
    r"\b(?:we|we've|we're|we'll|our|us|everyone)\b"
    r"|\b(?:year\s+\d|reception|nursery|class|classes|children|pupils|school)\s+"
    r"(?:have|has|had|are|were|will|enjoyed|loved)\b",
    re.IGNORECASE,
)
_FIRST_PERSON_RE = re.compile(r"\b(?:I|I've|I'm|I'll|my|me)\b")


def voice_findings(text: str) -> list[Finding]:
    """A gentle hint when the post does not speak as the class."""
    first_person = _FIRST_PERSON_RE.search(text)
    if first_person:
        return [_news_finding("voice", first_person.start(), first_person.end(), "")]
    if not _COLLECTIVE_RE.search(text):
        return [_news_finding("voice", 0, 0, "")]
    return []


def _news_finding(kind: str, start: int, end: int, found: str, suggestion: str | None = None):
    return Finding(
        kind,
        start,
        end,
        NEWS_MESSAGES[kind].format(found=found, suggestion=suggestion or ""),
        blocking=kind in NEWS_BLOCKING,
        suggestion=suggestion,
    )


def check_news_text(text: str) -> list[Finding]:
    """The public feed's stricter checks: whole words, no child named, spelling, the class voice."""
    pupils = [
        tuple(row)
        for row in db.session.execute(
            select(Pupil.first_name, Pupil.last_name).where(Pupil.left_on.is_(None))
        )
    ]
    findings = []
    for finding in check_text(text, pupils):
        if finding.kind not in NEWS_MESSAGES:
            continue  # the blog's child-safety kinds (a school's own name, a worry) do not apply
        found = text[finding.start : finding.end]
        findings.append(
            dataclasses.replace(
                finding,
                blocking=finding.kind in NEWS_BLOCKING,
                message=NEWS_MESSAGES[finding.kind].format(
                    found=found, suggestion=finding.suggestion or ""
                ),
            )
        )
    named = [(f.start, f.end) for f in findings if f.kind == "full_name"]
    findings += [
        f
        for f in pupil_name_findings(text, _pupil_first_names())
        if not any(s <= f.start < e for s, e in named)
    ]
    findings += spelling_findings(text)
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))


def check_news(title: str, body: str) -> dict[str, list[Finding]]:
    """Findings for each field, plus the collective-voice hint on the body."""
    return {
        "title": check_news_text(title),
        "body": check_news_text(body) + voice_findings(body),
    }


# --- Writing and publishing ----------------------------------------------------------------


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


# --- News pictures -------------------------------------------------------------------------


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
            assert image.news_item_id is not None  # only pictures of these items
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
    picture = images.clean_picture(upload)
    image = BlogImage(
        news_item_id=item.id,
        uploaded_by_id=actor.id,
        kind=ImageKind.PHOTO,
        stored_name=images.store(picture),
        content_type=picture.content_type,
        width=picture.width,
        height=picture.height,
        byte_size=len(picture.data),
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
    if wanted and nobody_in_photos:
        raise DomainError(
            "You ticked that nobody can be seen, but also chose pupils. Please choose one.",
            field="pupils",
        )
    item.tags = [tag for tag in item.tags if tag.pupil_id in wanted] + [
        NewsItemPupil(pupil_id=pid, tagged_by_id=actor.id)
        for pid in sorted(wanted - {t.pupil_id for t in item.tags})
    ]
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
    if photos and not tagged and not item.no_pupils_in_photos:
        return "Say who can be seen in the photos (or that nobody can) before publishing."
    consent = school.photo_consent_for(tagged, "website")
    lacking = sorted(
        (p for pid, p in tagged.items() if not consent.get(pid)), key=lambda p: p.first_name
    )
    if lacking:
        names = ", ".join(p.full_name for p in lacking)
        return (
            f"No website photo consent this year for: {names}. Take off the photos they are in "
            "before publishing."
        )
    return None


# --- The Atom feed -------------------------------------------------------------------------


def atom_feed(
    items: list[NewsItem],
    *,
    title: str,
    feed_url: str,
    page_url: str,
    item_url: Callable[[NewsItem], str],
) -> bytes:
    """The feed for the school website, built with ElementTree so every character is escaped."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", title)
    sub(feed, "id", feed_url)
    sub(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=page_url, type="text/html")
    updated = max((i.updated_at for i in items), default=None) or utcnow()
    sub(feed, "updated", _rfc3339(updated))
    author = sub(feed, "author")
    sub(author, "name", title)
    for item in items:
        entry = sub(feed, "entry")
        url = item_url(item)
        sub(entry, "title", item.title)
        sub(entry, "id", url)
        sub(entry, "link", rel="alternate", href=url, type="text/html")
        sub(entry, "published", _rfc3339(item.published_at or item.created_at))
        sub(entry, "updated", _rfc3339(item.updated_at))
        sub(entry, "content", item.html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _rfc3339(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"
