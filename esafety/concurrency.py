"""Decisions made on an older page are refused: what two people can decide carries a revision.

Every record two people can decide (a blog post or comment, a report, a concern, a booking,
a policy draft) has a `revision` column that SQLAlchemy bumps on every UPDATE
(`version_id_col`), and each UPDATE says `WHERE revision = <the one read>`. So:

- a decision form carries the revision its page showed (a hidden field); `expect_revision`
  refuses it when the record has changed since, before anything is written;
- two decisions in flight at once cannot both land: the second UPDATE matches no row (on
  PostgreSQL it waits for the first's row lock, then sees the new revision; on SQLite it
  waits for the write lock), SQLAlchemy raises StaleDataError, and `flush` turns it into the
  same refusal, which rolls the whole request back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from .errors import DomainError
from .extensions import db

#: What a person reads when their page was out of date.
STALE_MESSAGE = (
    "Someone changed this while you had the page open, so nothing was done. "
    "Here is how it stands now: please look again before you decide."
)


class StaleDecision(DomainError):
    """The page the decision was made on showed an older revision of the record."""

    def __init__(self, message: str = STALE_MESSAGE, field: str | None = None) -> None:
        super().__init__(message, field)


class Revisioned:
    """Mixin: a revision column, bumped by every UPDATE and checked by it."""

    #: 1 when made; every change adds one. Forms carry it back as a hidden `revision` field.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls: Any) -> dict[str, Any]:  # called on the mapped class
        return {"version_id_col": cls.__table__.c.revision}


def expect_revision(record: Revisioned, seen: int | str | None) -> None:
    """Refuse a decision made on a page that showed another revision of `record`.

    `seen` is what the page's hidden field sent back; a page without one (an old tab from
    before revisions, a hand-made request) is refused too. None means the caller is not a
    page (a command, another service) and has just read the record itself.
    """
    if seen is None:
        return
    try:
        number = int(str(seen).strip())
    except ValueError:
        raise StaleDecision() from None
    if number != record.revision:
        raise StaleDecision()


def flush() -> None:
    """Flush, turning "someone else's decision landed first" into a refusal a person reads."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise StaleDecision() from error
