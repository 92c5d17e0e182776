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
    """Remember `function(user, *args)` for the rest of this request, keyed by the user's id."""

    @functools.wraps(function)
    def remembered(user, *args):
        memo = _memo() if has_request_context() and user.id is not None else None
        if memo is None:
            return function(user, *args)
        key = (function.__qualname__, user.id, *args)
        if key not in memo:
            memo[key] = function(user, *args)
        value = memo[key]
        return set(value) if isinstance(value, set) else value

    return remembered  # type: ignore[return-value]
