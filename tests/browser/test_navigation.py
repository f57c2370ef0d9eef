"""The header grouped by area and the home page of what needs a person now, on a 320 px phone with
JavaScript off; every page passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from courses.cohorts.models import Cohort, CohortMember
from courses.cohorts.sessions import SessionDetails, in_cohort_zone, schedule_session
from courses.models import Course, Item, Module
from courses.services import enrol
from lms.i18n import utcnow

from .conftest import log_in


def summaries(person: Any) -> list[str]:
    return [text.strip() for text in person.page.locator("nav summary").all_inner_texts()]


@pytest.mark.browser
def test_an_admin_opens_an_area_of_the_header_on_a_phone_without_javascript(world: Any, journey: Any) -> None:
    admin = journey()
    admin.goto("/")
    log_in(admin, world.people["admin@root"].email)

    assert summaries(admin) == ["Навчання", "Викладання", "Моніторинг", "Адміністрування"]
    assert not admin.page.locator('nav a[href="/audit/"]').is_visible()  # closed areas keep it short
    assert admin.page.locator("main .cards").count() == 0  # no grid repeating the header
    admin.menu("/audit/")
    assert admin.path == "/audit/"
    opened = admin.page.locator("nav details[open]")
    assert opened.count() == 1 and opened.locator("summary").inner_text().strip() == "Адміністрування"
    assert admin.page.locator('nav a[href="/audit/"][aria-current="page"]').is_visible()
    admin.menu("/courses/")
    assert admin.page.locator("nav details[open] summary").inner_text().strip() == "Навчання"


@pytest.fixture
def cohort(world: Any, make: Any, db: Any) -> Cohort:
    course = Course(code="HOME-B", title={"uk": "Курс координатора"}, status="published", is_open=False)
    course.modules.append(
        Module(
            key="basics",
            title={"uk": "Основи"},
            items=[Item(key="worksheet", kind="text", title={"uk": "Робочий аркуш"}, body="Текст.")],
        )
    )
    today = utcnow().date()
    cohort = Cohort(
        course=course,
        organisation=world.orgs["tc@r1"],
        title="Житомир, весна",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=30),
        status="running",
    )
    cohort.trainers.append(world.people["trainer@r1"])
    learner = world.people["learner@r1"]
    cohort.members.append(CohortMember(user=learner, enrolment=enrol(learner, course)))
    db.session.add(cohort)
    db.session.flush()
    # All of today in the cohort's zone: begun (so its attendance is due) and not over.
    day = in_cohort_zone(cohort, utcnow()).date()
    schedule_session(cohort, SessionDetails(day=day, starts=time(0, 0), ends=time(23, 59), topic="Практикум"))
    db.session.commit()
    return cohort


@pytest.mark.browser
def test_a_trainers_home_lists_todays_session_and_its_attendance_and_a_learners_her_next(
    cohort: Cohort, world: Any, journey: Any
) -> None:
    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)
    headings = trainer.page.locator("main h3").all_inner_texts()
    assert headings[:2] == ["Заняття сьогодні", "Відвідування ще не позначено"]
    session = cohort.sessions[0]
    attendance = f"/cohorts/{cohort.id}/sessions/{session.id}/attendance"
    assert trainer.page.locator(f'main a[href="{attendance}"]').count() == 2
    trainer.click(f'main a[href="{attendance}"] >> nth=0')
    assert trainer.path == attendance

    learner = journey()
    learner.goto("/")
    log_in(learner, world.people["learner@r1"].email)
    assert learner.page.locator("nav summary").count() == 0  # one area: a plain list
    assert learner.page.locator("main h3").all_inner_texts() == ["Ваше наступне заняття", "Де продовжити"]
    learner.click('main a[href="/courses/HOME-B/items/worksheet"]')
    assert learner.path == "/courses/HOME-B/items/worksheet"
