"""One source of 'now', in UTC, so every feature agrees and tests can age records."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC time: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


def in_zone(moment: datetime, zone: str) -> datetime:
    """A stored (naive UTC) time as the clock in `zone` shows it."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def labelled(moment: datetime | None, zone: str, with_seconds: bool = False) -> str:
    """'14 Jul 2026, 15:05 BST': the school's local time with its zone named, so nobody
    mistakes it for UTC (an hour apart all summer)."""
    if moment is None:
        return ""
    local = in_zone(moment, zone)
    return local.strftime("%d %b %Y, %H:%M" + (":%S" if with_seconds else "") + " %Z")
