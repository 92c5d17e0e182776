"""`flask --app esafety mail ...`: the worker that sends the outbox, and a one-shot for cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..jobs import runs_alone
from ..periodic import Periodic
from .delivery import backlog, deliver_due, run_worker

group = AppGroup("mail", help="The outbox: send waiting mail, see what could not be delivered.")


@group.command("work")
@click.option("--poll", type=float, help="Seconds between looks at the outbox.")
@runs_alone("mail")
def work_command(poll: float | None) -> None:
    """Keep sending mail as it is queued, until stopped (Ctrl-C or SIGTERM).

    Every few minutes it also runs the features' quick jobs (esafety.periodic)."""
    run_worker(poll or current_app.config["MAIL_POLL_SECONDS"], between_rounds=Periodic())


@group.command("deliver")
@runs_alone("mail")
def deliver_command() -> None:
    """Send everything that is due once, then stop (for cron when no worker runs)."""
    sent = retrying = failed = 0
    while True:
        report = deliver_due()
        sent, retrying, failed = (
            sent + report.sent,
            retrying + report.retrying,
            failed + report.failed,
        )
        if report.tried == 0 or report.retrying or report.failed:
            break
    left = backlog()
    click.echo(
        f"Sent {sent}; {retrying} will be tried again later; {failed} could not be delivered. "
        f"Waiting now: {left.waiting}; set aside for the office: {left.failed}."
    )
