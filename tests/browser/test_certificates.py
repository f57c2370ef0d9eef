"""A learner finishes a course in a cohort on a 320 px phone with JavaScript off and downloads her
certificate; a member of the public verifies it by number and by a mistyped number; a manager revokes
it, and the public page says so. Every page passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from courses.cohorts.models import Cohort, CohortMember
from courses.models import Course, Item, Module
from courses.services import enrol
from lms.i18n import utcnow

from .conftest import log_in


@pytest.fixture
def cohort(world: Any, db: Any) -> Cohort:
    course = Course(code="CERT-B", title={"uk": "Координатор хабу цифрової освіти"}, status="published")
    course.hours = 30
    course.modules.append(
        Module(
            key="basics",
            title={"uk": "Основи"},
            items=[
                Item(key="last", kind="text", title={"uk": "Підсумок"}, body="Текст.", completion="button")
            ],
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
    learner.set_names("Ґудзь", "Марʼяна", "Євгенівна")
    cohort.members.append(CohortMember(user=learner, enrolment=enrol(learner, course)))
    db.session.add(cohort)
    db.session.commit()
    return cohort


def _mistype(number: str) -> str:
    return number[:4] + ("3" if number[4] != "3" else "4") + number[5:]


def test_a_certificate_from_completion_to_revocation(cohort: Cohort, world: Any, journey: Any, db: Any):
    learner = journey()
    learner.goto("/")
    log_in(learner, world.people["learner@r1"].email)
    learner.goto("/courses/CERT-B/items/last")
    learner.click('main form.inline button[type="submit"]')  # Mark as done: the course is complete

    learner.menu("/certificates/")
    link = learner.page.locator('main a[href$="/certificate.pdf"]')
    assert link.count() == 1
    with learner.page.expect_download() as download:
        link.click()
    body = open(download.value.path(), "rb").read()  # noqa: SIM115
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "Ґудзь Марʼяна Євгенівна" in text and "Gudz Mariana Yevhenivna" in text
    number = link.get_attribute("href").split("/")[2]

    public = journey()
    public.goto("/verify")
    public.fill({"#number": number.lower().replace("-", " ")})
    public.click('main form button[type="submit"]')
    assert public.path == f"/verify/{number}"
    assert "Ґудзь Марʼяна Євгенівна" in public.page.content()

    public.goto("/verify")
    public.fill({"#number": _mistype(number)})
    public.click('main form button[type="submit"]')  # answered with 400, and checked like any page
    assert public.page.locator("main .msg.error").count() == 1
    assert public.page.input_value("#number") == _mistype(number)

    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.menu("/certificates/manage")
    manager.fill({"#q": "Ґудзь"})
    manager.click("main form.search button[type=submit]")
    manager.click(f'main a[href="/certificates/{number}"]')
    manager.fill({"#reason": "Видано помилково"})
    manager.click('main form[action$="/revoke"] button[type="submit"]')
    assert "Видано помилково" in manager.page.content()

    public.goto(f"/verify/{number}")
    assert "Видано помилково" in public.page.content()
    assert public.page.locator("main .msg.error").count() == 1
