"""``lms questions``: import and export the question bank as Moodle's GIFT or Aiken files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli import refuse_import
from lms.extensions import db

questions_group = click.Group("questions", help="Question bank: import and export GIFT and Aiken files.")

FORMAT = click.Choice(["gift", "aiken"], case_sensitive=False)


@questions_group.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT, required=True, help="The file's format.")
@click.option(
    "--category",
    default=None,
    metavar="PATH",
    help='Category for the questions the file puts in none (no $CATEGORY: before them), e.g. "Top/Safety".',
)
@click.option(
    "--dry-run", is_flag=True, help="Check the file and print its questions as JSON; write nothing."
)
@with_appcontext
def import_command(path: Path, fmt: str, category: str | None, dry_run: bool) -> None:
    """Import the questions of FILE: all of them, or none when any is wrong.

    A question whose id number (// [id:…]) already exists in its category updates that question.
    Tags set the competence and level: [tag:competence:DIGCOMP-2.2/4.2] [tag:level:3].
    """
    from courses.questions.interchange import FormatError
    from courses.questions.services import import_questions, parse_file, plan_import

    fmt = fmt.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text.") from None
    try:
        parsed = parse_file(text, fmt, category or "")
        if dry_run:
            plan_import(parsed, category)  # the competences and levels must exist too
        else:
            imported = import_questions(parsed, category)
    except FormatError as error:
        refuse_import(sorted(error.problems), path)  # by line
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        click.echo(json.dumps([question.as_json() for question in parsed], ensure_ascii=False, indent=2))
        return
    db.session.commit()
    for result in imported:
        question = result.question
        what = "Created" if result.created else "Updated"
        idnumber = f" (id number {question.idnumber})" if question.idnumber else ""
        click.echo(f"{what} “{question.name}”{idnumber} in {question.category.path}.")
    created = sum(1 for result in imported if result.created)
    click.echo(
        f"Imported {len(imported)} question{'s' if len(imported) != 1 else ''}: "
        f"{created} created, {len(imported) - created} updated."
    )


@questions_group.command("export")
@click.argument("category")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT, required=True, help="The file's format.")
@with_appcontext
def export_command(category: str, path: Path, fmt: str) -> None:
    """Write the questions of CATEGORY (a path such as "Top/Safety") and of its sub-categories to FILE."""
    from courses.questions.services import CategoryNotFound, export_category

    fmt = fmt.lower()
    try:
        export = export_category(category, fmt)
    except CategoryNotFound:
        raise click.ClickException(f"No question category has the path {category}.") from None
    for problem in export.skipped:
        click.echo(f"Left out {problem}", err=True)
    if export.skipped and not export.count:
        raise click.ClickException(f"{category} has no question that {fmt.upper()} can hold.")
    path.write_text(export.text, encoding="utf-8")
    click.echo(f"Exported {export.count} question{'s' if export.count != 1 else ''} of {category} to {path}.")
