"""``lms cohorts``, ``lms licences`` and ``lms lineage``: the cascade from the command line.

Commands act as the system (an admin of the whole programme), one transaction each.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from lms.extensions import db

cohorts_group = click.Group("cohorts", help="Cohorts: create, enrol, complete, close, show.")
licences_group = click.Group("licences", help="Trainer licences: grant one by hand, with a reason.")

CLI_ERRORS = {
    "ends-before-start": "The cohort must not end before it starts.",
    "no-trainer": "A cohort needs at least one trainer (--trainer EMAIL).",
    "no-trainer-role": "{people} cannot train: they do not have the trainer role.",
    "no-licence": "{people} cannot train {course}: they do not hold the licence for it (complete a cohort "
    "of a course that qualifies trainers for it, or have one granted: lms licences grant).",
    "bad-capacity": "The capacity must be at least 1.",
    "key-taken": "Another cohort already has this enrolment key.",
    "bad-key": "An enrolment key is 4 to 64 letters, digits, - or _.",
    "not-a-web-address": "The webinar link must start with https:// or http://.",
    "unknown-timezone": "Unknown time zone.",
    "bad-status": "Unknown mode.",
}


def _people(people: object) -> str:
    return ", ".join(getattr(person, "email", str(person)) for person in people)  # type: ignore[attr-defined]


def _course(code: str) -> Any:
    from courses.services import by_code

    course = by_code(code)
    if course is None:
        raise click.ClickException(f"There is no course with the code {code}.")
    return course


def _person(email: str) -> Any:
    from lms.accounts.services import find_by_email

    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"Nobody has the e-mail address {email}.")
    return person


@cohorts_group.command("create")
@click.option("--course", "course_code", required=True, help="Code of the course, e.g. DEH-COORD.")
@click.option("--org", "org_code", required=True, help="Code of the organisation that runs the cohort.")
@click.option(
    "--trainer", "trainer_emails", multiple=True, required=True, help="E-mail of a trainer (repeat)."
)
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day, YYYY-MM-DD.")
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day, YYYY-MM-DD.")
@click.option(
    "--mode", type=click.Choice(["online", "in_person", "blended"]), default="blended", show_default=True
)
@click.option("--capacity", type=click.IntRange(min=1), help="Most learners (default: no limit).")
@click.option("--title", default="", help="A name for the cohort, e.g. Житомир, весна 2026.")
@with_appcontext
def cohorts_create(
    course_code: str,
    org_code: str,
    trainer_emails: tuple[str, ...],
    starts: date,
    ends: date,
    mode: str,
    capacity: int | None,
    title: str,
) -> None:
    """Open a cohort; prints its id on the last line. A trainer without the licence is refused."""
    from courses.cohorts import services
    from lms.orgs.services import by_code

    course = _course(course_code)
    organisation = by_code(org_code)
    if organisation is None:
        raise click.ClickException(f"There is no organisation with the code {org_code}.")
    details = services.CohortDetails(
        course=course,
        organisation=organisation,
        starts_on=starts.date() if isinstance(starts, datetime) else starts,
        ends_on=ends.date() if isinstance(ends, datetime) else ends,
        trainers=[_person(email) for email in trainer_emails],
        title=title,
        mode=mode,
        capacity=capacity,
    )
    try:
        cohort = services.create_cohort(details)
    except services.CohortError as error:
        db.session.rollback()
        message = CLI_ERRORS.get(error.code, error.code)
        raise click.ClickException(message.format(people=_people(error.people), course=course.code)) from None
    db.session.commit()
    click.echo(
        f"Created cohort {cohort.id} of {course.code} at {organisation.code}, "
        f"trained by {_people(cohort.trainers)}."
    )
    click.echo(cohort.id)


def _cohort(cohort_id: int) -> Any:
    from courses.cohorts.models import Cohort

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort {cohort_id}.")
    return cohort


@cohorts_group.command("enrol")
@click.argument("cohort_id", metavar="ID", type=int)
@click.argument("path", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def cohorts_enrol(cohort_id: int, path: Path) -> None:
    """Enrol the people of a CSV file (email,surname,given_name,patronymic,org_code,job,target_groups):
    every row or none; people new to Kaskad are created and invited."""
    from courses.cohorts import importer, services
    from lms import mail
    from lms.cli import refuse_import

    cohort = _cohort(cohort_id)
    plan, result = importer.enrol_from_csv(cohort, path.read_bytes())
    if result is None:
        refuse_import(plan.errors, path)
    db.session.commit()
    sent = services.send_invitations(cohort, result.invitations, "Kaskad")
    for person in result.already:
        click.echo(f"Already enrolled, not enrolled twice: {person.email}")
    if not mail.is_configured():
        for person, token in result.invitations:
            click.echo(f"Invitation for {person.email}: {services.invitation_link(token)}")
    click.echo(
        f"Enrolled {len(result.enrolled)} in cohort {cohort.id} ({len(result.created)} new, invited; "
        f"{sent} invitations e-mailed); {len(result.already)} already enrolled."
    )


@cohorts_group.command("show")
@click.argument("cohort_id", metavar="ID", type=int)
@click.option("--format", "output", type=click.Choice(["json", "text"]), default="text", show_default=True)
@with_appcontext
def cohorts_show(cohort_id: int, output: str) -> None:
    """A cohort: its course, status, trainers and learners."""
    from courses.cohorts import services

    cohort = _cohort(cohort_id)
    data = services.summary(cohort)
    if output == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"Cohort {data['id']} of {data['course']} ({data['status']})")
    click.echo(f"Trainers: {', '.join(data['trainers'])}")
    for learner in data["learners"]:
        click.echo(f"  {learner['email']}: {learner['status']}")


@licences_group.command("grant")
@click.option("--email", required=True, help="E-mail of the person.")
@click.option("--course", "course_code", required=True, help="Code of the course she may train.")
@click.option("--reason", required=True, help="Why the licence is given by hand (kept in the audit log).")
@with_appcontext
def licences_grant(email: str, course_code: str, reason: str) -> None:
    """Grant a trainer licence by hand, with a reason."""
    from courses.cohorts import licences

    person, course = _person(email), _course(course_code)
    try:
        grant = licences.grant_licence(person, course, reason)
    except licences.LicenceError as error:
        db.session.rollback()
        message = {
            licences.NO_REASON: "Give the reason (--reason TEXT).",
            licences.NOT_QUALIFIED_COURSE: f"No course qualifies trainers for {course.code}: "
            "the trainer role is enough to train it, a licence is not needed.",
            licences.ALREADY_GRANTED: f"{person.email} already holds a licence for {course.code} "
            "granted by hand.",
        }[error.code]
        raise click.ClickException(message) from None
    db.session.commit()
    click.echo(f"Granted {person.email} a licence for {course.code} (grant {grant.id}).")


@licences_group.command("review")
@with_appcontext
def licences_review() -> None:
    """Flag open cohorts whose trainer no longer holds the licence, and clear the flags of those whose
    trainers all hold it again (run it daily: licences from certificates end by themselves)."""
    from courses.cohorts import licences

    changed = licences.review_open_cohorts()
    db.session.commit()
    flagged = sum(1 for cohort in changed if cohort.flagged_at is not None)
    click.echo(f"{flagged} cohorts flagged, {len(changed) - flagged} no longer flagged.")
