"""The safeguarding team's alarms, run by `flask --app esafety safeguarding alerts` every few
minutes: unread or urgent concerns to the deputies, overdue actions to their owners, and a LADO
contact not made within one working day to the handlers. Each is sent once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import mail
from ..clock import today, utcnow
from ..extensions import db
from . import casefile, routing, services
from .models import ActionKind, CaseTask, Concern, ConcernStatus, Procedure, Urgency

DEFAULT_UNREAD_HOURS = 4

OPEN = (ConcernStatus.NEW, ConcernStatus.IN_PROGRESS)


@dataclass
class AlertsSent:
    escalated: list[str]
    overdue_actions: int
    lado_reminders: list[str]
    receipt_reminders: int = 0


def unread_hours() -> float:
    return float(current_app.config.get("SAFEGUARDING_UNREAD_HOURS", DEFAULT_UNREAD_HOURS))


def escalate_unread(now: datetime | None = None) -> list[Concern]:
    """Alert the deputies about concerns nobody on the team has opened for N hours (or at
    once, for urgent ones raised before any deputy was told)."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=unread_hours())
    waiting = db.session.scalars(
        select(Concern)
        .where(
            Concern.first_read_at.is_(None),
            Concern.escalated_at.is_(None),
            Concern.status.in_(OPEN),
            Concern.about_headteacher.is_(False),
            (Concern.created_at <= cutoff) | (Concern.urgency == Urgency.URGENT),
        )
        .order_by(Concern.id)
    )
    deputies = routing.deputy_dsls()
    done = []
    for concern in waiting:
        if concern.procedure in routing.OUTSIDE_DSL and concern.pupil_id is None:
            continue
        why = (
            "It is urgent and nobody has opened it yet."
            if concern.urgency is Urgency.URGENT
            else f"Nobody has opened it for {unread_hours():g} hours."
        )
        services.alert_deputies(concern, deputies, why)
        if concern.escalated_at is not None:
            done.append(concern)
    return done


def remind_overdue_tasks(on: date | None = None) -> list[CaseTask]:
    """Email each owner of an overdue action once a day, with a link only."""
    on = on or today()
    tasks = list(
        db.session.scalars(
            select(CaseTask)
            .join(Concern, Concern.id == CaseTask.concern_id)
            .where(
                CaseTask.done_at.is_(None),
                CaseTask.due_on < on,
                (CaseTask.reminded_on.is_(None)) | (CaseTask.reminded_on < on),
                Concern.status.in_(OPEN),
            )
            .order_by(CaseTask.id)
        )
    )
    for task in tasks:
        task.reminded_on = on
        if task.owner.email and services.can_open(task.owner, task.concern):
            mail.queue(
                task.owner.email,
                f"An overdue safeguarding action: {task.concern.reference}",
                f"Dear {task.owner.first_name},\n\nAn action of yours on a safeguarding "
                f"concern ({task.concern.reference}) was due on {task.due_on:%A %d %B %Y}.\n"
                f"Please sign in to see it:\n\n"
                f"{mail.link('safeguarding.case', concern_id=task.concern_id)}\n\n"
                "The details are kept in the safeguarding record, not in email.\n",
                private=True,
            )
    db.session.flush()
    return tasks


def remind_lado(now: datetime | None = None) -> list[Concern]:
    """Allegations about staff with no LADO contact after one working day: tell the
    handlers (and the DSL), once, and note it in the chronology."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Concern)
        .where(
            Concern.procedure == Procedure.ALLEGATIONS,
            Concern.lado_due_at.is_not(None),
            Concern.lado_due_at <= now,
            Concern.lado_reminded_at.is_(None),
            Concern.status.in_(OPEN),
        )
        .order_by(Concern.id)
    )
    reminded = []
    for concern in due:
        if casefile.lado_contacted(concern):
            continue
        concern.lado_reminded_at = now
        people = {u.id: u for u in [concern.handler, *services.eligible_handlers(concern)] if u}
        told = [
            u
            for u in people.values()
            if services.can_open(u, concern)
            and (u.id == concern.handler_id or u.has_role(*routing.SEE_ALL_ROLES))
        ]
        for person in told:
            if person.email:
                mail.queue(
                    person.email,
                    f"The LADO has not been contacted: {concern.reference}",
                    f"Dear {person.first_name},\n\nAn allegation about a member of staff "
                    f"({concern.reference}) should have been discussed with the LADO within "
                    "one working day, and no LADO contact is recorded.\n"
                    f"Please sign in to record it:\n\n"
                    f"{mail.link('safeguarding.case', concern_id=concern.id)}\n",
                    private=True,
                )
        services._add_action(
            concern,
            ActionKind.REMINDER,
            None,
            "No LADO contact recorded within one working day: "
            + (", ".join(u.full_name for u in told) or "nobody")
            + " reminded.",
        )
        reminded.append(concern)
    return reminded


def send_all(now: datetime | None = None) -> AlertsSent:
    """Everything the job does in one pass."""
    now = now or utcnow()
    escalated = escalate_unread(now)
    overdue = remind_overdue_tasks(now.date())
    lado = remind_lado(now)
    return AlertsSent([c.reference for c in escalated], len(overdue), [c.reference for c in lado])
