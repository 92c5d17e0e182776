"""Retention for the audit log itself: entries older than their period go, unless held."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from ..audit import AuditEntry
from ..extensions import db
from .retention import DueRecord, Rule


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
