"""`flask --app esafety lessons ...`: check the curriculum files, list them, measure readability."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..clock import today
from . import readability
from .catalogue import (
    CONTENT_DIR,
    CatalogueError,
    as_json_rows,
    load_catalogue,
    missing_cells,
    quiz_problems,
    review_warnings,
    teacher_script_problems,
)
from .framework import (
    FRAMEWORK_FILE,
    Framework,
    FrameworkError,
    framework_gaps,
    framework_warnings,
    load_framework,
    unknown_references,
)
from .signup import APP_AGES_FILE, AppAgesError, load_app_ages, stale_apps
from .views import bp

group = bp.cli
group.help = "The e-safety curriculum: check, list and measure the lessons."

_content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=CONTENT_DIR,
    show_default=False,
    help="Folder of lesson files (default: the package's content/).",
)


def _load_or_exit(content_dir: Path):
    try:
        return load_catalogue(content_dir)
    except CatalogueError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.exceptions.Exit(1) from None


@group.command("check")
@_content_option
@click.option(
    "--app-ages",
    "app_ages_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=APP_AGES_FILE,
    help="The 'Can I sign up?' data file (default: the package's data/app_ages.yaml).",
)
@click.option(
    "--framework",
    "framework_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=FRAMEWORK_FILE,
    help="The statement map (default: the package's data/connected_world.yaml).",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Do not require a lesson for every year group and strand, or for every statement.",
)
def check_command(
    content_dir: Path, app_ages_file: Path, framework_file: Path, partial: bool
) -> None:
    """Check the lessons, the statement map and the app ages; exit 1 naming each problem."""
    problems: list[str] = []
    catalogue = None
    framework: Framework | None = None
    try:
        catalogue = load_catalogue(content_dir)
    except CatalogueError as error:
        problems.extend(error.problems)
    try:
        framework = load_framework(framework_file)
    except FrameworkError as error:
        problems.extend(error.problems)
    if catalogue is not None and not partial:
        problems.extend(
            f"curriculum: no lesson with 3 or more questions for {gap}"
            for gap in missing_cells(catalogue)
        )
    if catalogue is not None and framework is not None:
        problems.extend(unknown_references(framework, catalogue))
        if not partial:
            problems.extend(framework_gaps(framework, catalogue))
    if catalogue is not None:
        problems.extend(quiz_problems(catalogue))
        problems.extend(teacher_script_problems(catalogue))
    try:
        apps = load_app_ages(app_ages_file)
    except AppAgesError as error:
        problems.extend(error.problems)
        apps = []
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        raise click.exceptions.Exit(1)
    for warning in framework_warnings(framework, today()) if framework else []:
        click.echo(f"warning: {warning}", err=True)
    for warning in review_warnings(catalogue, today()) if catalogue else []:
        click.echo(f"warning: {warning}", err=True)
    for warning in stale_apps(apps, today()):
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"All {len(catalogue or [])} lessons, {len(framework or [])} framework statements "
        f"and {len(apps)} app ages are in order."
    )


@group.command("list")
@_content_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
def list_command(content_dir: Path, as_json: bool) -> None:
    """List every lesson: id, year group (0 for Reception ... 6), strand, title, questions."""
    catalogue = _load_or_exit(content_dir)
    try:
        texts = load_framework().texts
    except FrameworkError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.exceptions.Exit(1) from None
    rows = as_json_rows(catalogue, texts)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(
            f"{row['year_group']}  {row['strand']:<32} {row['questions']}q  {row['id']}: "
            f"{row['title']}"
        )


@group.command("readability")
@_content_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
def readability_command(content_dir: Path, as_json: bool) -> None:
    """Flesch-Kincaid grade of the pupil-facing text (Learn, Activity, quiz), per year group."""
    results = readability.by_year_group(_load_or_exit(content_dir))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "year_group": int(r.year_group),
                        "lessons": r.lessons,
                        "mean_grade": r.mean_grade,
                        "lowest": r.lowest,
                        "highest": r.highest,
                        "hardest_lesson": r.hardest_lesson,
                        "words_per_sentence": r.words_per_sentence,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
        return
    click.echo("Flesch-Kincaid grade of pupil-facing text (Learn + Activity + quiz)")
    click.echo(
        f"{'Year group':<11} {'lessons':>7} {'mean':>6} {'lowest':>7} {'highest':>8} "
        f"{'words/sentence':>15}"
    )
    for r in results:
        click.echo(
            f"{r.year_group.label:<11} {r.lessons:>7} {r.mean_grade:>6.1f} {r.lowest:>7.1f} "
            f"{r.highest:>8.1f} {r.words_per_sentence:>15.1f}  (hardest: {r.hardest_lesson})"
        )
