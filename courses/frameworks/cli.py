"""``lms frameworks``: import and export competence frameworks as Moodle CSV, load the shipped ones."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import refuse_import
from lms.extensions import db

frameworks_group = click.Group(
    "frameworks", help="Competence frameworks: Moodle CSV import and export, the shipped frameworks."
)


def _check_lang(lang: str) -> str:
    locales = current_app.config["LMS_LOCALES"]
    if lang not in locales:
        raise click.BadParameter(f"must be one of {', '.join(locales)}", param_hint="--lang")
    return lang


@frameworks_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", default="uk", show_default=True, help="The language of the file's texts.")
@with_appcontext
def import_command(path: Path, lang: str) -> None:
    """Import a framework from a CSV file of Moodle's competency framework export (tool_lpimportcsv).

    A framework with the same ID number is updated: its tree as the file has it, and the texts of
    --lang only. Any problem in the file: nothing is imported.
    """
    from courses.frameworks.moodle_csv import read_rows
    from courses.frameworks.services import FrameworkImportError, import_framework

    _check_lang(lang)
    try:
        with path.open("rb") as stream:
            framework = import_framework(read_rows(stream), lang)
    except FrameworkImportError as error:
        refuse_import(error.problems, path)
    except BaseException:
        db.session.rollback()
        raise
    idnumber, competences, levels = framework.idnumber, len(framework.competences), len(framework.levels)
    db.session.commit()
    click.echo(f"{idnumber}: imported ({lang}), {competences} competences, {levels} levels.")


@frameworks_group.command("export")
@click.argument("idnumber")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", default="uk", show_default=True, help="The language of the texts written.")
@with_appcontext
def export_command(idnumber: str, path: Path, lang: str) -> None:
    """Write the framework IDNUMBER as Moodle CSV, with its texts in --lang (another language's where
    a text has none)."""
    from courses.frameworks.services import by_idnumber, export_framework

    _check_lang(lang)
    framework = by_idnumber(idnumber)
    if framework is None:
        raise click.ClickException(f"No framework has the ID number {idnumber}.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as file:
            rows = export_framework(framework, lang, file)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Exported {idnumber} ({lang}) to {path}: {rows} rows.")


@frameworks_group.command("load-shipped")
@with_appcontext
def load_shipped_command() -> None:
    """Load the shipped frameworks (DigComp 2.2, DigComp 3.0, Tsyfrohram) and minimum profiles; what
    exists already is left as it is."""
    from courses.frameworks.services import load_shipped

    try:
        loaded = load_shipped()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(
        f"Loaded {loaded.frameworks} frameworks, {loaded.competences} competences, "
        f"{loaded.levels} levels and {loaded.profiles} minimum profiles."
    )
