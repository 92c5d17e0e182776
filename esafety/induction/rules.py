"""Who may do what in induction, and the small rules every induction module shares."""

from __future__ import annotations

import calendar
import hashlib
from datetime import date
from typing import overload

from ..auth.models import User
from ..auth.roles import LIGHT_ROLES, STAFF_ROLES, Role
from ..errors import NotAllowed

#: Leaders who write policies, publish versions, set pathways and record for others.
MANAGERS = (Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN)
#: Who sees the compliance dashboard: leaders, the e-safety officer and governors (read-only).
DASHBOARD_VIEWERS = (*MANAGERS, Role.ESAFETY_OFFICER, Role.GOVERNOR)
#: Everyone who has an induction: staff, the safeguarding team, governors (who volunteer), and
#: the adults who work in school for a while (the policy covers "support staff and volunteers").
INDUCTEE_ROLES = (
    *sorted(STAFF_ROLES),
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.GOVERNOR,
    *sorted(LIGHT_ROLES),
)
#: Induction is due this many days after the start date unless a pathway says otherwise.
DEFAULT_DUE_WITHIN_DAYS = 10
#: Percentage needed to pass a course's quiz unless the course says otherwise.
DEFAULT_PASS_MARK = 80
#: Reminders about expiring training and policy reviews start this many days ahead.
REMINDER_WINDOW_DAYS = 30


def is_manager(user: User) -> bool:
    return user.has_role(*MANAGERS)


def require_manager(actor: User, doing: str) -> None:
    """Only the headteacher, senior leaders and the office manage induction."""
    if not is_manager(actor):
        raise NotAllowed(f"Only the headteacher, senior leaders or the office can {doing}.")


def is_inductee(user: User) -> bool:
    return user.has_role(*INDUCTEE_ROLES)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@overload
def resign_cutoff(day: date, month: int) -> date: ...
@overload
def resign_cutoff(day: date, month: int | None) -> date | None: ...
def resign_cutoff(day: date, month: int | None) -> date | None:
    """The start of this year's read-and-sign for a policy signed every year in `month` (the
    latest 1 <month> on or before `day`); None when the policy has no yearly re-sign."""
    if month is None:
        return None
    year = day.year if day.month >= month else day.year - 1
    return date(year, month, 1)


def normalise_name(name: str) -> str:
    """Names match whatever the case or spacing: "  jane   SMITH " is "Jane Smith"."""
    return " ".join(name.split()).casefold()


def text_sha256(text: str) -> str:
    """The fingerprint a sign-off records: SHA-256 of the version's exact Markdown as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
