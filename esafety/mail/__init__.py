"""Outgoing email through an outbox table: written with the change it reports, sent by a worker.

`queue(...)` adds the message as a row in the caller's transaction, so a change that is rolled
back tells nobody and a committed one is never lost, whatever the mail server is doing. The row
holds the message's parts; the worker builds the email from them when it sends (the email
package's building and folding was most of a booking's CPU, and no page needs to wait for it). No
request talks to SMTP: `flask --app esafety mail work` (or `mail deliver` from cron) sends what
is waiting, retrying with growing pauses, and sets aside what cannot be delivered for the
office to see and try again. Without MAIL_SERVER, messages land as .eml files in
instance/outbox/ (development and tests).
"""

from __future__ import annotations

import unicodedata
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..errors import DomainError
from ..extensions import db
from .message import Attachment, build_message, parts_of, recipients_of
from .models import QUEUED_IN_TRANSACTION, MailState, OutgoingMail

__all__ = [
    "Attachment",
    "MailState",
    "OutgoingMail",
    "build_message",
    "discard_queued",
    "link",
    "outbox_messages",
    "queue",
]

_NEW_KEY = QUEUED_IN_TRANSACTION
#: What the office's list shows instead of the subject of a private notice.
PRIVATE_LABEL = "A private notice"


def queue(
    to: str | list[str] | None,
    subject: str,
    body: str,
    attachments: list[Attachment] | tuple = (),
    *,
    private: bool = False,
) -> OutgoingMail | None:
    """Put a message in the outbox; it goes once this transaction commits, never before.

    Keep personal details out of `body` where a link will do. `private` hides the subject
    from the office's list of undelivered mail (safeguarding notices name a concern).
    """
    if not to:
        return None
    check_headers(to, subject)
    row = OutgoingMail(
        recipients=recipients_of(to)[:1000],
        subject=PRIVATE_LABEL if private else subject[:300],
        content=parts_of(to, subject, body, attachments),
    )
    session = db.session()
    session.add(row)
    session.info.setdefault(_NEW_KEY, []).append(row)
    return row


def check_headers(to: str | list[str], subject: str) -> None:
    """Refuse what email headers cannot carry (line breaks, other control characters) inside
    the request, beside its field, rather than failing after the page said "sent"."""
    values = [subject, *(to if isinstance(to, list) else [to])]
    if any(unicodedata.category(ch) == "Cc" for value in values for ch in value):
        raise DomainError("An email subject or address cannot contain a line break.", "subject")


def discard_queued() -> None:
    """Take back the messages queued in this transaction (the demo school's people are not real)."""
    session = db.session()
    for row in session.info.pop(_NEW_KEY, []):
        if row in session.new:
            session.expunge(row)
        elif row in session:
            session.delete(row)
    session.flush()


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_NEW_KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_NEW_KEY, None)


def outbox_messages() -> list[EmailMessage]:
    """Deliver what is waiting, then list the development outbox, oldest first.

    For tests and the demo: a test reads the mail its committed work sent without starting a
    worker. Mail queued in a transaction not yet committed stays waiting, as it would for a
    worker.
    """
    from .delivery import deliver_due

    deliver_due(commit=False)
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    if not outbox.exists():
        return []
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.name)  # named by time of delivery
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(f.read_bytes()) for f in files]


def link(endpoint: str, **values: Any) -> str:
    """A full link for an email, built without a request (jobs run from cron have none)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
