"""Issue 8's journey, on a 320 px phone with JavaScript off and axe-core on every page (see
conftest.py): a regional trainer who holds the licence for the coordinators' course opens a cohort,
imports a CSV with one bad row and sees it refused whole, fixes it, schedules two sessions, marks
attendance on the phone-sized form, prints the roster, sees the gradebook and closes the cohort; a
trainer without the licence cannot open one."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates.services import issue as issue_certificate
from courses.cohorts.models import Cohort, CohortMember, CohortSession
from courses.cohorts.sessions import in_cohort_zone
from courses.models import Course, Item, Module
from courses.services import enrol
from lms.i18n import utcnow

from .conftest import Journey, log_in

COURSE = "DEH-J"
HEADER = "email;surname;given_name;patronymic;org_code;job;target_groups"


@pytest.fixture
def courses(world: Any, make: Any, db: Any) -> dict[str, Course]:
    """The trainers' course qualifies trainers for the coordinators' course; trainer@r1 completed a
    cohort of it and holds its certificate (so she holds the licence), trainer@r2 did not."""
    trainers_course = Course(code="TOT-J", title={"uk": "Підготовка тренерів"}, status="published")
    course = Course(code=COURSE, title={"uk": "Курс координатора хабу"}, status="published", is_open=False)
    course.modules.append(
        Module(
            key="basics",
            title={"uk": "Основи"},
            items=[Item(key="worksheet", kind="text", title={"uk": "Робочий аркуш"}, body="Текст.")],
        )
    )
    trainers_course.qualifies_for.append(course)
    db.session.add_all([trainers_course, course])
    qualifying = Cohort(
        course=trainers_course,
        organisation=world.orgs["r1"],
        title="Національна когорта тренерів",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 1),
        status="closed",
    )
    qualifying.trainers.append(world.people["admin@root"])
    licensed = world.people["trainer@r1"]
    qualifying.members.append(
        CohortMember(
            user=licensed,
            enrolment=enrol(licensed, trainers_course),
            status="completed",
            completed_at=utcnow() - timedelta(days=90),
        )
    )
    db.session.add(qualifying)
    db.session.flush()
    # With the certificates plugin the licence comes from the certificate that completion earns.
    issue_certificate(licensed, trainers_course, qualifying)
    db.session.commit()
    return {"trainers": trainers_course, "course": course}


def roster_text(person: Journey, address: str) -> str:
    response = person.context.request.get(address)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)


def write_csv(path: Path, rows: list[str]) -> str:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def open_cohort(trainer: Journey, course: Course, organisation: str, title: str) -> None:
    """From the header's Teaching area: the cohort list, then "Open a cohort", filled in."""
    trainer.menu("/cohorts/")
    trainer.click('main a[href="/cohorts/new"]')
    trainer.page.select_option("#course", str(course.id))
    starts = utcnow().date()
    trainer.fill(
        {
            "#organisation": organisation,
            "#title": title,
            "#starts_on": starts.isoformat(),
            "#ends_on": (starts + timedelta(days=30)).isoformat(),
        }
    )
    trainer.click('main form button[type="submit"]')


@pytest.mark.browser
def test_a_licensed_regional_trainer_runs_a_cohort_from_opening_to_closing(
    courses: dict[str, Course], world: Any, journey: Any, db: Any, tmp_path: Path
) -> None:
    course = courses["course"]
    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)

    # She opens a cohort of the coordinators' course at her training centre.
    open_cohort(trainer, course, world.orgs["tc@r1"].code, "Житомир, весна")
    cohort = db.session.scalar(select(Cohort).where(Cohort.course_id == course.id))
    assert cohort is not None and trainer.path == f"/cohorts/{cohort.id}"
    assert [person.email for person in cohort.trainers] == [world.people["trainer@r1"].email]

    # A CSV with one bad row (line 3: an organisation that does not exist) is refused whole.
    hub = world.orgs["hub@r1"].code
    good = [
        f"{world.people['learner@r1'].email};;;;;;",
        f"olha.miasoid@example.org;Мʼясоїд;Ольга;Іванівна;{hub};;",
    ]
    bad = "petro.hnatiuk@example.org;Гнатюк;Петро;;HUB-99-999;;"
    trainer.click(f'main a[href="/cohorts/{cohort.id}/import"]')
    trainer.page.set_input_files("#file", write_csv(tmp_path / "with-a-bad-row.csv", [good[0], bad, good[1]]))
    trainer.click('main form[enctype="multipart/form-data"] button[type="submit"]')
    problems = trainer.page.locator('main [role="alert"] tbody tr')
    assert problems.count() == 1 and problems.first.locator("td").first.inner_text() == "3"
    assert "HUB-99-999" in problems.first.inner_text()
    assert trainer.page.locator(f'form[action="/cohorts/{cohort.id}/import/confirm"]').count() == 0
    db.session.expire_all()
    assert db.session.scalars(select(CohortMember).where(CohortMember.cohort_id == cohort.id)).all() == []

    # Fixed (the row's hub is the right one), it is checked, shown, then enrolled.
    fixed = bad.replace("HUB-99-999", hub)
    trainer.page.set_input_files("#file", write_csv(tmp_path / "fixed.csv", [good[0], fixed, good[1]]))
    trainer.click('main form[enctype="multipart/form-data"] button[type="submit"]')
    trainer.click(f'form[action="/cohorts/{cohort.id}/import/confirm"] button[type="submit"]')
    db.session.expire_all()
    members = db.session.scalars(select(CohortMember).where(CohortMember.cohort_id == cohort.id)).all()
    assert len(members) == 3
    trainer.goto(f"/cohorts/{cohort.id}")
    if trainer.page.locator(f'main form[action="/cohorts/{cohort.id}/start"]').count():
        trainer.click(f'main form[action="/cohorts/{cohort.id}/start"] button')

    # Two sessions: today and a week later, in the cohort's time zone.
    sessions = f"/cohorts/{cohort.id}/sessions"
    trainer.click(f'main a[href="{sessions}"]')
    day = in_cohort_zone(cohort, utcnow()).date()
    for when, topic in ((day, "Вступ"), (day + timedelta(days=7), "Безпека")):
        trainer.click(f'main a[href="{sessions}/new"]')
        trainer.fill({"#day": when.isoformat(), "#starts": "00:00", "#ends": "01:30", "#topic": topic})
        trainer.click('main form button[type="submit"]')
        assert trainer.path == sessions
    first, second = db.session.scalars(
        select(CohortSession).where(CohortSession.cohort_id == cohort.id).order_by(CohortSession.starts_at)
    ).all()
    assert (first.topic, second.topic) == ("Вступ", "Безпека")

    # Her home page lists today's session, its attendance not marked: the form, from there, on the
    # phone; everyone starts as present; one was absent.
    trainer.goto("/")
    attendance = f"{sessions}/{first.id}/attendance"
    assert trainer.page.locator(f'main a[href="{attendance}"]').count() == 2
    trainer.click(f'main a[href="{attendance}"] >> nth=1')
    assert trainer.page.locator('input[value="present"]:checked').count() == 3
    absent = next(member for member in members if member.user.email == "petro.hnatiuk@example.org")
    trainer.page.locator(f'input[name="status-{absent.id}"][value="absent"]').check()
    trainer.click('main form.attendance button[type="submit"]')
    assert trainer.path == sessions

    # The roster of the first session: the PDF the page links to, names in Ukrainian order.
    roster = f"{sessions}/{first.id}/roster.pdf"
    assert trainer.page.locator(f'main a[href="{roster}"]').count() == 1
    text = roster_text(trainer, roster)
    listed = [line for line in text.splitlines() if line.split(" ")[0] in {"Гнатюк", "Мʼясоїд", "Тестенко"}]
    assert [line.split(" ")[0] for line in listed][-3:] == ["Гнатюк", "Мʼясоїд", "Тестенко"]  # the list

    # The gradebook, from the cohort's page: one row per learner.
    trainer.goto(f"/cohorts/{cohort.id}")
    trainer.click(f'main a[href="/cohorts/{cohort.id}/gradebook"]')
    rows = trainer.page.inner_text("main table")
    assert "Мʼясоїд" in rows and "Гнатюк" in rows and "Тестенко" in rows

    # Closing: the confirmation page, then the cohort is closed.
    trainer.goto(f"/cohorts/{cohort.id}")
    trainer.click(f'main a[href="/cohorts/{cohort.id}/close"]')
    trainer.click(f'main form[action="/cohorts/{cohort.id}/close"] button[type="submit"]')
    assert trainer.page.locator("main .msg.success").count() == 1
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status == "closed"


@pytest.mark.browser
def test_a_trainer_without_the_licence_cannot_open_a_cohort(
    courses: dict[str, Course], world: Any, journey: Any, db: Any
) -> None:
    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r2"].email)

    open_cohort(trainer, courses["course"], world.orgs["tc@r2"].code, "Вінниця, весна")

    assert trainer.path == "/cohorts/new"  # the form again, with what she typed
    assert trainer.page.input_value("#title") == "Вінниця, весна"
    refusal = trainer.page.inner_text("main")
    assert "не може навчати цього курсу: немає ліцензії на нього" in refusal
    db.session.expire_all()
    assert db.session.scalars(select(Cohort).where(Cohort.course_id == courses["course"].id)).all() == []
