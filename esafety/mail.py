"""Outgoing email: SMTP in production; without an SMTP host, .eml files in instance/outbox/."""

from __future__ import annotations

import logging
import smtplib
import unicodedata
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .errors import DomainError
from .extensions import db

_QUEUE_KEY = "esafety.mail_after_commit"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


def build_message(
    to: str | list[str], subject: str, body: str, attachments: list[Attachment] | tuple = ()
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(to) if isinstance(to, list) else to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@esafety>"
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype, filename=item.filename
        )
    return message


def check_headers(to: str | list[str], subject: str) -> None:
    """Refuse what email headers cannot carry: line breaks and other control characters."""
    values = [subject, *(to if isinstance(to, list) else [to])]
    if any(ch in value for value in values for ch in "\r\n\x00") or any(
        unicodedata.category(ch) == "Cc" for value in values for ch in value
    ):
        raise DomainError("An email subject or address cannot contain a line break.", "subject")


def send(
    to: str | list[str], subject: str, body: str, attachments: list[Attachment] | tuple = ()
) -> EmailMessage:
    """Send one message. Keep personal details out of `body` where a link will do."""
    message = build_message(to, subject, body, attachments)
    config = current_app.config
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.eml"
        (outbox / name).write_bytes(bytes(message))
    return message


def outbox_messages() -> list[EmailMessage]:
    """Messages written to the development outbox, oldest first (for tests and the demo)."""
    from email import policy
    from email.parser import BytesParser

    outbox = Path(current_app.config["MAIL_OUTBOX"])
    if not outbox.exists():
        return []
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(f.read_bytes()) for f in files]


def send_after_commit(
    to: str | None, subject: str, body: str, attachments: list[Attachment] | tuple = ()
) -> None:
    """Send once the request's transaction commits: nobody hears of a change that was undone.

    The message is built now, so a header that cannot be sent (a line break in a subject)
    is refused inside the request, beside its field, rather than failing after "sent"."""
    if to:
        check_headers(to, subject)
        db.session().info.setdefault(_QUEUE_KEY, []).append((to, subject, body, tuple(attachments)))


def queued_count() -> int:
    return len(db.session().info.get(_QUEUE_KEY, []))


def discard_queued() -> None:
    """Drop messages not yet sent (the demo school's people are not real)."""
    db.session().info.pop(_QUEUE_KEY, None)


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    for to, subject, body, attachments in session.info.pop(_QUEUE_KEY, []):
        try:
            send(to, subject, body, list(attachments))
        except Exception:  # noqa: BLE001 - the change stands; the message can be sent again
            log.exception("an email could not be sent")


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_QUEUE_KEY, None)


def link(endpoint: str, **values: Any) -> str:
    """A full link for an email, built without a request (jobs run from cron have none)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
