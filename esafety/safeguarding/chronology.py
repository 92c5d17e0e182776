"""Checks that each concern's chronology still tells its whole story (`flask esafety verify`).

On PostgreSQL the chronology cannot be changed or cut (esafety/guards.py); this finds what
someone with the owner's rights might have done anyway: a chronology that no longer starts
where the concern was raised, or that does not hold the one step that closed it.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import ActionKind, Concern, ConcernAccess, ConcernAction, ConcernStatus

_CLOSING = {
    ConcernStatus.RESOLVED: ActionKind.RESOLVED,
    ConcernStatus.REFERRED: ActionKind.REFERRED,
}


def verify_chronologies() -> tuple[int, list[str]]:
    """(concerns checked, problems found), each problem naming its concern."""
    steps: dict[int, list[ActionKind]] = {}
    for concern_id, kind in db.session.execute(
        select(ConcernAction.concern_id, ConcernAction.kind).order_by(ConcernAction.id)
    ):
        steps.setdefault(concern_id, []).append(kind)
    problems = []
    concerns = db.session.execute(select(Concern.id, Concern.status).order_by(Concern.id)).all()
    for concern_id, status in concerns:
        reference = f"SG-{concern_id:04d}"
        kinds = steps.get(concern_id, [])
        if not kinds or kinds[0] is not ActionKind.RAISED:
            problems.append(f"{reference}: its chronology does not start where it was raised")
        closing = [k for k in kinds if k in (ActionKind.RESOLVED, ActionKind.REFERRED)]
        expected = [_CLOSING[status]] if status in _CLOSING else []
        if closing != expected:
            problems.append(
                f"{reference}: it is {status.label.lower()}, but its chronology holds "
                f"{', '.join(k.value for k in closing) or 'no closing step'}"
            )
    known = {concern_id for concern_id, _ in concerns}
    orphans = db.session.scalars(
        select(ConcernAccess.concern_id).where(ConcernAccess.concern_id.is_not(None)).distinct()
    ).all()
    for concern_id in sorted({c for c in orphans if c is not None} - known):
        problems.append(f"SG-{concern_id:04d}: the access log names a concern that is gone")
    return len(concerns), problems
