"""``lms cohorts complete``, ``lms cohorts close`` and ``lms lineage``: completions, closing and the
cascade from the command line. One transaction per command; messages in English, like the other
commands."""

from __future__ import annotations

import json

import click
from flask_babel import force_locale
from sqlalchemy import func, select

from courses.cohorts import completion, lineage, wording
from courses.cohorts.cli import cohorts_group
from courses.cohorts.models import Cohort
from lms.accounts.models import User
from lms.extensions import db


def cohort_or_fail(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort {cohort_id}.")
    return cohort


def person_or_fail(email: str) -> User:
    person = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if person is None:
        raise click.ClickException(f"Nobody has the e-mail address {email}.")
    return person


REFUSALS = {
    completion.CompletionError.NOT_A_MEMBER: "{email} is not a learner of cohort {id}.",
    completion.CompletionError.WITHDRAWN: "{email} has withdrawn from cohort {id}.",
    completion.CompletionError.NO_REASON: "Give the reason for recording the completion (--reason).",
}


@cohorts_group.command("complete")
@click.argument("cohort_id", type=int)
@click.option("--email", required=True, help="The learner's e-mail address.")
@click.option("--reason", required=True, help="Why the completion is recorded by hand (logged).")
def complete_command(cohort_id: int, email: str, reason: str) -> None:
    """Record that a learner completed a cohort (e.g. work done on paper), with a reason."""
    cohort = cohort_or_fail(cohort_id)
    person = person_or_fail(email)
    try:
        recorded = completion.complete_by_hand(cohort, person, reason)
    except completion.CompletionError as error:
        db.session.rollback()
        message = REFUSALS[error.code].format(email=person.email, id=cohort.id)
        raise click.ClickException(message) from error
    db.session.commit()
    if recorded:
        click.echo(f"{person.email} has completed cohort {cohort.id} (recorded by hand, logged).")
    else:
        click.echo(f"{person.email} had completed cohort {cohort.id} already: nothing changed.")


@cohorts_group.command("close")
@click.argument("cohort_id", type=int)
def close_command(cohort_id: int) -> None:
    """Close a cohort: complete those who meet the rule and announce every completion, once."""
    cohort = cohort_or_fail(cohort_id)
    closed = completion.close_cohort(cohort)
    db.session.commit()
    if closed is None:
        click.echo(f"Cohort {cohort.id} had been closed already: nothing was sent again.")
        return
    preview = completion.closing_preview(cohort)
    with force_locale("en"):
        for row in preview.not_completed:
            reasons = " ".join(wording.missing(row.standing)) if row.standing is not None else ""
            click.echo(f"not completed: {row.member.user.email}: {reasons}")
    click.echo(
        f"Cohort {cohort.id} closed: {len(preview.completed)} completed, "
        f"{len(preview.not_completed)} did not."
    )


@click.command("lineage")
@click.argument("email")
@click.option("--format", "output", type=click.Choice(["json"]), default="json", show_default=True)
def lineage_command(email: str, output: str) -> None:
    """The cascade below a trainer as JSON: her counts, and the same for each person she trained who
    trained others."""
    click.echo(json.dumps(lineage.tree(person_or_fail(email)), ensure_ascii=False, indent=2))
