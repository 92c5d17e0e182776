"""Reminders: overdue inductions, out-of-date sign-offs, expiring training and policy reviews.

Each reminder goes at most once per stage (for example "training expires soon", then
"training has expired"), so running the command every day never repeats itself.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from .. import mail
from ..auth.models import User
from ..clock import today
from ..extensions import db
from . import compliance
from .models import ReminderSent, ReminderStage, TrainingRecord
from .rules import REMINDER_WINDOW_DAYS


class _Sender:
    """Sends each (stage, subject) once, remembering what was already sent."""

    def __init__(self) -> None:
        self.sent: set[tuple[ReminderStage, str]] = {
            (stage, key)
            for stage, key in db.session.execute(
                select(ReminderSent.stage, ReminderSent.subject_key)
            )
        }
        self.counts: Counter[str] = Counter()

    def send(self, stage: ReminderStage, key: str, to: User, subject: str, body: str) -> None:
        if (stage, key) in self.sent or not to.email:
            return
        link = current_app.config["BASE_URL"].rstrip("/") + "/induction/"
        mail.queue(to.email, subject, f"Hello {to.first_name},\n\n{body}\n\n{link}\n\nThank you.")
        db.session.add(ReminderSent(stage=stage, subject_key=key, recipient_id=to.id))
        self.sent.add((stage, key))
        self.counts[stage.value] += 1


def send_reminders(day: date | None = None) -> Counter[str]:
    """Send every reminder that is due today and not sent before; returns counts by stage."""
    day = day or today()
    sender = _Sender()
    for induction in compliance.inductions(day):
        user = induction.user
        overdue = [p for p in induction.policies if p.overdue and p.state.value == "to_do"]
        overdue_courses = [c for c in induction.courses if c.overdue]
        if overdue or overdue_courses:
            names = [p.policy.title for p in overdue] + [c.course.title for c in overdue_courses]
            sender.send(
                ReminderStage.INDUCTION_OVERDUE,
                f"user:{user.id}:due:{induction.due_on.isoformat()}",
                user,
                "Your induction is overdue",
                "Your induction was due on "
                f"{induction.due_on:%d %B %Y}. Still to do: {', '.join(names)}. "
                "It only takes a few minutes at a time.",
            )
        for item in induction.needs_resign:
            version = item.version
            stage = ReminderStage.RESIGN_OVERDUE if item.overdue else ReminderStage.RESIGN_NOTICE
            sender.send(
                stage,
                f"user:{user.id}:version:{item.major.id}",
                user,
                f"Reminder: please read and sign version {version.number} of the "
                f"{version.policy.title}",
                f"Your sign-off of the {version.policy.title} is out of date since version "
                f"{item.major.number} was published. Please read version {version.number} and "
                f"sign it by {item.due_on:%d %B %Y}.",
            )
    _training_reminders(sender, day)
    _review_reminders(sender, day)
    db.session.flush()
    return sender.counts


def _training_reminders(sender: _Sender, day: date) -> None:
    soon = day + timedelta(days=REMINDER_WINDOW_DAYS)
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.expires_on <= soon))
    everyone = db.session.scalars(select(TrainingRecord))
    newest = {r.id for r in compliance.latest_training(everyone)}
    for record in records:
        if record.expires_on is None:
            continue  # the query asks only for records that expire
        if record.id not in newest or not record.user.active:
            continue  # a refresher has already replaced it
        expired = record.expires_on < day
        sender.send(
            ReminderStage.TRAINING_EXPIRED if expired else ReminderStage.TRAINING_EXPIRING,
            f"training:{record.id}",
            record.user,
            f"Your {record.course} training {'has expired' if expired else 'expires soon'}",
            f"Your {record.course} training ({record.provider}) "
            f"{'expired' if expired else 'expires'} on {record.expires_on:%d %B %Y}. "
            "Please book a refresher and add the new certificate to your training record.",
        )


def _review_reminders(sender: _Sender, day: date) -> None:
    """Policies are reviewed every year from their last review (sooner after an incident):
    their owner is reminded before and after the date."""
    from .reviews import review_states

    for state in review_states(day).values():
        if state.due_on is None or not state.due_soon:
            continue
        policy = state.policy
        sender.send(
            ReminderStage.REVIEW_OVERDUE if state.overdue else ReminderStage.REVIEW_DUE,
            f"policy:{policy.id}:review:{state.due_on.isoformat()}",
            policy.owner,
            f"The {policy.title} {'is overdue for' if state.overdue else 'is due for'} its review",
            f"The {policy.title} is due for review on {state.due_on:%d %B %Y}. Please review "
            "it with the governors and close the review with what changed (or publish a new "
            "version, even if only a minor one to confirm it is still right).",
        )
