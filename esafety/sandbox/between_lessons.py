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
from .models import BlogComment, ItemState
from .services import require_staff

#: How a waiting item is named in forms and page anchors: "post-12", "comment-7".
REF = re.compile(r"^(post|comment)-(\d{1,9})$")


@dataclass
class Waiting:
    school_class: SchoolClass
    entry: moderation.QueueEntry

    @property
    def ref(self) -> str:
        return f"{self.entry.item.kind}-{self.entry.item.id}"

    @property
    def clean(self) -> bool:
        """Nothing for a teacher to weigh: no findings, no photo problem, a post on the blog."""
        entry = self.entry
        if entry.findings or entry.title_findings or entry.photo_problem:
            return False
        item = entry.item
        return not isinstance(item, BlogComment) or item.post.state is ItemState.APPROVED


def queue_across(actor: User) -> list[Waiting]:
    """Every class's waiting writing, oldest first (the class queue's queries, once per class)."""
    waiting = []
    for school_class in school.classes_for(actor):
        if school_class.archived or not school.teaches(actor, school_class.id):
            continue
        reader = require_staff(actor, school_class.id)
        waiting += [Waiting(school_class, entry) for entry in moderation.queue(reader)]
    return sorted(waiting, key=lambda w: (w.entry.waiting_since, w.ref))


def approve_clean(actor: User, refs: list[str]) -> tuple[int, int]:
    """Approve the clean items the teacher was shown (and only those): anything that changed
    since, or has a finding now, is left for them. Returns (approved, left)."""
    wanted = {ref for ref in refs if REF.match(ref)}
    if not wanted:
        raise DomainError("There was nothing to approve.")
    approved = 0
    for waiting in queue_across(actor):
        if waiting.ref in wanted and waiting.clean:
            moderation.approve(actor, waiting.entry.item)
            approved += 1
    return approved, len(wanted) - approved
