"""`flask --app esafety sandbox ...`: the class blog's job (the mail worker runs it too)."""

from __future__ import annotations

import click

from ..extensions import db
from ..jobs import runs_alone
from . import waiting
from .views import bp

group = bp.cli
group.help = "The class blogs."


@group.command("remind-waiting")
@runs_alone(waiting.JOB)
def remind_waiting_command() -> None:
    """Email class teachers once about pupils' writing that has waited too long for them."""
    report = waiting.notice_long_waits()
    db.session.commit()
    click.echo(
        f"Emails to teachers: {report.emails}, about {report.items} "
        f"{'piece' if report.items == 1 else 'pieces'} of writing waiting more than "
        f"{waiting.alert_hours()} hours."
    )
    if report.untold_classes:
        click.echo(
            "Waiting too long, but no member of staff to tell: "
            + ", ".join(report.untold_classes)
            + ". Give these classes a teacher."
        )
