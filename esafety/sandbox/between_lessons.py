"""Moderation between lessons: one queue across every class a member of staff runs, oldest
first, and approving in one go the waiting writing in which the checks found nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..auth.models import User
from ..errors import DomainError
from ..school import services as school
from ..school.models import SchoolClass
from . import moderation
from .models import ItemState
from .services import require_staff

#: How a waiting item is named in forms and page anchors: "post-12", "comment-7".
REF = re.compile(r"^(post|comment)-(\d{1,9})$")
#: How "approve every clean item" names what it was shown: "post-12:3" is post 12 at revision 3.
SHOWN = re.compile(r"^(?P<kind>post|comment)-(?P<id>\d{1,9}):(?P<revision>\d{1,9})$")


@dataclass
class Waiting:
    school_class: SchoolClass
    entry: moderation.QueueEntry

    @property
    def ref(self) -> str:
        return f"{self.entry.item.kind}-{self.entry.item.id}"

    @property
    def shown(self) -> str:
        """The item and the revision this page shows, for "approve every clean item"."""
        return f"{self.ref}:{self.entry.item.revision}"

    @property
    def clean(self) -> bool:
        """Nothing for a teacher to weigh: no findings, no photo problem, a post on the blog."""
        entry = self.entry
        if entry.findings or entry.title_findings or entry.photo_problem:
            return False
        return entry.item.post_state is ItemState.APPROVED or entry.item.kind == "post"


def queue_across(actor: User) -> list[Waiting]:
    """Every class's waiting writing, oldest first (the class queue's queries, once per class)."""
    waiting = []
    for school_class in school.classes_for(actor):
        if school_class.archived or not school.teaches(actor, school_class.id):
            continue
        reader = require_staff(actor, school_class.id)
        waiting += [Waiting(school_class, entry) for entry in moderation.queue(reader)]
    return sorted(waiting, key=lambda w: (w.entry.waiting_since, w.ref))


@dataclass
class ApprovedClean:
    """What "approve every clean item" came to, for the teacher's message."""

    approved: int = 0
    #: Changed since the page was shown (edited, or the checks now find something): still waiting.
    changed: int = 0
    #: Decided meanwhile (by a colleague, or taken back by the pupil): no longer waiting.
    gone: int = 0


def _seen_revisions(shown: list[str]) -> dict[str, int]:
    """The page's "post-12:3" values: each item the teacher was shown, at the revision shown."""
    seen = {}
    for value in shown:
        match = SHOWN.match(value or "")
        if match:
            seen[f"{match['kind']}-{match['id']}"] = int(match["revision"])
    return seen


def approve_clean(actor: User, shown: list[str]) -> ApprovedClean:
    """Approve the clean items the teacher was shown, exactly as shown (and only those).

    Each value names an item and the revision the page showed; an item edited since (even if it
    is still clean) or now with a finding stays waiting for the teacher to read again."""
    seen = _seen_revisions(shown)
    if not seen:
        raise DomainError("There was nothing to approve.")
    result = ApprovedClean()
    for waiting in queue_across(actor):
        revision = seen.pop(waiting.ref, None)
        if revision is None:
            continue
        if waiting.entry.item.revision != revision or not waiting.clean:
            result.changed += 1
            continue
        item = waiting.entry.item
        moderation.approve(actor, moderation.find_item(item.kind, item.id), seen=revision)
        result.approved += 1
    result.gone = len(seen)
    return result
