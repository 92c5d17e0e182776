"""Retention: each kind of record is kept for its period, then its rows and files go together.

The schedule lives in retention.yaml (or the file named by ESAFETY_RETENTION_FILE). Each feature
contributes a finder that lists its records past their period; a legal hold on a person or a
concern keeps them. Files are moved aside before rows are deleted and put back if the
transaction fails, so a row never loses its file and a file never outlives its row.
"""

from __future__ import annotations

import importlib
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import Column, Table, delete, select, update

from .. import audit, guards
from ..clock import utcnow
from ..extensions import db
from .models import LegalHold

DEFAULT_SCHEDULE = Path(__file__).with_name("retention.yaml")
STARTS = {"academic_year_end", "pupil_left", "evening", "staff_left", "date_of_birth", "created"}

#: Modules with a `retention_due(schedule, on) -> list[DueRecord]` function, in delete order.
FINDERS: list[str] = [
    "esafety.sandbox.records",
    "esafety.lessons.records",
    "esafety.meetings.records",
    "esafety.induction.records",
    "esafety.safeguarding.records",
    "esafety.records.audit_records",
]


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    start: str
    years: int

    def cutoff(self, on: date) -> date:
        """Records whose clock started before this day have expired by `on`."""
        try:
            return on.replace(year=on.year - self.years)
        except ValueError:  # 29 February
            return on.replace(year=on.year - self.years, day=28)

    def expires(self, start: date | datetime | None) -> date | None:
        """The day a record whose clock started on `start` may be deleted (None: not yet known)."""
        if start is None:
            return None
        day = start.date() if isinstance(start, datetime) else start
        try:
            return day.replace(year=day.year + self.years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + self.years, day=28)


@dataclass
class DueRecord:
    rule: str
    description: str
    #: Rows to delete, children first: (table, ids), or (column, values) for a table keyed
    #: otherwise (a link table without an id: every row whose column holds one of the values).
    rows: list[tuple[Table | Column, list[int]]]
    files: list[Path] = field(default_factory=list)
    #: People the record is about: a legal hold on any of them keeps it.
    user_ids: frozenset[int] = frozenset()
    concern_id: int | None = None
    expired_on: date | None = None
    held: bool = False
    #: Rows that stay but must let go of what is deleted, done first: (table, ids, new values).
    updates: list[tuple[Table, list[int], dict[str, Any]]] = field(default_factory=list)


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
    for module_name in FINDERS:
        finder: Callable = importlib.import_module(module_name).retention_due
        for record in finder(schedule, on):
            record.held = bool(record.user_ids & held_users) or (
                record.concern_id is not None and record.concern_id in held_concerns
            )
            due.append(record)
    return due


@dataclass
class Deletion:
    """What apply() did, and the files set aside until the transaction has committed."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    _moved: list[tuple[Path, Path]] = field(default_factory=list)
    _trash: Path | None = None

    def restore_files(self) -> None:
        """The transaction failed: put every file back where it was."""
        for original, aside in reversed(self._moved):
            original.parent.mkdir(parents=True, exist_ok=True)
            os.replace(aside, original)
        self._moved.clear()

    def purge_files(self) -> None:
        """The transaction committed: the files set aside can go."""
        if self._trash is not None:
            shutil.rmtree(self._trash, ignore_errors=True)
        self._moved.clear()


def delete_records(due: list[DueRecord]) -> Deletion:
    """Delete every record that is not held: files set aside, rows deleted (not committed).

    Commit, then call purge_files(); if the commit fails, roll back and call restore_files().
    """
    result = Deletion()
    guards.allow_retention(db.session.connection())
    trash = Path(current_app.config["UPLOAD_FOLDER"]) / ".retention-trash" / uuid.uuid4().hex
    result._trash = trash
    try:
        for record in due:
            if record.held:
                continue
            for path in record.files:
                if path.exists():
                    aside = trash / f"{len(result._moved)}-{path.name}"
                    aside.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, aside)
                    result._moved.append((path, aside))
                    result.files += 1
            for table, ids, values in record.updates:
                if ids:
                    db.session.execute(update(table).where(table.c.id.in_(ids)).values(**values))
            for target, ids in record.rows:
                if ids:
                    column = target if isinstance(target, Column) else target.c.id
                    table = column.table
                    deleted = db.session.execute(delete(table).where(column.in_(ids))).rowcount
                    result.rows[table.name] = result.rows.get(table.name, 0) + max(deleted, 0)
        db.session.flush()
    except Exception:
        result.restore_files()
        raise
    return result


def apply(due: list[DueRecord], actor=None) -> Deletion:
    """Delete every due record that is not held (see delete_records), and audit what went."""
    result = delete_records(due)
    audit.record("records.retention_applied", actor=actor, rows=result.rows, files=result.files)
    return result
