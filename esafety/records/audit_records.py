"""The records feature's own records: the audit log (what a person did, and what was done to their
account) and legal holds. Old audit entries go on their clock unless held; holds are kept."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import or_, select

from ..audit import AuditEntry
from ..extensions import db
from ..personal_data import DataSubject, DueRecord, Rule, SubjectRecords, plain
from .models import LegalHold


def subject_records(subject: DataSubject) -> SubjectRecords:
    """Audit entries by or about the person, and when a legal hold kept their records."""
    user = subject.user
    records = SubjectRecords()
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.actor_id == user.id,
                (AuditEntry.target_type == "user") & (AuditEntry.target_id == user.id),
            )
        )
        .order_by(AuditEntry.at)
    )
    records.sections["Audit log entries"] = [
        {
            "at": plain(e.at),
            "action": e.action,
            "record": f"{e.target_type or ''} {e.target_id or ''}".strip(),
        }
        for e in entries
    ]
    holds = db.session.scalars(
        select(LegalHold).where(LegalHold.user_id == user.id).order_by(LegalHold.placed_at)
    )
    records.sections["Legal holds on their records"] = [
        {"placed_at": plain(h.placed_at), "lifted_at": plain(h.lifted_at)} for h in holds
    ]
    return records


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    rule = schedule["audit_log"]
    cutoff = rule.cutoff(on)
    rows = db.session.execute(
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_id,
            AuditEntry.target_type,
            AuditEntry.target_id,
        )
        .where(AuditEntry.at < datetime.combine(cutoff, time.min))
        .order_by(AuditEntry.id)
    ).all()
    table = AuditEntry.__table__
    return [
        DueRecord(
            rule="audit_log",
            description=f"Audit entry {entry_id}",
            rows=[(table, [entry_id])],
            user_ids=frozenset(
                {u for u in (actor_id, target_id if target_type == "user" else None) if u}
            ),
            expired_on=rule.expires(at),
        )
        for entry_id, at, actor_id, target_type, target_id in rows
    ]
