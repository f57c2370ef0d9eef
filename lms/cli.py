"""The ``lms`` command: Flask's commands plus the core's (``db``, ``users``, ``orgs``, ``demo``)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from lms.extensions import db


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


class LmsGroup(FlaskGroup):
    """Flask's group, with our ``db`` group in place of Flask-Migrate's (ours upgrades all branches)."""

    def _load_plugin_commands(self) -> None:
        super()._load_plugin_commands()
        self.add_command(db_group, "db")


def main() -> None:
    LmsGroup(create_app=_create_app, name="lms", help="Kaskad: cascade training platform.")(prog_name="lms")


# --- database --------------------------------------------------------------------------------------


@click.group("db", help="Database migrations (core and every enabled plugin).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: every branch's head)."""
    from flask_migrate import upgrade

    upgrade(revision=revision)
    click.echo("Database is up to date.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade to REVISION (e.g. base, or courses@base for one plugin)."""
    from flask_migrate import downgrade

    downgrade(revision=revision)


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    from flask_migrate import current

    current()


@db_group.command("heads")
@with_appcontext
def db_heads() -> None:
    from flask_migrate import heads

    heads()


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--branch", default="lms", help="Branch to add to: lms, or a plugin's name.")
@click.option("--autogenerate", is_flag=True)
@with_appcontext
def db_revision(message: str, branch: str, autogenerate: bool) -> None:
    """Write a new migration on BRANCH's head (in that package's migrations/versions)."""
    from flask_migrate import revision

    revision(message=message, autogenerate=autogenerate, head=f"{branch}@head")


def refuse_import(problems: Iterable[tuple[object, object]], where: object = "") -> NoReturn:
    """Roll back, print each problem (``where:place: problem``) on standard error, and stop with
    "Nothing was imported": the shape of every import command's refusal."""
    db.session.rollback()
    listed = list(problems)
    prefix = f"{where}:" if where else ""
    for place, problem in listed:
        click.echo(f"{prefix}{place}: {problem}", err=True)
    count = len(listed)
    raise click.ClickException(f"Nothing was imported: {count} problem{'s' if count != 1 else ''} to fix.")


def is_database_empty() -> bool:
    """True when the demo should be loaded: no organisation exists yet."""
    from lms.orgs.models import Organisation

    return db.session.scalar(select(Organisation.id).limit(1)) is None


# --- users and organisations -------------------------------------------------------------------------


users_group = click.Group("users", help="People and their roles.")
orgs_group = click.Group("orgs", help="Organisations.")
demo_group = click.Group("demo", help="Demonstration data.")


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--surname", required=True)
@click.option("--given-name", required=True)
@click.option("--patronymic", default="")
@click.option("--role", type=click.Choice(["admin", "manager", "trainer", "learner"]), required=True)
@click.option("--org", "org_code", help="Code of the organisation the role covers (default: the root).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(
    email: str,
    surname: str,
    given_name: str,
    patronymic: str,
    role: str,
    org_code: str | None,
    password_stdin: bool,
) -> None:
    """Create a person with a role, e.g. the first administrator."""
    from lms.accounts.passwords import MIN_LENGTH
    from lms.accounts.services import create_user, find_by_email, grant_role
    from lms.orgs.models import Organisation
    from lms.orgs.services import by_code

    if find_by_email(email):
        raise click.ClickException(f"Someone already has the e-mail address {email}.")
    if org_code:
        organisation = by_code(org_code)
    else:
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id)
        )
    if organisation is None:
        raise click.ClickException(
            "No such organisation: create or import organisations first (lms orgs import)."
        )
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password is not None and len(password) < MIN_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_LENGTH} characters.")
    user = create_user(email, surname, given_name, patronymic, organisation=organisation, password=password)
    grant_role(user, role, organisation)
    db.session.commit()
    click.echo(f"Created {user.full_name} <{user.email}> as {role} of {organisation.code}.")


@orgs_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def orgs_import(path: Path) -> None:
    """Import organisations from a CSV file (all rows or none)."""
    from lms.imports.services import check_file
    from lms.orgs.importer import OrganisationImporter
    from lms.permissions import Scope

    importer = OrganisationImporter(where=Scope((), is_everything=True))
    plan = check_file(importer, path.read_bytes())
    if not plan.is_valid:
        refuse_import(plan.errors, path)
    importer.apply(plan)
    db.session.commit()
    click.echo(
        f"Imported {len(plan.actions)} rows ({plan.count('create')} created, {plan.count('update')} updated)."
    )


@demo_group.command("load")
@with_appcontext
def demo_load() -> None:
    """Load the demonstration data (idempotent), then each enabled plugin's, and print the logins."""
    from lms.demo.loader import load_core_demo, print_logins
    from lms.plugins import registry

    load_core_demo()
    for name, load in registry(current_app).demo_loaders:
        click.echo(f"Loading demo data of {name}…")
        load()
    db.session.commit()
    print_logins()


@demo_group.command("load-if-empty")
@click.pass_context
@with_appcontext
def demo_load_if_empty(ctx: Any) -> None:
    """Load the demo only when the database has no organisations (used by `make run`)."""
    if is_database_empty():
        ctx.invoke(demo_load)
    else:
        from lms.demo.loader import print_logins

        print_logins()


jobs_group = click.Group("jobs", help="Background jobs (RQ on Redis when LMS_QUEUE_URL is set).")


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@with_appcontext
def jobs_worker(burst: bool) -> None:
    """Run background jobs from the queue at LMS_QUEUE_URL; run one on every machine that should help.

    Jobs run one after another in this process (RQ's SimpleWorker: no fork, so no database connection
    is shared between processes), each in a fresh app context."""
    from redis import Redis
    from rq import SimpleWorker

    from lms.jobs import QUEUE_NAME

    url = str(current_app.config.get("LMS_QUEUE_URL") or "")
    if not url:
        raise click.ClickException("Set LMS_QUEUE_URL (e.g. redis://127.0.0.1:6379/0) to use a queue.")
    worker = SimpleWorker([QUEUE_NAME], connection=Redis.from_url(url))
    worker.work(burst=burst, with_scheduler=False)


def register_commands(app: Flask) -> None:
    from lms.monitoring.cli import reports_group
    from lms.plans.cli import plans_group

    for group in (users_group, orgs_group, demo_group, reports_group, plans_group, jobs_group):
        app.cli.add_command(group)
