"""What a class's teacher does with the checks: words that are fine here, worries, and counts.

Policy: pupils' writing is monitored by their teachers, and anything that suggests a child may
be at risk goes to the people who keep children safe at once. A worry never blocks or shames
the child: their writing is kept off the blog, they are thanked, and a concern is raised with a
copy of their words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..safeguarding import services as safeguarding
from ..writing.checks import MESSAGES, Finding, allow_key
from .models import AllowedWords, BlogComment, BlogPost, FindingTally

#: What a child reads after writing something that worries us (never a telling-off).
CALM_MESSAGE = (
    "Thank you for writing this. A grown-up who keeps children safe will read it and talk to you."
)
#: Kinds a teacher's "this is fine" can teach the class list (a worry is for the safeguarding
#: team to judge, so it only lets that one piece of writing go on the blog).
TEACHABLE_KINDS = frozenset(MESSAGES) - {"worry"}
ALLOWED_MAX = 80
#: Weeks shown in the class's count of findings.
WEEKS_SHOWN = 6

KIND_LABELS = {
    "text_speak": "Text speak",
    "full_name": "Full names",
    "email": "Email addresses",
    "phone": "Phone numbers",
    "postcode": "Postcodes",
    "address": "Addresses",
    "unkind": "Unkind words",
    "shouting": "Shouting",
    "username": "Usernames",
    "password": "Passwords",
    "school": "School names",
    "birthday": "Birthdays",
    "whereabouts": "Whereabouts",
    "worry": "Worries",
}

Item = BlogPost | BlogComment


# --- Words that are fine in this class -------------------------------------------------------


def allowed_words(class_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AllowedWords.words)
            .where(AllowedWords.class_id == class_id)
            .order_by(AllowedWords.words)
        )
    )


@dataclass(frozen=True)
class AllowedEntry:
    """One of the class's allowed words as the teacher's list shows it."""

    id: int
    words: str
    kind: str | None
    #: Who added it (their full name).
    added_by: str


def allowed_entries(class_id: int) -> list[AllowedEntry]:
    """The class's allowed words, with who added each, as rows."""
    return [
        AllowedEntry(row.id, row.words, row.kind, f"{row.first_name} {row.last_name}")
        for row in db.session.execute(
            select(
                AllowedWords.id,
                AllowedWords.words,
                AllowedWords.kind,
                User.first_name,
                User.last_name,
            )
            .join(User, User.id == AllowedWords.added_by_id)
            .where(AllowedWords.class_id == class_id)
            .order_by(AllowedWords.words)
        )
    ]


def allow(actor: User, class_id: int, words: str, kind: str | None = None) -> AllowedWords:
    """Add words to the class's list of words that are fine (the caller checked the actor)."""
    key = allow_key(words)
    if not key:
        raise DomainError("Write the word or words that are fine in your class.", field="words")
    if len(key) > ALLOWED_MAX:
        raise DomainError(f"Keep it under {ALLOWED_MAX} letters.", field="words")
    if kind is not None and kind not in TEACHABLE_KINDS:
        raise DomainError("A worry cannot be added to the class's list.", field="words")
    existing = db.session.scalar(
        select(AllowedWords).where(AllowedWords.class_id == class_id, AllowedWords.words == key)
    )
    if existing is not None:
        return existing
    entry = AllowedWords(class_id=class_id, words=key, kind=kind, added_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    audit.record("sandbox.allowed_words.added", actor=actor, target=entry, class_id=class_id)
    return entry


def remove_allowed(actor: User, class_id: int, entry_id: int) -> None:
    entry = db.session.get(AllowedWords, entry_id)
    if entry is None or entry.class_id != class_id:
        raise NotFoundError("That word is not on the class's list.")
    audit.record("sandbox.allowed_words.removed", actor=actor, target=entry, class_id=class_id)
    db.session.delete(entry)
    db.session.flush()


def release_from_worry(actor: User, item: Item) -> None:
    """A teacher read the worry and says the writing may go on the blog (the concern stays)."""
    if not item.held_for_worry:
        raise DomainError("This writing is not being held.")
    item.held_for_worry = False
    db.session.flush()
    audit.record(f"sandbox.{item.kind}.released", actor=actor, target=item)


# --- Worries ---------------------------------------------------------------------------------


def worries_in(findings: dict[str, list[Finding]]) -> list[Finding]:
    return [f for found in findings.values() for f in found if f.kind == "worry"]


def hear_worry(pupil: User, item: Item, class_id: int, words: str) -> None:
    """Keep the writing off the blog and raise a concern with the child's words, at once.

    Saving the same words again changes nothing; changed words are held again with a new
    concern, so the safeguarding team always has what the child actually wrote.
    """
    if item.worry_concern_id is not None and item.worry_words == words:
        return  # already heard (and, if a teacher released it, still released)
    item.held_for_worry = True
    concern_id = raise_worry(
        pupil, f"their {item.kind}, kept off the blog", item.kind, item.id, words
    )
    item.worry_concern_id = concern_id
    item.worry_words = words
    db.session.flush()
    audit.record(
        f"sandbox.{item.kind}.worry_heard",
        actor=pupil,
        target=item,
        class_id=class_id,
        concern_id=concern_id,
    )


def raise_worry(pupil: User, where: str, item_kind: str, item_id: int, words: str) -> int:
    """An urgent concern for the safeguarding team with a pupil's own words; its id.

    Through the safeguarding feature's public call for worries: the DSL team is told at once
    (the deputies too, as it is urgent), and the class team is not (it may be about them).
    """
    pupil_record = safeguarding.pupils_reporter_may_name(pupil)
    concern = safeguarding.raise_urgent_pupil_worry(
        pupil,
        pupil_record[0].id,
        words,
        context=f"the class blog ({where})",
        source_ref=f"{item_kind}:{item_id}",
    )
    return concern.id


# --- Counting findings by week ---------------------------------------------------------------


def record_findings(class_id: int, findings: Iterable[Finding]) -> None:
    """Count each time the checks stepped in on a pupil's writing (class and kind only)."""
    now = utcnow()
    for finding in findings:
        db.session.add(FindingTally(class_id=class_id, kind=finding.kind, found_at=now))
    db.session.flush()


@dataclass
class WeekCount:
    week_of: date
    counts: Counter

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def weekly_counts(class_id: int, today: date | None = None) -> list[WeekCount]:
    """Findings per kind for each of the last few weeks (Monday to Sunday), newest first."""
    today = today or utcnow().date()
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=WEEKS_SHOWN - 1)
    weeks = [WeekCount(this_monday - timedelta(weeks=n), Counter()) for n in range(WEEKS_SHOWN)]
    by_monday = {week.week_of: week for week in weeks}
    rows = db.session.execute(
        select(FindingTally.kind, FindingTally.found_at).where(
            FindingTally.class_id == class_id,
            FindingTally.found_at >= datetime.combine(first_monday, datetime.min.time()),
        )
    )
    for kind, found_at in rows:
        day = found_at.date()
        by_monday[day - timedelta(days=day.weekday())].counts[kind] += 1
    return weeks


def kinds_in(weeks: list[WeekCount]) -> list[str]:
    """The kinds any of the weeks counted, in the order the labels list them."""
    seen = {kind for week in weeks for kind in week.counts}
    return [kind for kind in KIND_LABELS if kind in seen]
