"""Retention: each kind of record is kept for its period, then its rows and files go together.

The schedule lives in retention.yaml (or the file named by ESAFETY_RETENTION_FILE). Each feature
contributes a finder that lists its records past their period; a legal hold on a person or a
concern keeps them. Rows are deleted in the transaction and their files only once it has
committed (esafety.uploads), so a row never loses its file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml
from flask import current_app
from sqlalchemy import Column, CursorResult, Table, delete, select, update

from .. import audit, guards, personal_data, uploads
from ..clock import utcnow
from ..extensions import db
from ..personal_data import DueRecord, Rule
from .models import LegalHold

DEFAULT_SCHEDULE = Path(__file__).with_name("retention.yaml")
STARTS = {"academic_year_end", "pupil_left", "evening", "staff_left", "date_of_birth", "created"}


def load_schedule() -> dict[str, Rule]:
    path = Path(
        os.environ.get("ESAFETY_RETENTION_FILE")
        or current_app.config.get("RETENTION_FILE", DEFAULT_SCHEDULE)
    )
    raw = yaml.safe_load(path.read_text())
    schedule = {}
    for key, spec in raw.items():
        if spec.get("from") not in STARTS or not isinstance(spec.get("years"), int):
            raise ValueError(
                f"{path}: rule {key!r} needs 'from' (one of {sorted(STARTS)}) and whole 'years'"
            )
        schedule[key] = Rule(key, spec.get("label", key), spec["from"], spec["years"])
    return schedule


def _active_holds() -> tuple[set[int], set[int]]:
    rows = db.session.execute(
        select(LegalHold.user_id, LegalHold.concern_id).where(LegalHold.lifted_at.is_(None))
    ).all()
    return {u for u, _ in rows if u is not None}, {c for _, c in rows if c is not None}


def find_due(on: date | None = None) -> list[DueRecord]:
    """Every record past its retention period on `on`, with held ones marked, not dropped."""
    on = on or utcnow().date()
    schedule = load_schedule()
    held_users, held_concerns = _active_holds()
    due: list[DueRecord] = []
    for provider in personal_data.providers():
        finder = getattr(provider, "retention_due", None)
        if finder is None:  # the provider says why its records are kept (KEPT_BECAUSE)
            continue
        for record in finder(schedule, on):
            record.held = bool(record.user_ids & held_users) or (
                record.concern_id is not None and record.concern_id in held_concerns
            )
            due.append(record)
    return due


@dataclass
class Deletion:
    """What apply() did: rows deleted per table, and files that go once this is committed."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def delete_records(due: list[DueRecord]) -> Deletion:
    """Delete every record that is not held (not committed); a file goes only after the commit,
    so a failed commit never leaves a row whose file is gone."""
    result = Deletion()
    guards.allow_retention(db.session.connection())
    for record in due:
        if record.held:
            continue
        for path in record.files:
            if path.exists():
                uploads.delete_after_commit(path)
                result.files += 1
        for table, ids, values in record.updates:
            if ids:
                rows = cast(Table, table)
                db.session.execute(update(rows).where(rows.c.id.in_(ids)).values(**values))
        for target, ids in record.rows:
            if ids:
                column = cast(Column[Any], target if isinstance(target, Column) else target.c.id)
                table = column.table
                done = db.session.execute(delete(table).where(column.in_(ids)))
                deleted = cast(CursorResult[Any], done).rowcount
                result.rows[table.name] = result.rows.get(table.name, 0) + max(deleted, 0)
    db.session.flush()
    return result


def apply(due: list[DueRecord], actor=None) -> Deletion:
    """Delete every due record that is not held (see delete_records), and audit what went."""
    result = delete_records(due)
    audit.record("records.retention_applied", actor=actor, rows=result.rows, files=result.files)
    return result
