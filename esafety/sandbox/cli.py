"""`flask --app esafety sandbox ...`: the class blog's jobs (the mail worker runs the reminder)."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..extensions import db
from ..jobs import runs_alone
from . import moderation, waiting
from .models import BlogComment, BlogPost, ItemState
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


@group.command("store-findings")
def store_findings_command() -> None:
    """Work out and keep the checks' findings of all waiting writing whose kept ones are out of
    date: after an upgrade, for writing saved before findings were kept, or after new rules."""
    class_ids = db.session.scalars(
        select(BlogPost.class_id)
        .where(BlogPost.state == ItemState.PENDING)
        .union(
            select(BlogPost.class_id)
            .join(BlogComment, BlogComment.post_id == BlogPost.id)
            .where(BlogComment.state == ItemState.PENDING)
        )
    ).all()
    stored = sum(moderation.store_waiting_findings(class_id) for class_id in class_ids)
    db.session.commit()
    items = "item" if stored == 1 else "items"
    click.echo(f"Findings worked out again for {stored} waiting {items}.")
