"""Sending what waits in the outbox: one worker at a time, retries with growing pauses.

A message is tried, and on a temporary failure (server down, not answering, busy) tried again
after 1, 2, 4, 8 ... times MAIL_RETRY_SECONDS, up to MAIL_RETRY_MAX_SECONDS apart. After
MAIL_MAX_ATTEMPTS tries, or when the server refuses it for good (a 5xx answer), it is set
aside as failed; the office sees it and can try it again. Delivery is at least once: if the
worker dies between sending and recording, the message goes again.
"""

from __future__ import annotations

import logging
import signal
import smtplib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from .message import message_bytes
from .models import QUEUED_IN_TRANSACTION, MailState, OutgoingMail

log = logging.getLogger(__name__)


#: Answers about one message (its sender, recipients or content); anything else is about the
#: server as a whole (not reachable, not answering, greeting or login refused).
_ABOUT_THE_MESSAGE = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


def _reason(error: BaseException) -> str:
    """A short reason for the office: the server's code and words, or the kind of failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"the mail server refused the address (code {', '.join(map(str, codes))})"
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        return f"the mail server answered {error.smtp_code}: {text}"[:300]
    if isinstance(error, TimeoutError | smtplib.SMTPServerDisconnected) or "timed out" in str(
        error
    ):
        return "the mail server did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "the mail server refused the connection"
    if isinstance(error, OSError):
        return f"could not reach the mail server ({type(error).__name__})"[:300]
    return f"the message could not be sent as it is ({type(error).__name__})"[:300]


def _is_permanent(error: BaseException) -> bool:
    """A 5xx answer about the message itself: sending it again would be refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    about_the_message = (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
    return isinstance(error, about_the_message) and 500 <= error.smtp_code < 600


class SmtpTransport:
    """One connection for a batch, opened on first use, with a short timeout on every step."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        )
        try:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, content: bytes) -> None:
        """Send one message; a broken connection is dropped so the next batch opens a new one."""
        if self._smtp is None:
            self._smtp = self._connect()
        message = _parse(content)
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self._smtp.close()
            self._smtp = None
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


class OutboxFolder:
    """Development and tests: each message becomes a .eml file, named in delivery order."""

    def send(self, content: bytes) -> None:
        outbox = Path(current_app.config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml").write_bytes(content)

    def close(self) -> None:
        pass


def _parse(content: bytes):
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(content)


def _transport() -> SmtpTransport | OutboxFolder:
    return SmtpTransport() if current_app.config["MAIL_SERVER"] else OutboxFolder()


def backoff(attempts: int) -> timedelta:
    """The pause after the n-th failed try: doubling from MAIL_RETRY_SECONDS, with a ceiling."""
    config = current_app.config
    seconds = config["MAIL_RETRY_SECONDS"] * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed


def deliver_due(
    now: datetime | None = None, *, limit: int = 50, commit: bool = True
) -> DeliveryReport:
    """Try every waiting message that is due, oldest first; record each outcome.

    With `commit` (the worker and cron), each outcome is committed at once and no transaction
    stays open while the mail server is talked to. Without it (tests reading the outbox in
    their own transaction), outcomes are only flushed and mail queued in that transaction
    but not yet committed is left alone.
    """
    now = now or utcnow()
    skip = set() if commit else uncommitted_ids()
    query = (
        select(OutgoingMail.id, OutgoingMail.content, OutgoingMail.attempts)
        .where(OutgoingMail.state == MailState.WAITING, OutgoingMail.next_attempt_at <= now)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit)
    )
    if skip:
        query = query.where(OutgoingMail.id.not_in(skip))
    due = db.session.execute(query).all()
    if commit:
        db.session.commit()
    report = DeliveryReport()
    if not due:
        return report
    transport = _transport()
    unreachable: BaseException | None = None
    try:
        for mail_id, content, attempts in due:
            if unreachable is None:
                try:
                    if content is None:
                        raise ValueError("the message has no content")
                    transport.send(message_bytes(content))
                except (smtplib.SMTPException, OSError) as error:
                    if not isinstance(error, _ABOUT_THE_MESSAGE):
                        # Cannot reach the server: every message in this batch would fail the
                        # same way, so each counts a try now instead of each waiting a timeout.
                        unreachable = error
                    _record_failure(report, mail_id, attempts, error, now)
                except Exception as error:  # noqa: BLE001 - one bad message must not block the rest
                    log.exception("mail: message %s cannot be sent as it is", mail_id)
                    _record_failure(report, mail_id, attempts, error, now, permanent=True)
                else:
                    _record_sent(report, mail_id)
            else:
                _record_failure(report, mail_id, attempts, unreachable, now)
            if commit:
                db.session.commit()
            else:
                db.session.flush()
    finally:
        transport.close()
    if unreachable is not None:
        log.warning("mail: the mail server could not be reached: %s", _reason(unreachable))
    return report


def _record_sent(report: DeliveryReport, mail_id: int) -> None:
    row = db.session.get_one(OutgoingMail, mail_id)
    row.state = MailState.SENT
    row.sent_at = utcnow()
    row.attempts += 1
    row.content = None
    row.last_error = None
    report.sent += 1
    report.ids.append(mail_id)


def _record_failure(
    report: DeliveryReport,
    mail_id: int,
    attempts: int,
    error: BaseException,
    now: datetime,
    *,
    permanent: bool = False,
) -> None:
    row = db.session.get_one(OutgoingMail, mail_id)
    row.attempts = attempts + 1
    row.last_error = _reason(error)
    permanent = permanent or _is_permanent(error)
    if permanent or row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        row.state = MailState.FAILED
        report.failed += 1
        log.error("mail: message %s failed for good after %s tries", mail_id, row.attempts)
    else:
        row.next_attempt_at = now + backoff(row.attempts)
        report.retrying += 1
        log.warning("mail: message %s will be tried again at %s", mail_id, row.next_attempt_at)
    report.ids.append(mail_id)


def run_worker(
    poll_seconds: float,
    stop: threading.Event | None = None,
    between_rounds: Callable[[], None] | None = None,
) -> None:
    """Deliver until stopped (Ctrl-C, SIGTERM or `stop`), looking for new mail every poll.

    `between_rounds` runs after each round (esafety.periodic: reminders that need no cron)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    log.info("mail: worker started, looking every %ss", poll_seconds)
    while not stop.is_set():
        try:
            report = deliver_due()
        except Exception:  # noqa: BLE001 - a lost database connection must not end the worker
            db.session.rollback()
            log.exception("mail: a delivery round failed; trying again shortly")
            report = DeliveryReport()
        finally:
            db.session.remove()
        if report.tried:
            log.info(
                "mail: sent=%s retrying=%s failed=%s", report.sent, report.retrying, report.failed
            )
        if between_rounds is not None:
            between_rounds()
        if report.tried < 50:
            stop.wait(poll_seconds)
    log.info("mail: worker stopped")


# --- What the office sees ------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    waiting: int
    failed: int
    oldest_waiting_seconds: int


def backlog(now: datetime | None = None) -> Backlog:
    """How much mail is waiting or set aside (for /healthz and the office's page)."""
    now = now or utcnow()
    counts = dict(
        db.session.execute(
            select(OutgoingMail.state, func.count(OutgoingMail.id))
            .where(OutgoingMail.state != MailState.SENT)
            .group_by(OutgoingMail.state)
        ).all()
    )
    oldest = db.session.scalar(
        select(func.min(OutgoingMail.created_at)).where(OutgoingMail.state == MailState.WAITING)
    )
    return Backlog(
        waiting=counts.get(MailState.WAITING, 0),
        failed=counts.get(MailState.FAILED, 0),
        oldest_waiting_seconds=int((now - oldest).total_seconds()) if oldest else 0,
    )


def undelivered(limit: int = 200) -> list[OutgoingMail]:
    """Mail set aside as failed, then mail still waiting after a failed try; newest first."""
    return list(
        db.session.scalars(
            select(OutgoingMail)
            .where(
                (OutgoingMail.state == MailState.FAILED)
                | ((OutgoingMail.state == MailState.WAITING) & (OutgoingMail.attempts > 0))
            )
            .order_by(OutgoingMail.state, OutgoingMail.created_at.desc())
            .limit(limit)
        )
    )


def try_again(actor, mail_ids: list[int] | None = None) -> int:
    """Put failed mail back in the queue to go at once, with a fresh count of tries."""
    query = select(OutgoingMail).where(OutgoingMail.state == MailState.FAILED)
    if mail_ids is not None:
        query = query.where(OutgoingMail.id.in_(mail_ids))
    rows = list(db.session.scalars(query))
    for row in rows:
        row.state = MailState.WAITING
        row.attempts = 0
        row.next_attempt_at = utcnow()
        audit.record("mail.retried", actor=actor, target=row)
    db.session.flush()
    return len(rows)


def uncommitted_ids() -> set[int]:
    """Ids of rows queued in this transaction, which a delivery in the same session must skip."""
    db.session.flush()
    queued = db.session().info.get(QUEUED_IN_TRANSACTION, [])
    return {row.id for row in queued if row.id is not None}
