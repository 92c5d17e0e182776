"""Figures about concerns for the governors: counts by term and kind, never a name, and
small numbers hidden so that no child can be picked out of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import extract, func, select

from ..extensions import db
from .models import Concern, ConcernKind
from .prejudice import ConcernPrejudice, PrejudiceKind

#: Counts under this are shown as "fewer than 3" (a small school could otherwise tell who).
SMALLEST_SHOWN = 3


def shown(count: int) -> str:
    """A count as governors see it."""
    if count == 0:
        return "0"
    return f"fewer than {SMALLEST_SHOWN}" if count < SMALLEST_SHOWN else str(count)


def term_of(year: int, month: int) -> tuple[int, int, str]:
    """(sort key, sort key, name): autumn from September, spring from January, summer April."""
    if month >= 9:
        return year, 3, f"Autumn {year}"
    if month <= 3:
        return year, 1, f"Spring {year}"
    return year, 2, f"Summer {year}"


@dataclass
class TermCounts:
    name: str
    by_kind: dict[ConcernKind, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass
class ConcernFigures:
    terms: list[TermCounts]
    prejudice: dict[PrejudiceKind, int]


def concern_figures(since: date) -> ConcernFigures:
    """Concerns raised since a date, by term and kind, and bullying by prejudice (two queries)."""
    start = datetime.combine(since, datetime.min.time())
    year = extract("year", Concern.created_at)
    month = extract("month", Concern.created_at)
    rows = db.session.execute(
        select(year, month, Concern.kind, func.count(Concern.id))
        .where(Concern.created_at >= start)
        .group_by(year, month, Concern.kind)
    )
    terms: dict[tuple[int, int], TermCounts] = {}
    for y, m, kind, count in rows:
        key_year, key_part, name = term_of(int(y), int(m))
        term = terms.setdefault((key_year, key_part), TermCounts(name))
        term.by_kind[kind] = term.by_kind.get(kind, 0) + count
    prejudice: dict[PrejudiceKind, int] = defaultdict(int)
    for prejudice_kind, count in db.session.execute(
        select(ConcernPrejudice.kind, func.count())
        .join(Concern, Concern.id == ConcernPrejudice.concern_id)
        .where(Concern.created_at >= start)
        .group_by(ConcernPrejudice.kind)
    ):
        prejudice[prejudice_kind] = count
    return ConcernFigures([terms[k] for k in sorted(terms)], dict(prejudice))
