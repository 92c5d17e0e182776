"""New evidence files go if the transaction rolls back: a concern not saved leaves no file.

(Mail is an outbox row in the same transaction, so it is undone with the concern.)
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_FILES = "safeguarding.new_files"


def file_written(session: Session, path: Path) -> None:
    """Remember a file written in this transaction, so a rollback removes it."""
    session.info.setdefault(_FILES, []).append(path)


def discard_new_files(session: Session) -> None:
    for path in session.info.pop(_FILES, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_FILES, None)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested:
        return
    discard_new_files(session)
