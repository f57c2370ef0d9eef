"""``lms quizzes``: housekeeping of quiz attempts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.extensions import db

quizzes_group = click.Group("quizzes", help="Quizzes: finalise attempts whose time ran out.")


@quizzes_group.command("finalise-overdue")
@with_appcontext
def finalise_overdue_command() -> None:
    """Finalise abandoned attempts whose time limit and grace have passed (run it every few minutes).

    They are graded with the answers saved in time, exactly as when the learner comes back."""
    from courses.quizzes.services import finalise_overdue

    try:
        count = finalise_overdue()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(f"{count} overdue attempt{'s' if count != 1 else ''} finalised.")
