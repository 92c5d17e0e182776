"""`flask --app esafety ...` commands for the whole app; each feature's own hang on its bp.cli."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine, func, inspect, select

from . import features
from .auth.models import User
from .extensions import db
from .jobs import runs_alone
from .mail import cli as mail_cli


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the logins as JSON for scripts.")
@click.option(
    "--if-empty", is_flag=True, help="Only seed an empty database; never add to a real school."
)
@with_appcontext
def demo_command(as_json: bool, if_empty: bool) -> None:
    """Create the demo school (safe to run twice) and print its logins; runs as the owner,
    which may back-date the demo's history."""
    with as_owner():
        _build_demo(as_json, if_empty)


def _build_demo(as_json: bool, if_empty: bool) -> None:
    from .school import demo

    if if_empty and not _database_is_empty() and not demo.is_present():
        click.echo("The database already holds a school that is not the demo: not seeding it.")
        return
    school = demo.build()
    for feature in features.all_features():
        if feature.demo is not None:
            feature.demo(school)
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
        f"\nPupils: go to {current_app.config['BASE_URL']}/pupils, type the class code, "
        "tap the name, then the three pictures."
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
@runs_alone("backup")
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


@click.group("retention")
def retention_group() -> None:
    """Delete records past their retention period (rows and files together)."""


@contextmanager
def as_owner() -> Iterator[None]:
    """Run the block on the tables' owner's connection (ESAFETY_MIGRATION_DATABASE_URL) when
    one is set: retention deletes evidence rows, which the app's own role may not."""
    owner_url = current_app.config.get("MIGRATION_DATABASE_URI")
    if not owner_url or owner_url == current_app.config["SQLALCHEMY_DATABASE_URI"]:
        yield
        return
    # The same factory that built this app (kept on it, so this module need not import it).
    create_app = current_app.extensions["esafety.app_factory"]
    owner = create_app({**current_app.config, "SQLALCHEMY_DATABASE_URI": owner_url})
    with owner.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check the evidence: the sign-off ledger (against the hashes the audit log kept) and
    every concern's chronology and access log. Exit 1 naming what is wrong."""
    from .induction.ledger import verify_ledger
    from .safeguarding.chronology import verify_chronologies

    ledger = verify_ledger()
    concerns, problems = verify_chronologies()
    if not ledger.ok:
        problems.insert(0, f"Sign-off {ledger.bad_id}: {ledger.problem}")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(
        f"The evidence is intact: {ledger.checked} sign-offs and {concerns} concerns' "
        "chronologies checked."
    )


@click.command("grant-app-role")
@click.argument("role")
@with_appcontext
def grant_app_role_command(role: str) -> None:
    """Give the app's database role its rights; run as the owner after every migration."""
    from . import guards

    engine = create_engine(current_app.config.get("MIGRATION_DATABASE_URI") or db.engine.url)
    try:
        if engine.dialect.name != "postgresql":
            click.echo("Only PostgreSQL has roles: nothing to do.")
            return
        with engine.begin() as connection:
            try:
                guards.grant_app_role(connection, role)
            except ValueError as error:
                raise click.ClickException(str(error)) from None
        click.echo(f"{role} may read and write rows; evidence tables are append-only to it.")
    finally:
        engine.dispose()


@retention_group.command("run")
@click.option("--apply", "apply_it", is_flag=True, help="Delete (without: only list what is due).")
@click.option(
    "--on", "on_day", type=click.DateTime(["%Y-%m-%d"]), help="As if today were this day."
)
@with_appcontext
@runs_alone("retention")
def retention_run_command(apply_it: bool, on_day) -> None:
    """List what is past its retention period; with --apply, delete it (as the owner)."""
    with as_owner():
        _run_retention(apply_it, on_day)


def _run_retention(apply_it: bool, on_day) -> None:
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
    db.session.commit()
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
    db.session.commit()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in result.counts.items()))


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_group)
    app.cli.add_command(grant_app_role_command)
    app.cli.add_command(verify_command)
    app.cli.add_command(export_pupil_data_command)
    app.cli.add_command(erase_leaver_command)
    app.cli.add_command(mail_cli.group)
