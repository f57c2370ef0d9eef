"""Cohorts on a 320 px phone with JavaScript off: an admin gives a regional trainer the licence by
hand; a trainer without it is refused a cohort; the licensed trainer opens one, uploads a CSV with one
bad row and sees it rejected whole, fixes it and enrols everyone (new people invited), withdraws one;
the admin ends the licence and the region's manager finds the cohort flagged on her home page and in the
list. Every page passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from courses.cohorts import services
from courses.cohorts.models import Cohort, LicenceGrant
from courses.models import Course, Item, Module

from .conftest import Journey, log_in

HEADER = "email;surname;given_name;patronymic;org_code;job;target_groups\n"
ROWS = "learner.r1@example.org;;;;;;\nnova@example.org;Мар’яненко;Ірина;Олегівна;HUB-18-001;;\n"


@pytest.fixture
def courses(make: Any, db: Any) -> dict[str, Course]:
    made = {}
    for code, title in (("TOT-B", "Тренінг для тренерів"), ("DEH-B", "Курс координатора хабу")):
        course = Course(code=code, title={"uk": title}, status="published", is_open=code == "TOT-B")
        course.modules.append(
            Module(key="m", title={"uk": "Модуль"}, items=[Item(key="i", kind="text", title={"uk": "Текст"})])
        )
        db.session.add(course)
        made[code] = course
    made["TOT-B"].qualifies_for.append(made["DEH-B"])
    db.session.commit()
    return made


def _upload(person: Journey, text: str) -> None:
    person.page.set_input_files(
        "#file", files=[{"name": "learners.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    person.click('main form[enctype] button[type="submit"]')


def _open_cohort_form(person: Journey, course: Course, organisation: str) -> None:
    person.menu("/cohorts/")
    person.click('a[href="/cohorts/new"]')
    person.page.select_option("#course", str(course.id))
    person.fill(
        {
            "#organisation": organisation,
            "#title": "Житомир, весна 2026",
            "#starts_on": "2026-03-02",
            "#ends_on": "2026-04-30",
            "#capacity": "20",
        }
    )
    person.click('main form button[type="submit"]')


@pytest.mark.browser
def test_licences_gate_cohorts_and_a_csv_is_enrolled_all_or_nothing(courses, world, journey, db):
    deh = courses["DEH-B"]

    # A trainer without the licence is refused, with what she typed kept.
    other = journey()
    other.goto("/")
    log_in(other, world.people["trainer@r2"].email)
    _open_cohort_form(other, deh, "TC-46")
    assert "не має ліцензії" in other.page.content() or "немає ліцензії" in other.page.content()
    assert other.page.input_value("#title") == "Житомир, весна 2026"
    assert db.session.scalars(select(Cohort)).all() == []

    # The national admin gives trainer@r1 the licence by hand.
    admin = journey()
    admin.goto("/")
    log_in(admin, world.people["admin@root"].email)
    admin.menu("/cohorts/licences")
    admin.fill({"#email": "trainer.r1@example.org", "#reason": "Навчалася в 2023 році, до Каскаду."})
    admin.page.select_option("#course", str(deh.id))
    admin.click('main form button[type="submit"]')
    assert "Навчалася в 2023 році" in admin.page.content()

    # She opens a cohort.
    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)
    _open_cohort_form(trainer, deh, "TC-18")
    cohort = db.session.scalars(select(Cohort)).one()
    assert trainer.path == f"/cohorts/{cohort.id}"
    assert "Ліцензію надано вручну" in trainer.page.content()

    # A CSV with one bad row is rejected whole; the fixed file enrols both.
    trainer.click(f'a[href="/cohorts/{cohort.id}/import"]')
    _upload(trainer, HEADER + ROWS + "broken;Шевчук;Марія;;HUB-18-001;;\n")
    assert "Нікого не зараховано" in trainer.page.content() and "<td>4</td>" in trainer.page.content()
    assert services.members(cohort) == []
    _upload(trainer, HEADER + ROWS + "maria@example.org;Шевчук;Марія;;HUB-18-001;;\n")
    trainer.click('main form[action$="/import/confirm"] button')
    assert "/invitation/" in trainer.page.content()  # no e-mail in tests: the links are shown
    assert len(services.members(cohort)) == 3
    trainer.click(f'a[href="/cohorts/{cohort.id}"]')
    trainer.click(f'a[href="/cohorts/{cohort.id}/enrol"]')
    trainer.click(f'a[href="/cohorts/{cohort.id}"]')
    member = services.member_of(cohort, world.people["learner@r1"])
    trainer.click(f'form[action$="/members/{member.id}/withdraw"] button')
    assert "вибуває" in trainer.page.content()

    # The admin ends the licence: the region's manager sees the cohort flagged.
    grant = db.session.scalars(select(LicenceGrant)).one()
    admin.goto("/cohorts/licences")
    admin.fill({f"#revoke-{grant.id}": "Помилка в даних про навчання."})
    admin.click(f'form[action$="/licences/{grant.id}/revoke"] button')
    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    assert f'href="/cohorts/{cohort.id}"' in manager.page.content()  # on her home page
    manager.menu("/cohorts/")
    assert 'id="flagged"' in manager.page.content()
    manager.page.select_option("#f-status", "planned")
    manager.click('main form.filters button[type="submit"]')
    assert "Житомир, весна 2026" in manager.page.content()
