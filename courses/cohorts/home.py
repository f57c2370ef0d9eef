"""What the cohorts part puts on a person's home page: a trainer's sessions of today and those whose
attendance is not marked yet, and the cohorts that ended and wait to be closed; a learner's next
session. (Part A adds flagged cohorts through the same ``lms.plugins.add_home_section``.)"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from courses.cohorts import access, completion, sessions
from courses.cohorts.models import CohortSession
from lms.permissions import can
from lms.plugins import HomeEntry, add_home_section

UNMARKED_LIMIT = 10


def _title(session: CohortSession) -> str:
    return session.topic or str(session.cohort)


def _attendance_url(session: CohortSession) -> str:
    return url_for("courses_cohorts.attendance", cohort_id=session.cohort_id, session_id=session.id)


def todays_entries(user: Any) -> list[HomeEntry]:
    entries = []
    for session in sessions.todays_sessions(user):
        when = sessions.when(session)
        detail = _("%(times)s · %(cohort)s", times=when.times, cohort=str(session.cohort))
        entries.append(HomeEntry(_title(session), _attendance_url(session), detail))
    return entries


def unmarked_entries(user: Any) -> list[HomeEntry]:
    entries = []
    for session in sessions.unmarked_sessions(user, limit=UNMARKED_LIMIT):
        when = sessions.when(session)
        detail = _(
            "%(day)s, %(times)s · %(cohort)s", day=when.day, times=when.times, cohort=str(session.cohort)
        )
        entries.append(HomeEntry(_title(session), _attendance_url(session), detail))
    return entries


def next_session_entries(user: Any) -> list[HomeEntry]:
    session = sessions.next_session(user)
    if session is None:
        return []
    when = sessions.when(session)
    url = url_for("courses_cohorts.sessions", cohort_id=session.cohort_id)
    detail = _("%(day)s, %(times)s · %(cohort)s", day=when.day, times=when.times, cohort=str(session.cohort))
    return [HomeEntry(_title(session), url, detail)]


def to_close_entries(user: Any) -> list[HomeEntry]:
    return [
        HomeEntry(
            str(cohort),
            url_for("courses_cohorts.close", cohort_id=cohort.id),
            _("ended %(day)s", day=format_date(cohort.ends_on)),
        )
        for cohort in completion.cohorts_to_close(user)
    ]


def may_train(user: Any) -> bool:
    """Who may train a cohort at all (trainers, and admins acting as one); the queries say which."""
    return can(user, access.CREATE) or can(user, access.MANAGE)


def install(app: Flask) -> None:
    add_home_section(
        app, "courses.todays-sessions", _l("Today's sessions"), todays_entries, may_train, order=10
    )
    add_home_section(
        app,
        "courses.unmarked-attendance",
        _l("Attendance not marked yet"),
        unmarked_entries,
        may_train,
        order=20,
    )
    add_home_section(
        app, "courses.cohorts-to-close", _l("Cohorts to close"), to_close_entries, may_train, order=30
    )
    signed_in = lambda user: user.is_authenticated  # noqa: E731
    add_home_section(
        app, "courses.next-session", _l("Your next session"), next_session_entries, signed_in, order=60
    )
