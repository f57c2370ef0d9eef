"""What the cohorts part of the courses plugin registers on the app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from courses.cohorts import access, cascade_cli, completion, home, sessions  # noqa: F401  (commands)
    from courses.cohorts.cli import cohorts_group, licences_group
    from courses.cohorts.views import bp

    access.install()
    sessions.install(app)
    completion.install(app)
    home.install(app)
    app.register_blueprint(bp)
    app.cli.add_command(cohorts_group)
    app.cli.add_command(licences_group)
