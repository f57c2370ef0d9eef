"""The cohorts' indicators (cohorts held, sessions run, attendance rate) against counts made here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from lms.monitoring.aggregates import Filters
from lms.monitoring.periods import Period
from lms.permissions import Scope
from lms.plugins import registry

EVERYTHING = Scope((), is_everything=True)
Q3 = Period.quarter(2026, 3)


def value(name: str, filters: Filters):
    return registry().indicators[name].value(filters)


def test_cohorts_sessions_and_attendance_of_a_quarter_within_the_scope(
    app, db, world, make, make_course, make_cohort
):
    from courses.cohorts.models import Attendance, CohortSession

    course = make_course("IND-1")
    learners = [make.user(world.orgs["hub@r1"], email=f"l{n}@example.org") for n in range(3)]
    make.commit()
    held = make_cohort(
        course, world.orgs["tc@r1"], learners=learners, starts_on=date(2026, 8, 1), ends_on=date(2026, 10, 15)
    )
    make_cohort(
        course, world.orgs["tc@r1"], starts_on=date(2026, 8, 1), ends_on=date(2026, 9, 1), status="planned"
    )
    make_cohort(
        course, world.orgs["tc@r1"], starts_on=date(2026, 4, 1), ends_on=date(2026, 5, 1), status="closed"
    )
    other = make_cohort(course, world.orgs["tc@r2"], starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30))
    sessions = [
        CohortSession(cohort=held, starts_at=datetime(2026, 8, 5, 9), ends_at=datetime(2026, 8, 5, 12)),
        CohortSession(cohort=held, starts_at=datetime(2026, 9, 5, 9), ends_at=datetime(2026, 9, 5, 12)),
        CohortSession(
            cohort=held,
            starts_at=datetime(2026, 9, 6, 9),
            ends_at=datetime(2026, 9, 6, 12),
            status="cancelled",
        ),
        CohortSession(cohort=held, starts_at=datetime(2026, 10, 5, 9), ends_at=datetime(2026, 10, 5, 12)),
        CohortSession(cohort=other, starts_at=datetime(2026, 9, 10, 9), ends_at=datetime(2026, 9, 10, 12)),
    ]
    db.session.add_all(sessions)
    db.session.flush()
    members = held.members
    marks = [("present", "late", "absent"), ("present", "excused", "absent")]
    for session, statuses in zip(sessions[:2], marks, strict=True):
        for member, status in zip(members, statuses, strict=True):
            db.session.add(Attendance(session=session, member=member, status=status))
    db.session.commit()
    everything = Filters(EVERYTHING, Q3)
    assert value("cohorts.held", everything) == 2  # held and other; not the planned one, not Q2's
    assert value("cohorts.sessions", everything) == 3  # not the cancelled one, not October's
    assert value("cohorts.attendance", everything) == 3 / 5  # present or late of the marks, excused left out
    r1 = Filters(Scope((world.orgs["r1"].path,)), Q3)
    assert value("cohorts.held", r1) == 1 and value("cohorts.sessions", r1) == 2
    assert value("cohorts.held", replace(everything, region_id=world.orgs["r2"].id)) == 1
    assert value("cohorts.attendance", Filters(EVERYTHING, Period.quarter(2026, 1))) is None
    assert value("cohorts.held", Filters(EVERYTHING, Period.quarter(2026, 2))) == 1
