"""`flask --app esafety safeguarding ...`: the job cron runs every half hour."""

from __future__ import annotations

import click

from ..extensions import db
from . import alerts
from .views import bp

group = bp.cli
group.help = "The safeguarding team's alerts and reminders."


@group.command("alerts")
def safeguarding_alerts_command() -> None:
    """Alert deputies about urgent or unread concerns; remind overdue actions and LADO contact."""
    sent = alerts.send_all()
    db.session.commit()
    click.echo(
        f"Deputies alerted: {', '.join(sent.escalated) or 'none'}. "
        f"Overdue action reminders: {sent.overdue_actions}. "
        f"LADO reminders: {', '.join(sent.lado_reminders) or 'none'}. "
        f"Files awaiting receipt reminded: {sent.receipt_reminders}."
    )
