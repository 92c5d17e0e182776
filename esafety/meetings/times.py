"""School-local time: times are stored as naive UTC and shown (and typed) in the school's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from ..clock import school_zone, to_school_time

DEFAULT_ZONE = "Europe/London"


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as the clock on the school wall shows it."""
    return to_school_time(moment)


def from_local(wall_time: datetime) -> datetime:
    """A time typed by staff (school wall-clock, naive) as naive UTC for storing."""
    aware = wall_time.replace(tzinfo=school_zone()) if wall_time.tzinfo is None else wall_time
    return aware.astimezone(UTC).replace(tzinfo=None)


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def when(moment: datetime, with_year: bool = False) -> str:
    """'Tuesday 3 March, 6:30pm': plain words parents read at a glance."""
    local = to_local(moment)
    day = f"{local:%A} {local.day} {local:%B}"
    if with_year:
        day += f" {local.year}"
    return f"{day}, {_clock(local)}"


def time_of_day(moment: datetime) -> str:
    return _clock(to_local(moment))


def span(starts_at: datetime, ends_at: datetime) -> str:
    """'Tuesday 3 March, 6:30pm to 7:45pm' (the end's date too, if it differs)."""
    if to_local(starts_at).date() == to_local(ends_at).date():
        return f"{when(starts_at)} to {time_of_day(ends_at)}"
    return f"{when(starts_at)} to {when(ends_at)}"


def input_value(moment: datetime | None) -> datetime | None:
    """A stored time as the naive local value a datetime-local input shows."""
    return None if moment is None else to_local(moment).replace(tzinfo=None)
