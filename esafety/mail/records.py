"""Retention for the outbox: who was emailed what subject, kept a year, then deleted."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from ..extensions import db
from ..records.retention import DueRecord, Rule
from .models import MailState, OutgoingMail


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    rule = schedule["sent_mail"]
    cutoff = datetime.combine(rule.cutoff(on), time.min)
    rows = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.created_at)
        .where(OutgoingMail.state != MailState.WAITING, OutgoingMail.created_at < cutoff)
        .order_by(OutgoingMail.id)
    ).all()
    return [
        DueRecord(
            rule="sent_mail",
            description=f"Email {mail_id}",
            rows=[(OutgoingMail.__table__, [mail_id])],
            expired_on=rule.expires(created_at),
        )
        for mail_id, created_at in rows
    ]
