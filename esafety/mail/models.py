"""The outbox: every email is a row written in the same transaction as the change it reports."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import Model, enum_type


class MailState(enum.StrEnum):
    WAITING = "waiting"
    SENT = "sent"
    #: Tried too often, or refused for good by the mail server: the office can try it again.
    FAILED = "failed"


class OutgoingMail(Model):
    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The To header, for the office's list of mail that could not be delivered.
    recipients: Mapped[str] = mapped_column(String(1000))
    subject: Mapped[str] = mapped_column(String(300))
    #: The whole message (headers, body, attachments). Emptied once delivered, so password
    #: links and notices do not linger in the database.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[MailState] = mapped_column(enum_type(MailState), default=MailState.WAITING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The mail server's reason for the last failure (a code and a short text, no message body).
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]


#: Session info key: rows queued in the session's current transaction (not yet committed).
QUEUED_IN_TRANSACTION = "esafety.mail_queued"
