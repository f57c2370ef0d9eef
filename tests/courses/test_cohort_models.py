"""The cohort tables: a member's progress is her enrolment's, shared by every cohort of the course."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from courses.cohorts.models import Attendance, CohortMember, CohortSession
from courses.services import complete_item


def test_a_learner_in_two_cohorts_of_a_course_has_one_progress(world, make_course, make_cohort, db):
    course = make_course("COHORT-1")
    learner, trainer = world.people["learner@r1"], world.people["trainer@r1"]
    first = make_cohort(course, world.orgs["tc@r1"], trainers=[trainer], learners=[learner])
    second = make_cohort(course, world.orgs["tc@r1"], trainers=[trainer], learners=[learner])
    complete_item(first.members[0].enrolment, course.items[0])
    db.session.commit()
    assert second.members[0].enrolment_id == first.members[0].enrolment_id
    assert second.members[0].enrolment.completed_item_ids == {course.items[0].id}


def test_a_learner_is_a_member_of_a_cohort_once(world, make_course, make_cohort, db):
    course = make_course("COHORT-2")
    learner = world.people["learner@r1"]
    cohort = make_cohort(course, world.orgs["tc@r1"], learners=[learner])
    db.session.add(CohortMember(cohort=cohort, user=learner, enrolment=cohort.members[0].enrolment))
    try:
        db.session.flush()
        raise AssertionError("a second membership was stored")
    except IntegrityError:
        db.session.rollback()


def test_sessions_and_attendance_belong_to_their_cohort(world, make_course, make_cohort, db):
    from datetime import UTC, datetime, timedelta

    course = make_course("COHORT-3")
    cohort = make_cohort(course, world.orgs["tc@r1"], learners=[world.people["learner@r1"]])
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    session = CohortSession(starts_at=start, ends_at=start + timedelta(hours=2), topic="Вступ")
    cohort.sessions.append(session)
    session.attendance.append(Attendance(member=cohort.members[0], status="present"))
    db.session.commit()
    assert len(session.uid) == 32  # stable calendar UIDs, unique per session
    assert [entry.status for entry in cohort.sessions[0].attendance] == ["present"]
    db.session.delete(cohort)
    db.session.commit()
    assert db.session.get(CohortSession, session.id) is None
