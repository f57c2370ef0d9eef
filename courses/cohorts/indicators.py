"""The cohorts' figures on the monitoring dashboard, registered through the core's indicator registry:
cohorts held, sessions run and the attendance rate in a period, within the viewer's scope (a cohort
belongs to the organisation that runs it). SQL counts over indexed columns, no loops over rows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from courses.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortSession,
    CohortStatus,
    SessionStatus,
)
from lms.extensions import db
from lms.i18n import utcnow
from lms.monitoring.aggregates import within
from lms.orgs.models import Organisation
from lms.plugins import add_indicator

COHORT, SESSION, ATTENDANCE, ORG = (
    Cohort.__table__.c,
    CohortSession.__table__.c,
    Attendance.__table__.c,
    Organisation.__table__.c,
)


def _within(filters: Any) -> Any:
    return within(filters, ORG.path)


def _cohorts() -> Any:
    return Cohort.__table__.join(Organisation.__table__, ORG.id == COHORT.organisation_id)


def cohorts_held(filters: Any) -> int:
    """Cohorts that started (running or closed) and whose dates overlap the period."""
    query = (
        select(func.count())
        .select_from(_cohorts())
        .where(
            _within(filters),
            COHORT.status != CohortStatus.PLANNED,
            COHORT.starts_on <= filters.period.end,
            COHORT.ends_on >= filters.period.start,
        )
    )
    return db.session.execute(query).scalar_one()


def _sessions_in(filters: Any) -> Any:
    start = datetime.combine(filters.period.start, time())
    end = min(datetime.combine(filters.period.end + timedelta(days=1), time()), utcnow())
    return and_(
        _within(filters),
        SESSION.status != SessionStatus.CANCELLED,
        SESSION.starts_at >= start,
        SESSION.starts_at < end,
    )


def sessions_run(filters: Any) -> int:
    """Sessions that took place in the period (not cancelled, already begun)."""
    query = (
        select(func.count())
        .select_from(_cohorts().join(CohortSession.__table__, SESSION.cohort_id == COHORT.id))
        .where(_sessions_in(filters))
    )
    return db.session.execute(query).scalar_one()


def attendance_rate(filters: Any) -> float | None:
    """Present or late out of every mark (excused marks left out) of the period's sessions."""
    came = case((ATTENDANCE.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]), 1), else_=0)
    query = (
        select(func.sum(came), func.count())
        .select_from(
            _cohorts()
            .join(CohortSession.__table__, SESSION.cohort_id == COHORT.id)
            .join(Attendance.__table__, ATTENDANCE.session_id == SESSION.id)
        )
        .where(_sessions_in(filters), ATTENDANCE.status != AttendanceStatus.EXCUSED)
    )
    present, marks = db.session.execute(query).one()
    return (present or 0) / marks if marks else None


def cascade_reach(scope: Any) -> int:
    """People the cascade reached: everyone in it below its roots (level 1: the people who trained
    others and were trained by nobody), whose home organisation is in ``scope``."""
    from courses.cohorts.lineage import levels

    return sum(level.people for level in levels(scope) if level.number > 1)


def install(app: Flask) -> None:
    add_indicator(app, "cohorts.held", _l("Cohorts held"), cohorts_held, by_period=True)
    add_indicator(app, "cohorts.sessions", _l("Sessions run"), sessions_run, by_period=True)
    add_indicator(
        app, "cohorts.attendance", _l("Attendance rate"), attendance_rate, by_period=True, unit="share"
    )
    add_indicator(
        app,
        "cascade.reach",
        _l("People reached by the cascade"),
        cascade_reach,
        link="courses_cohorts.lineage_national",
    )
