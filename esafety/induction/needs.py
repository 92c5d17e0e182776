"""What induction asks of one adult: their own steps and due date; for leaders, who is late
and which policies are past their review date."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from ..auth.models import User
from ..clock import today
from ..extensions import db
from ..needs import Need
from .compliance import induction_of, inductions
from .models import PolicyVersion, VersionState
from .rules import DASHBOARD_VIEWERS, INDUCTEE_ROLES, MANAGERS


def _long(day) -> str:
    """A date the way people write it: 9 December 2026."""
    return f"{day.day} {day:%B %Y}"


def needs_you(user: User) -> list[Need]:
    """A fixed number of queries: compliance works out everyone's induction in one pass."""
    needs = []
    if user.has_role(*INDUCTEE_ROLES):
        mine = induction_of(user)
        if mine is not None and not mine.complete and mine.total:
            left = mine.total - mine.done
            due = mine.next_due
            when = ""
            if due:
                when = (
                    f"late: it was due by {_long(due)}" if mine.overdue else f"due by {_long(due)}"
                )
            needs.append(
                Need(
                    "my_induction",
                    left,
                    "induction step to do" if left == 1 else "induction steps to do",
                    url_for("induction.my_induction"),
                    when,
                    urgent=mine.overdue,
                )
            )
    if user.has_role(*DASHBOARD_VIEWERS):
        late = [i for i in inductions() if i.overdue]
        if late:
            needs.append(
                Need(
                    "staff_overdue",
                    len(late),
                    "person late with their induction"
                    if len(late) == 1
                    else "people late with their induction",
                    url_for("induction.dashboard"),
                    ", ".join(i.user.full_name for i in late[:5])
                    + (f" and {len(late) - 5} more" if len(late) > 5 else ""),
                )
            )
    if user.has_role(*MANAGERS):
        past_review = db.session.scalar(
            select(func.count())
            .select_from(PolicyVersion)
            .where(
                PolicyVersion.state == VersionState.PUBLISHED,
                PolicyVersion.review_due_on < today(),
            )
        )
        if past_review:
            needs.append(
                Need(
                    "policies_past_review",
                    past_review,
                    "policy past its review date"
                    if past_review == 1
                    else "policies past their review date",
                    url_for("induction.manage"),
                )
            )
    return needs
