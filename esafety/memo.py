"""Request-scoped memoising of look-ups a page asks several times (whose pupil, which classes).

The answer lives on `flask.g` beside the request it was worked out for, so it can never be
handed to another request, even where one app context outlives many requests (as in tests).
Only a request the app is serving remembers (`start` runs before its view); the CLI and
services called directly, even inside a test's request context, always ask the database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, has_request_context, request

F = TypeVar("F", bound=Callable[..., Any])


def start() -> None:
    """Open an empty memo for the request being served (a `before_request` hook)."""
    g._esafety_memo = (request._get_current_object(), {})  # type: ignore[attr-defined]


def _memo() -> dict | None:
    held = g.get("_esafety_memo")
    if held is None or held[0] is not request._get_current_object():  # type: ignore[attr-defined]
        return None
    return held[1]


def per_request(function: F) -> F:
    """Remember `function(subject, *args)` for the rest of this request, keyed by the subject's
    id (a user, or a class id given as an int)."""

    @functools.wraps(function)
    def remembered(subject, *args):
        subject_id = subject if isinstance(subject, int) else subject.id
        memo = _memo() if has_request_context() and subject_id is not None else None
        if memo is None:
            return function(subject, *args)
        key = (function.__qualname__, subject_id, *args)
        if key not in memo:
            memo[key] = function(subject, *args)
        value = memo[key]
        return set(value) if isinstance(value, set) else value

    return remembered  # type: ignore[return-value]


def forget(function: Callable[..., Any]) -> None:
    """Drop what this request remembered of `function`: the service that changed it calls this."""
    memo = _memo() if has_request_context() else None
    if memo is not None:
        for key in [k for k in memo if k[0] == function.__qualname__]:
            del memo[key]
