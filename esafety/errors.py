"""The base for domain errors: a message a person can read, and the form field it belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from .extensions import db


class DomainError(Exception):
    """A rule said no. `field` names the form field to show the message beside, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status = 403


class NotFoundError(DomainError):
    status = 404


def show_on_form(form, error: DomainError, fallback: str | None = None) -> str | None:
    """Put a rule's message beside its field (or `fallback`); return what belongs to no field.

    An error may name one field, or carry `problems` (field -> message, or field -> details
    explained elsewhere on the page). The form is shown again, so nothing typed is lost.
    """
    problems = getattr(error, "problems", None) or {error.field or "": error.message}
    leftover = []
    for name, detail in problems.items():
        message = detail if isinstance(detail, str) else error.message
        target = name if name and name in form else fallback
        if target and target in form:
            form[target].errors = [*form[target].errors, message]
        else:
            leftover.append(message)
    return " ".join(dict.fromkeys(leftover)) or None


@dataclass
class Outcome:
    """What a service call inside `rule_errors` came to: `failed` and the message for no field."""

    failed: bool = False
    problem: str | None = None
    #: The refusal itself, for views that do more with it than show its message.
    error: DomainError | None = None

    @property
    def status(self) -> int:
        return 400 if self.failed else 200


@contextmanager
def rule_errors(form=None, fallback: str | None = None) -> Iterator[Outcome]:
    """Run a service call; if a rule says no, undo its work and tell the person why.

    With a form the message goes beside its field (the page is shown again with everything
    typed, status 400); without one it is flashed. "Not for you" (403) and "not found" (404)
    pass through untouched to the error pages.
    """
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as error:
        if error.status != 400:
            raise
        db.session.rollback()
        outcome.failed, outcome.error = True, error
        if form is None:
            flash(error.message, "error")
        else:
            outcome.problem = show_on_form(form, error, fallback)
