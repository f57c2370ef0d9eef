"""``lms courses``: import and export course packages (see docs/course-package.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli import refuse_import
from lms.extensions import db

courses_group = click.Group("courses", help="Courses: import and export course packages.")


@courses_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Import course packages (folders or .zip files): all of them, or nothing.

    A course that qualifies trainers for another may be imported together with it.
    """
    from courses.packages import PackageError, import_packages

    try:
        imported = import_packages(paths)
    except PackageError as error:
        refuse_import(error.problems)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    for result in imported:
        course = result.course
        if result.created:
            what = f"created at version {course.version}"
        else:
            what = f"updated from version {result.previous_version} to {course.version}"
        items = sum(len(module.items) for module in course.modules)
        click.echo(f"{course.code}: {what} ({course.status}), {len(course.modules)} modules, {items} items.")


@courses_group.command("export")
@click.argument("code")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def export_command(code: str, path: Path) -> None:
    """Write the course CODE as a package: a .zip when PATH ends in .zip, otherwise a new folder."""
    from courses.packages import PackageError, export_course
    from courses.services import by_code

    course = by_code(code)
    if course is None:
        raise click.ClickException(f"No course has the code {code}.")
    try:
        names = export_course(course, path)
    except PackageError as error:
        for package, problem in error.problems:
            click.echo(f"{package}: {problem}", err=True)
        raise click.ClickException(f"{code} was not exported.") from None
    click.echo(f"Exported {code} version {course.version} to {path} ({len(names)} files).")


@courses_group.command("prune-media")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@with_appcontext
def prune_media_command(dry_run: bool) -> None:
    """Delete media files no item uses any more, and files left by uploads that were rolled back."""
    from courses.media import delete_files, prune

    pruned = prune()
    if dry_run:
        db.session.rollback()
        click.echo(f"Would delete {pruned.rows} unused media and {pruned.files} stray files.")
        return
    db.session.commit()
    delete_files(pruned)  # files go only once their rows are gone for good
    click.echo(f"Deleted {pruned.rows} unused media and {pruned.files} stray files.")
