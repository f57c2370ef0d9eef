"""The cohorts part A puts around the pages: where the cohort list sits in each person's navigation,
the flagged cohorts on a manager's home page, the audit log's words for its actions, a date filter."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask_babel import format_date
from flask_babel import lazy_gettext as _l


def cohort_date(value: date | None, format: str = "medium") -> str:
    """A day (a cohort's first or last) in the reader's locale."""
    return format_date(value, format) if value is not None else ""


def _teaches(user: Any) -> bool:
    """Trainers and admins: the cohorts they teach, or those of their scope."""
    from courses.cohorts import access
    from lms.permissions import can

    return can(user, access.CREATE) or can(user, access.MANAGE)


def _manages(user: Any) -> bool:
    """Managers (and admins): every cohort of their scope."""
    from courses.cohorts import access
    from lms.permissions import can

    return can(user, access.VIEW)


def _grants(user: Any) -> bool:
    from courses.cohorts import access
    from lms.permissions import can

    return can(user, access.GRANT_LICENCE)


def _monitors_only(user: Any) -> bool:
    return _manages(user) and not _teaches(user)


def _learner_only(user: Any) -> bool:
    """Everyone else signed in: the cohorts she learns in (sessions, calendar)."""
    return bool(user.is_authenticated) and not _teaches(user) and not _manages(user)


def flagged_entries(user: Any) -> list[Any]:
    """The manager's home page: open cohorts of her scope whose trainer no longer holds the licence."""
    from flask import url_for
    from flask_babel import gettext as _

    from courses.cohorts.licences import flagged_cohorts
    from lms.plugins import HomeEntry

    return [
        HomeEntry(
            str(cohort),
            url_for("courses_cohorts.show", cohort_id=cohort.id),
            _(
                "%(course)s · no licence: %(trainers)s",
                course=cohort.course.code,
                trainers=cohort.flag_reason,
            ),
        )
        for cohort in flagged_cohorts(user)[:FLAGGED_ON_HOME]
    ]


FLAGGED_ON_HOME = 10


def install(app: Flask) -> None:
    from courses.cohorts import licences

    licences.install(app)  # a completion that gives a licence clears her cohorts' flags
    from lms.audit.models import ACTION_LABELS, TARGET_LABELS
    from lms.plugins import ADMINISTRATION, LEARNING, MONITORING, TEACHING, add_home_section, add_nav_item

    app.add_template_filter(cohort_date, "cohort_date")
    # One list, in one area per person: trainers and admins teach (their cohorts, their scope's), managers
    # monitor their scope's, learners see the cohorts they are in.
    add_nav_item(app, "courses_cohorts.index", _l("Cohorts"), _teaches, 43, area=TEACHING, staff=True)
    add_nav_item(app, "courses_cohorts.index", _l("Cohorts"), _monitors_only, 43, area=MONITORING, staff=True)
    add_nav_item(app, "courses_cohorts.index", _l("My cohorts"), _learner_only, 43, area=LEARNING)
    add_nav_item(
        app,
        "courses_cohorts.licence_grants",
        _l("Trainer licences"),
        _grants,
        47,
        area=ADMINISTRATION,
        staff=True,
    )
    add_home_section(
        app,
        "courses.flagged-cohorts",
        _l("Cohorts whose trainer has no licence"),
        flagged_entries,
        _manages,
        order=5,
        more="courses_cohorts.index",
        more_label=_l("All cohorts"),
    )
    ACTION_LABELS.update(
        {
            "courses.cohort.created": _l("Cohort opened"),
            "courses.cohort.updated": _l("Cohort changed"),
            "courses.cohort.started": _l("Cohort started"),
            "courses.cohort.enrolled": _l("Enrolled in a cohort"),
            "courses.cohort.withdrawn": _l("Withdrew from a cohort"),
            "courses.cohort.transferred": _l("Transferred to another cohort"),
            "courses.cohort.flagged": _l("Cohort flagged: a trainer has no licence"),
            "courses.cohort.unflagged": _l("Cohort no longer flagged"),
            "courses.licence.granted": _l("Trainer licence given by hand"),
            "courses.licence.revoked": _l("Trainer licence given by hand ended"),
        }
    )
    TARGET_LABELS.setdefault("Cohort", _l("Cohort"))
