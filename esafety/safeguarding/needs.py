"""New concerns, counted for the people who handle them and for nobody else.

Only concerns the person may open are counted (the same rule as opening one), so the subject of
a concern, or a headteacher a concern is about, sees a number without it. Whether the line is
offered at all depends only on the person's role, never on what concerns exist.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..needs import Need
from .models import Concern, ConcernStatus
from .services import can_open, chair_id, may_see_list


def needs_you(user: User) -> list[Need]:
    """Two queries: the chair of governors, then the new concerns."""
    if not may_see_list(user):
        return []
    chair = chair_id()
    new = [
        concern
        for concern in db.session.scalars(
            select(Concern).where(Concern.status == ConcernStatus.NEW)
        )
        if can_open(user, concern, chair)
    ]
    if not new:
        return []
    urgent = sum(1 for concern in new if concern.consider_police)
    return [
        Need(
            "concerns_new",
            len(new),
            "new concern to read" if len(new) == 1 else "new concerns to read",
            url_for("safeguarding.concerns"),
            f"{urgent} may need the police" if urgent else "",
            urgent=True,
        )
    ]
