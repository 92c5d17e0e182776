"""Deny by default: every view declares who may use it, with exactly one of these decorators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from .. import audit
from ..extensions import db
from .roles import Role

ACCESS_ATTRIBUTE = "esafety_access"


@dataclass(frozen=True)
class Access:
    #: None means public; an empty set means anyone signed in.
    roles: frozenset[Role] | None
    #: Answer 404 rather than 403, so the page's existence is not revealed (safeguarding).
    hide: bool = False

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def allows(self, user: Any) -> bool:
        if self.roles is None:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)


def _declare(access: Access) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not access.is_public:
                if not current_user.is_authenticated:
                    return redirect(url_for("auth.login", next=request.full_path))
                if not access.allows(current_user):
                    audit.record("access.refused", actor=current_user, endpoint=request.endpoint)
                    db.session.commit()
                    abort(404 if access.hide else 403)
            return view(*args, **kwargs)

        setattr(guarded, ACCESS_ATTRIBUTE, access)
        return guarded

    return decorator


def requires(*roles: Role, hide: bool = False) -> Callable:
    """Only people holding one of these roles may use the view."""
    if not roles:
        raise ValueError("requires() needs at least one role; use signed_in for anyone signed in")
    return _declare(Access(frozenset(roles), hide))


def signed_in(view: Callable) -> Callable:
    """Anyone signed in may use the view; what they see inside is still limited by the service."""
    return _declare(Access(frozenset()))(view)


def public(view: Callable) -> Callable:
    """Anyone, signed in or not (login pages, the health check, the public news feed)."""
    return _declare(Access(None))(view)


def access_of(view: Callable) -> Access | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)
