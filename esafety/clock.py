"""One source of 'now', in UTC, so every feature agrees and tests can age records."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC time: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


def school_zone():
    """The school's own time zone (ESAFETY_SCHOOL_TIMEZONE, Europe/London unless set)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return ZoneInfo(current_app.config.get("SCHOOL_TIMEZONE") or "Europe/London")


def to_school_time(moment: datetime) -> datetime:
    """A stored (naive UTC) time as the clock on the school wall shows it."""
    return moment.replace(tzinfo=UTC).astimezone(school_zone())


def school_time(moment: datetime | None, with_date: bool = False, seconds: bool = False) -> str:
    """'14:05 GMT' or, with the date, '3 Dec 2026, 14:05 BST': labelled so nobody wonders
    which clock it is, and right in summer and in winter."""
    if moment is None:
        return ""
    local = to_school_time(moment)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    clock = f"{clock} {local.tzname()}"
    return f"{local.day} {local:%b %Y}, {clock}" if with_date else clock
