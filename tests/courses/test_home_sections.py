"""What the courses plugin lists on home pages: a trainer's sessions of today, those with attendance
not marked and her cohorts to close; a manager's flagged cohorts; a learner's next session and where
she resumes (the essays a trainer grades: tests/courses/test_quizzes.py)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from courses import services as course_services
from courses.cohorts import completion, sessions
from courses.cohorts.models import Attendance
from courses.cohorts.sessions import SessionDetails
from lms.testing import login

EN = {"Accept-Language": "en"}
NOW = datetime(2026, 3, 9, 7, 0)  # a Monday, 09:00 in Kyiv


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr(sessions, "utcnow", lambda: NOW)
    monkeypatch.setattr(completion, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def course(make_course):
    return make_course("HOME-1")


@pytest.fixture
def learner(world):
    return world.people["learner@r1"]


@pytest.fixture
def cohort(world, course, learner, make_cohort):
    return make_cohort(
        course,
        world.orgs["tc@r1"],
        trainers=[world.people["trainer@r1"]],
        learners=[learner],
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 7, 1),
        title="Житомир, весна 2026",
    )


def schedule(cohort, db, day, starts=time(10, 0), ends=time(12, 0), topic=""):
    details = SessionDetails(day=day, starts=starts, ends=ends, topic=topic)
    session = sessions.schedule_session(cohort, details)
    db.session.commit()
    return session


def home(client, person) -> str:
    login(client, person)
    page = client.get("/", headers=EN).get_data(as_text=True)
    return page[page.index("<main") :]


def section(page: str, title: str) -> str:
    """The HTML of the home section headed ``title`` ('' when there is none)."""
    start = page.find(f">{title}</h3>")
    return "" if start < 0 else page[start : page.find("</section>", start)]


def test_a_trainer_sees_todays_sessions_and_those_with_attendance_not_marked(client, db, world, cohort, now):
    past = schedule(cohort, db, date(2026, 3, 2), topic="Вступ")
    marked = schedule(cohort, db, date(2026, 3, 5), topic="Безпека")
    today = schedule(cohort, db, date(2026, 3, 9), time(18, 0), time(19, 30), topic="Практика")
    schedule(cohort, db, date(2026, 3, 16), topic="Наступного тижня")
    marked.attendance.append(Attendance(member=cohort.members[0], status="present"))
    db.session.commit()

    page = home(client, world.people["trainer@r1"])

    todays = section(page, "Today's sessions")
    assert f'href="/cohorts/{cohort.id}/sessions/{today.id}/attendance">Практика</a>' in todays
    assert "6:00" in todays and "PM" in todays and "Житомир, весна 2026" in todays
    unmarked = section(page, "Attendance not marked yet")
    assert f'href="/cohorts/{cohort.id}/sessions/{past.id}/attendance">Вступ</a>' in unmarked
    assert "Безпека" not in unmarked and "Практика" not in unmarked and "Наступного" not in page
    assert section(page, "Your next session") == ""


def test_another_trainer_sees_none_of_it(client, db, world, cohort, now):
    schedule(cohort, db, date(2026, 3, 2), topic="Вступ")
    page = home(client, world.people["trainer@r2"])
    assert "Вступ" not in page and "Nothing needs you right now." in page


def test_a_learner_sees_her_next_session_and_where_to_resume(client, db, cohort, course, learner, now):
    schedule(cohort, db, date(2026, 3, 2), topic="Вступ")  # over
    schedule(cohort, db, date(2026, 3, 10), topic="Практика")
    enrolment = course_services.enrolment_of(learner, course)
    welcome = next(item for item in course.items if item.key == "welcome")
    course_services.complete_item(enrolment, welcome)
    db.session.commit()

    page = home(client, learner)

    upcoming = section(page, "Your next session")
    assert f'href="/cohorts/{cohort.id}/sessions">Практика</a>' in upcoming and "10:00" in upcoming
    assert "Вступ" not in page
    resume = section(page, "Where to resume")
    assert 'href="/courses/HOME-1/items/lecture">Course HOME-1</a>' in resume
    assert "Next: lecture title" in resume and 'href="/courses/">All courses</a>' in resume
    assert section(page, "Today's sessions") == "" and section(page, "Attendance not marked yet") == ""


def test_a_trainer_sees_her_cohorts_past_their_last_day_until_she_closes_them(
    client, db, world, cohort, course, make_cohort, now
):
    cohort.ends_on = date(2026, 3, 8)  # yesterday
    others = make_cohort(
        course, world.orgs["tc@r2"], trainers=[world.people["trainer@r2"]], ends_on=date(2026, 3, 1)
    )
    running = make_cohort(
        course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]], ends_on=date(2026, 3, 9)
    )
    db.session.commit()

    to_close = section(home(client, world.people["trainer@r1"]), "Cohorts to close")

    assert f'href="/cohorts/{cohort.id}/close">Житомир, весна 2026</a>' in to_close
    assert "ended Mar 8, 2026" in to_close
    assert f"/cohorts/{others.id}/close" not in to_close and f"/cohorts/{running.id}/close" not in to_close
    cohort.status = "closed"
    db.session.commit()
    assert section(home(client, world.people["trainer@r1"]), "Cohorts to close") == ""


def test_a_completed_course_is_not_listed_to_resume(client, db, course, learner, cohort):
    enrolment = course_services.enrolment_of(learner, course)
    enrolment.completed_at = datetime(2026, 3, 1)
    db.session.commit()
    assert section(home(client, learner), "Where to resume") == ""


def test_a_manager_sees_the_flagged_cohorts_of_her_region_and_no_other(client, db, world, cohort):
    cohort.flagged_at = datetime(2026, 3, 1, 9, 0)
    cohort.flag_reason = "Тестенко Олена"
    db.session.commit()

    flagged = section(home(client, world.people["manager@r1"]), "Cohorts whose trainer has no licence")

    assert f'href="/cohorts/{cohort.id}">Житомир, весна 2026</a>' in flagged
    assert "HOME-1 · no licence: Тестенко Олена" in flagged and 'href="/cohorts/">All cohorts</a>' in flagged
    other = home(client.application.test_client(), world.people["manager@r2"])
    assert "Житомир, весна 2026" not in other
