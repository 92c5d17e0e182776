"""`flask --app esafety ...` commands. Each feature adds its own group in register()."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select

from .auth.models import User
from .extensions import db

#: Features that add to the demo school, in order; each module has `seed(school: DemoSchool)`.
DEMO_SEEDERS: list[str] = [
    # one line per feature, e.g. "esafety.lessons.demo",
    "esafety.lessons.demo",
    "esafety.induction.demo",
    "esafety.meetings.demo",
    "esafety.sandbox.demo",
    "esafety.safeguarding.demo",
    "esafety.governance.demo",
]


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the logins as JSON for scripts.")
@click.option(
    "--if-empty", is_flag=True, help="Only seed an empty database; never add to a real school."
)
@with_appcontext
def demo_command(as_json: bool, if_empty: bool) -> None:
    """Create the demo school (safe to run twice) and print its logins."""
    from .school import demo

    if if_empty and not _database_is_empty() and not demo.is_present():
        click.echo("The database already holds a school that is not the demo: not seeding it.")
        return
    school = demo.build()
    for module_name in DEMO_SEEDERS:
        importlib.import_module(module_name).seed(school)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(school.logins, indent=2))
        return
    click.echo(f"Demo school ready. Every adult's password: {demo.DEMO_PASSWORD}\n")
    click.echo("Adults (email):")
    for login in school.logins:
        if login["role"] != "pupil" and "email" in login:
            extra = login.get("job_title") or f"parent of {login.get('child', '')}"
            click.echo(f"  {login['email']:<38} {login['name']} ({extra})")
    click.echo(
        "\nPupils: go to http://127.0.0.1:5000/pupils, type the class code, tap the name, "
        "then the three pictures."
    )
    current = None
    for login in school.logins:
        if login["role"] == "pupil":
            if login["class"] != current:
                current = login["class"]
                click.echo(
                    f"  {login['class']} ({login['year_group']}), class code {login['class_code']}:"
                )
            click.echo(f"    {login['name']:<8} {' -> '.join(login['pictures'])}")


def _database_is_empty() -> bool:
    if "user" not in inspect(db.engine).get_table_names():
        return True
    return db.session.scalar(select(func.count(User.id))) == 0


@click.command("backup")
@click.option(
    "--to",
    "destination",
    default="instance/backups",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the archive.",
)
@with_appcontext
def backup_command(destination: Path) -> None:
    """Write one dated archive: a consistent database snapshot and every uploaded file."""
    from .backup import create_backup

    click.echo(str(create_backup(destination)))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore a backup archive into an empty instance."""
    from .backup import restore_backup
    from .errors import DomainError

    try:
        manifest = restore_backup(archive)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Restored the {manifest['dialect']} backup of {manifest['created_at']} "
        f"with {len(manifest['uploads'])} uploaded files."
    )


@click.group("school")
def school_group() -> None:
    """The school's structure: the academic-year rollover."""


@school_group.command("rollover")
@click.option("--apply", "apply_it", is_flag=True, help="Do it (without: only show the preview).")
@with_appcontext
def rollover_command(apply_it: bool) -> None:
    """Move every class up a year group; Year 6 leave; last year's blogs become archives."""
    from .errors import DomainError
    from .school import rollover

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


@click.group("retention")
def retention_group() -> None:
    """Delete records past their retention period (rows and files together)."""


@retention_group.command("run")
@click.option("--apply", "apply_it", is_flag=True, help="Delete (without: only list what is due).")
@click.option(
    "--on", "on_day", type=click.DateTime(["%Y-%m-%d"]), help="As if today were this day."
)
@with_appcontext
def retention_run_command(apply_it: bool, on_day) -> None:
    """List what is past its retention period; with --apply, delete it."""
    from .records import retention

    due = retention.find_due(on_day.date() if on_day else None)
    by_rule: dict[str, list[int]] = {}
    for record in due:
        counts = by_rule.setdefault(record.rule, [0, 0])
        counts[1 if record.held else 0] += 1
    for rule, (count, held) in sorted(by_rule.items()):
        click.echo(f"  {rule:<24} {count:>6} due   {held:>4} held")
    if not due:
        click.echo("Nothing is past its retention period.")
    if not apply_it:
        click.echo("Dry run: nothing deleted. Run with --apply to delete.")
        return
    result = retention.apply(due)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        result.restore_files()
        raise
    result.purge_files()
    click.echo(f"Deleted {sum(result.rows.values())} rows and {result.files} files.")


@click.command("export-pupil-data")
@click.argument("reference")
@click.option("--to", "destination", default=".", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_pupil_data_command(reference: str, destination: Path) -> None:
    """Write the subject-access zip for the pupil with this school reference."""
    from .records.subject_access import build_export
    from .school.models import Pupil

    pupil = db.session.scalar(select(Pupil).where(Pupil.reference == reference))
    if pupil is None:
        raise click.ClickException(f"No pupil has the reference {reference}.")
    filename, content = build_export(None, pupil.user)
    db.session.commit()
    destination.mkdir(parents=True, exist_ok=True)
    (destination / filename).write_bytes(content)
    click.echo(str(destination / filename))


@click.command("erase-leaver")
@click.argument("reference")
@with_appcontext
def erase_leaver_command(reference: str) -> None:
    """Remove the blog writing and lesson work of a pupil who has left, and anonymise their name."""
    from .errors import DomainError
    from .records import erasure

    pupil = erasure.leaver_by_reference(reference)
    if pupil is None:
        raise click.ClickException(f"No pupil has the reference {reference}.")
    try:
        result = erasure.erase_leaver(None, pupil)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        result.deletion.restore_files()
        raise
    result.deletion.purge_files()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in result.counts.items()))


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(school_group)
    app.cli.add_command(retention_group)
    app.cli.add_command(export_pupil_data_command)
    app.cli.add_command(erase_leaver_command)
    # Feature command groups (one line each), e.g. app.cli.add_command(lessons_cli.group)
    app.cli.add_command(importlib.import_module("esafety.lessons.cli").group)
    app.cli.add_command(importlib.import_module("esafety.induction.cli").group)
    app.cli.add_command(importlib.import_module("esafety.meetings.cli").group)
