"""The outbox's records: who was emailed what subject (never the text once sent), shown in a
person's subject-access export and deleted a year on."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from ..extensions import db
from ..personal_data import DataSubject, DueRecord, Rule, SubjectRecords, plain
from .models import MailState, OutgoingMail


def subject_records(subject: DataSubject) -> SubjectRecords:
    """Emails sent to the person's address: when, the subject (private notices stay private)."""
    records = SubjectRecords()
    email = (subject.user.email or "").lower()
    if email:
        rows = db.session.execute(
            select(OutgoingMail.created_at, OutgoingMail.subject, OutgoingMail.state)
            .where(OutgoingMail.recipients.ilike(f"%{email}%"))
            .order_by(OutgoingMail.created_at)
        ).all()
        records.sections["Emails sent to them"] = [
            {"at": plain(at), "subject": title, "state": plain(state)} for at, title, state in rows
        ]
    return records


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
