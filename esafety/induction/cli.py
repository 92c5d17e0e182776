"""`flask --app esafety induction ...`: check the sign-off ledger, send reminders, load courses."""

from __future__ import annotations

from datetime import date

import click

from ..extensions import db
from ..jobs import runs_alone
from .views import bp

group = bp.cli
group.help = "Staff induction: the sign-off ledger, reminders and courses."


@group.command("verify-ledger")
def verify_ledger_command() -> None:
    """Recompute the sign-off hash chain; exit 1 naming the first record that does not match."""
    from .ledger import verify_ledger

    report = verify_ledger()
    if report.ok:
        click.echo(f"The sign-off ledger is intact: {report.checked} records checked.")
        return
    click.echo(f"Sign-off {report.bad_id} is not as it was recorded: {report.problem}.", err=True)
    click.echo(
        f"Checked {report.checked} records; the chain is broken from sign-off {report.bad_id}.",
        err=True,
    )
    raise SystemExit(1)


@group.command("send-reminders")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Pretend today is this day.")
@runs_alone("induction-reminders")
def send_reminders_command(on) -> None:
    """Send the induction, sign-off, training and policy-review reminders that are due."""
    from .reminders import send_reminders

    day: date | None = on.date() if on else None
    counts = send_reminders(day)
    db.session.commit()
    if not counts:
        click.echo("No reminders were due.")
        return
    for stage, count in sorted(counts.items()):
        click.echo(f"{stage.replace('_', ' ')}: {count}")


@group.command("load-courses")
def load_courses_command() -> None:
    """Load or refresh the short courses from esafety/induction/courses/*.yaml."""
    from .courses import sync_all_courses

    courses = sync_all_courses()
    db.session.commit()
    click.echo(f"{len(courses)} courses loaded.")
