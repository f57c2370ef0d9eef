"""A regional trainer runs her cohort's sessions on a 320 px phone with JavaScript off: schedules two
sessions (one refused first, with what she typed kept), marks attendance starting from "all present",
fetches the roster PDF, records offline work, edits one session and cancels the other; then a learner
of the cohort sees the sessions and their calendar. Every page passes axe-core and fits the screen
(see conftest.py for how those checks run)."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from courses.cohorts.models import Attendance, Cohort, CohortMember, CohortSession
from courses.cohorts.sessions import in_cohort_zone
from courses.models import Course, Item, ItemCompletion, Module
from courses.services import enrol
from lms.accounts.models import User
from lms.i18n import utcnow

from .conftest import Journey, log_in

NAMES = [("Юрʼєва", "Ганна"), ("Ґава", "Богдан"), ("Абрамова", "Марія")]
SHOTS = os.environ.get("KASKAD_SCREENSHOTS", "")  # a folder: keep a screenshot of each page there


@pytest.fixture
def cohort(world: Any, make: Any, db: Any) -> Cohort:
    course = Course(code="SESS-B", title={"uk": "Курс координатора"}, status="published", is_open=False)
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
    people = [world.people["learner@r1"]] + [
        make.user(world.orgs["hub@r1"], ("learner",), surname=surname, given_name=given, password="")
        for surname, given in NAMES
    ]
    for person in people:
        cohort.members.append(CohortMember(user=person, enrolment=enrol(person, course)))
    db.session.add(cohort)
    db.session.commit()
    return cohort


def shot(person: Journey, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        person.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_trainer_runs_her_cohorts_sessions_on_a_phone(cohort: Cohort, world: Any, journey: Any, db: Any):
    today = in_cohort_zone(cohort, utcnow()).date()
    sessions = f"/cohorts/{cohort.id}/sessions"
    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)
    trainer.goto(sessions)
    shot(trainer, "sessions-empty")

    # The first session: today, at the hub, from 08:00 to 09:30 in the cohort's time zone.
    trainer.click(f'main a[href="{sessions}/new"]')
    trainer.fill(
        {
            "#day": today.isoformat(),
            "#starts": "08:00",
            "#ends": "09:30",
            "#topic": "Вступ",
            "#venue": "HUB-18-001",
        }
    )
    trainer.page.check("#is_public")
    trainer.click('main form button[type="submit"]')
    assert trainer.path == sessions

    # The second: its end before its start is refused, with everything typed kept.
    trainer.click(f'main a[href="{sessions}/new"]')
    later = (today + timedelta(days=7)).isoformat()
    trainer.fill({"#day": later, "#starts": "14:00", "#ends": "13:00", "#topic": "Безпека"})
    trainer.click('main form button[type="submit"]')
    shot(trainer, "session-form-refused")
    assert trainer.page.input_value("#topic") == "Безпека" and trainer.page.input_value("#ends") == "13:00"
    assert trainer.page.locator("#ends-error").count() == 1
    trainer.fill({"#ends": "16:00"})
    trainer.click('main form button[type="submit"]')
    first, second = db.session.scalars(select(CohortSession).order_by(CohortSession.starts_at)).all()
    assert first.is_public and second.topic == "Безпека"
    shot(trainer, "sessions")

    # Attendance: everyone starts as present; one learner was late.
    trainer.click(f'main a[href="{sessions}/{first.id}/attendance"]')
    shot(trainer, "attendance")
    assert trainer.page.locator('input[value="present"]:checked').count() == 4
    legends = trainer.page.locator("main legend").all_inner_texts()
    assert [legend.split()[0] for legend in legends] == ["Абрамова", "Ґава", "Тестенко", "Юрʼєва"]
    by_surname = select(CohortMember).join(User, User.id == CohortMember.user_id)
    late = db.session.scalar(by_surname.where(User.surname == "Ґава"))
    trainer.page.locator(f'input[name="status-{late.id}"][value="late"]').check()
    trainer.click('main form.attendance button[type="submit"]')
    assert trainer.path == sessions
    marks = dict(db.session.execute(select(Attendance.member_id, Attendance.status)).all())
    assert marks[late.id] == "late" and sorted(marks.values()).count("present") == 3

    # The roster: a PDF with the names, the apostrophe kept.
    roster = trainer.context.request.get(f"{sessions}/{first.id}/roster.pdf")
    assert roster.status == 200 and roster.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(roster.body())).pages)
    assert "Юрʼєва Ганна" in text

    # Offline work: the worksheet, done on paper by one learner.
    trainer.click(f'main a[href="{sessions}/{first.id}/offline"]')
    trainer.page.locator(f'input[name="members"][value="{late.id}"]').check()
    trainer.click('main form button[type="submit"]')
    shot(trainer, "offline")
    recorded = db.session.scalar(select(ItemCompletion).where(ItemCompletion.session_id == first.id))
    assert recorded is not None and recorded.recorded_by_id == world.people["trainer@r1"].id

    # The second session moves by an hour, then is cancelled.
    trainer.goto(sessions)
    trainer.click(f'main a[href="{sessions}/{second.id}/edit"]')
    trainer.fill({"#starts": "15:00"})
    trainer.click('main form button[type="submit"]')
    trainer.click(f'main a[href="{sessions}/{second.id}/edit"]')
    trainer.click(f'main form[action="{sessions}/{second.id}/cancel"] button')
    shot(trainer, "sessions-cancelled")
    db.session.expire_all()
    assert second.is_cancelled and second.sequence == 2

    # A learner of the cohort sees the sessions and subscribes to the calendar.
    learner = journey()
    learner.goto("/")
    log_in(learner, world.people["learner@r1"].email)
    learner.goto(sessions)
    shot(learner, "sessions-learner")
    assert learner.page.locator(f'main a[href="{sessions}/{first.id}/attendance"]').count() == 0
    feed = learner.page.input_value("#feed-url")
    events = Calendar.from_ical(learner.context.request.get(feed).body()).walk("VEVENT")
    assert [str(event["STATUS"]) for event in events] == ["CONFIRMED", "CANCELLED"]


@pytest.mark.browser
def test_the_sessions_page_on_a_desktop(cohort: Cohort, world: Any, journey: Any, db: Any):
    from .conftest import DESKTOP

    start = utcnow() - timedelta(hours=1)
    cohort.sessions.append(CohortSession(starts_at=start, ends_at=start + timedelta(hours=2), topic="Вступ"))
    db.session.commit()
    trainer = journey(viewport=DESKTOP)
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)
    trainer.goto(f"/cohorts/{cohort.id}/sessions")
    shot(trainer, "sessions-desktop")
    trainer.click(f'main a[href="/cohorts/{cohort.id}/sessions/{cohort.sessions[0].id}/attendance"]')
    shot(trainer, "attendance-desktop")
