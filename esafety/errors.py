"""The base for domain errors: a message a person can read, and the form field it belongs to."""

from __future__ import annotations


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
