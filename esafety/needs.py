""" "Needs you": what is waiting for one adult, at the top of their start page.

Each feature answers for itself (its `needs.py`, a function of the person), in a fixed number of
queries however much is waiting, and only with what that person may open: a count is a record
too, so a safeguarding count never includes a concern the person could not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from .auth.models import User


@dataclass(frozen=True)
class Need:
    #: A short name for the kind of thing (tests and page anchors use it).
    key: str
    count: int
    #: What it is, in a few words after the number: "posts and comments to check".
    text: str
    url: str
    #: A little more: which classes, by when, since when.
    detail: str = ""
    #: Late or about children's safety: shown first and marked.
    urgent: bool = False


def _providers() -> list[Callable[[User], list[Need]]]:
    """Each feature's `needs_you`, from the manifest (handed to the app by create_app)."""
    return current_app.extensions["esafety.needs"]


def needs_for(user: User) -> list[Need]:
    """Everything waiting for this person, urgent first; nothing at all for pupils."""
    if user.is_pupil and not user.is_staff:
        return []
    found = [need for provider in _providers() for need in provider(user) if need.count > 0]
    return sorted(found, key=lambda need: not need.urgent)
