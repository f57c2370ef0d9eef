"""What the cohorts part of the courses plugin registers on the app."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask

from lms.plugins import PublicSession, add_demo_loader, add_personal_data, add_public_sessions

if TYPE_CHECKING:
    from lms.orgs.models import Organisation


def hub_sessions(hub: Organisation, since: datetime) -> list[PublicSession]:
    """The sessions trainers marked public at ``hub``, as the core's public pages show them: what,
    when and where, and nothing about who teaches or who comes."""
    from courses.cohorts.sessions import public_sessions

    return [
        PublicSession(
            uid=session.uid,
            title=session.topic or str(session.cohort.course.title),
            course=str(session.cohort.course.title),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            place=session.place,
            sequence=session.sequence,
            updated_at=session.updated_at,
        )
        for session in public_sessions(hub, since)
    ]


def init_app(app: Flask) -> None:
    from courses.cohorts import access, cascade_cli, completion, home, indicators, navigation, sessions
    from courses.cohorts.cli import cohorts_group, licences_group
    from courses.cohorts.views import bp
    from courses.cohorts.views import lineage as lineage_views

    access.install()
    sessions.install(app)
    completion.install(app)
    home.install(app)
    navigation.install(app)
    indicators.install(app)
    app.register_blueprint(bp)
    lineage_views.install(app)
    app.cli.add_command(cohorts_group)
    app.cli.add_command(licences_group)
    app.cli.add_command(cascade_cli.lineage_command)
    add_public_sessions(app, hub_sessions)
    from courses.cohorts.personal_data import export as personal_data

    add_personal_data(app, "cohorts", personal_data)  # memberships, attendance, licences
    from courses.cohorts.demo import load_cohort_demo

    add_demo_loader(app, "cohorts", load_cohort_demo)
