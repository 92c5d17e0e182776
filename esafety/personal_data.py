"""What every feature's records provider speaks: the person a request is about, the records
it returns for them, and the records past their retention period.

A provider is a feature's `records.py`, listed in esafety.features. It has
`subject_records(subject) -> SubjectRecords` and either `retention_due(schedule, on) ->
list[DueRecord]` or a `KEPT_BECAUSE` string saying why its records are not deleted on a clock;
a feature holding a pupil's own work adds `erasable_work(pupil) -> ErasableWork`, and one that
holds records about concerns adds `concerns_involving(user_id, pupil_id) -> list[int]`.
The records feature (esafety.records) runs them through `providers()`, which reads the
app's manifest, so neither side imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, FromClause, select

from .auth.models import User
from .extensions import db
from .school.models import Pupil, StaffProfile


def providers() -> list[Any]:
    """Every feature's records provider, in the manifest's order (set by create_app)."""
    return current_app.extensions["esafety.records_providers"]


@dataclass
class DataSubject:
    """The person a request is about: an account, and their pupil or staff record if any."""

    user: User
    pupil: Pupil | None
    staff: StaffProfile | None
    #: Who is making the export (None for the data command): providers may show less to some.
    requested_by: User | None = None

    @classmethod
    def of(cls, user: User, requested_by: User | None = None) -> DataSubject:
        return cls(
            user=user,
            pupil=db.session.scalar(select(Pupil).where(Pupil.user_id == user.id)),
            staff=db.session.get(StaffProfile, user.id),
            requested_by=requested_by,
        )


@dataclass
class SubjectRecords:
    #: Section title -> rows (plain dicts of JSON-friendly values).
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Files to include: (name inside the zip, path on disk).
    files: list[tuple[str, Path]] = field(default_factory=list)
    #: Records held back for a safeguarding role to review and redact.
    withheld: list[dict[str, Any]] = field(default_factory=list)


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def row(obj: Any, *columns: str) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in columns}


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
    rows: list[tuple[FromClause | ColumnElement[Any], list[int]]]
    files: list[Path] = field(default_factory=list)
    #: People the record is about: a legal hold on any of them keeps it.
    user_ids: frozenset[int] = frozenset()
    concern_id: int | None = None
    expired_on: date | None = None
    held: bool = False
    #: Rows that stay but must let go of what is deleted, done first: (table, ids, new values).
    updates: list[tuple[FromClause, list[int], dict[str, Any]]] = field(default_factory=list)


@dataclass
class ErasableWork:
    """A leaver's own work in one feature, as records to delete together, with counts to keep."""

    records: list[DueRecord]
    counts: dict[str, int]
