"""`flask --app esafety meetings ...`: the reminder job cron runs every hour."""

from __future__ import annotations

import click
from flask import current_app

from ..extensions import db
from ..jobs import runs_alone
from . import reminders
from .views import bp

group = bp.cli
group.help = "Parents' e-safety evenings."


@group.command("send-reminders")
@runs_alone("meetings-reminders")
def send_reminders_command() -> None:
    """Email a reminder to every family booked for an evening in the next 48 hours, once."""
    sent = failed = 0
    for booking_id in reminders.due_reminders():
        try:
            if reminders.send_reminder(booking_id):
                db.session.commit()
                sent += 1
            else:
                db.session.rollback()
        except Exception:  # noqa: BLE001 - one bad booking must not stop the others' reminders
            db.session.rollback()
            failed += 1
            current_app.logger.exception("meetings: reminder for booking %s failed", booking_id)
    click.echo(f"Reminders sent: {sent}.")
    if failed:
        click.echo(f"Reminders that failed and will be tried again next time: {failed}.")
