"""`flask --app esafety school ...`: the academic-year rollover."""

from __future__ import annotations

import click

from ..errors import DomainError
from ..extensions import db
from ..jobs import runs_alone
from . import rollover
from .views import bp

group = bp.cli
group.help = "The school's structure: the academic-year rollover."


@group.command("rollover")
@click.option("--apply", "apply_it", is_flag=True, help="Do it (without: only show the preview).")
@runs_alone("rollover")
def rollover_command(apply_it: bool) -> None:
    """Move every class up a year group; Year 6 leave; last year's blogs become archives."""
    try:
        plan = rollover.apply_rollover(None) if apply_it else rollover.plan_rollover()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{plan.from_year} -> {plan.to_year}")
    for move in plan.moves:
        to = move.to_year_group.label if move.to_year_group is not None else "leave the school"
        click.echo(
            f"  {move.name:<12} {move.from_year_group.label:<10} -> {to:<18} {move.pupils} pupils"
        )
    if apply_it:
        db.session.commit()
        click.echo("Done.")
    else:
        click.echo("Preview only: run again with --apply to do it.")
