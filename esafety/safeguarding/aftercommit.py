"""Work tied to the transaction: new evidence files go if it rolls back; mail goes once it commits.

Nothing a reporter gives is half-kept: a concern that is not saved leaves no file behind, and
nobody is emailed about a concern that does not exist.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .. import mail

_FILES = "safeguarding.new_files"
_MAIL = "safeguarding.mail"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def file_written(session: Session, path: Path) -> None:
    """Remember a file written in this transaction, so a rollback removes it."""
    session.info.setdefault(_FILES, []).append(path)


def send_after_commit(session: Session, message: Message) -> None:
    session.info.setdefault(_MAIL, []).append(message)


def discard_new_files(session: Session) -> None:
    for path in session.info.pop(_FILES, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_FILES, None)
    for message in session.info.pop(_MAIL, []):
        try:
            mail.send(message.to, message.subject, message.body)
        except Exception:  # noqa: BLE001 - the concern is saved; a mail outage must not undo it
            log.exception("could not send a safeguarding notification")


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested:
        return
    discard_new_files(session)
    session.info.pop(_MAIL, None)
