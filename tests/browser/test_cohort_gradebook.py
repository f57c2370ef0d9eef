"""A regional trainer follows her cohort on a 320 px phone with JavaScript off: the gradebook, filtered
and sorted, its CSV export, the closing page with who completed and what the others lack, and closing;
then the national trainer who trained her and a manager look at the cascade's lineage. Every page passes
axe-core and fits the screen (see conftest.py for how those checks run)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from courses.cohorts import completion
from courses.cohorts.models import Cohort, CohortMember, CohortSession
from courses.models import Course, Item, Module
from courses.services import complete_item, enrol
from lms.i18n import utcnow

from .conftest import log_in

NAMES = [("Юрʼєва", "Ганна"), ("Ґава", "Богдан"), ("Абрамова", "Марія")]


@pytest.fixture
def cohort(world: Any, make: Any, db: Any) -> Cohort:
    """trainer@r1's cohort of three learners (one has done everything) with a session held; she was
    trained by a national trainer in an earlier cohort, so the lineage has two levels."""
    course = Course(code="GRADE-B", title={"uk": "Курс координатора"}, status="published", is_open=False)
    course.modules.append(
        Module(
            key="basics",
            title={"uk": "Основи"},
            items=[
                Item(key="intro", kind="text", title={"uk": "Вступ"}, body="Текст."),
                Item(key="practice", kind="text", title={"uk": "Практика"}, body="Текст."),
            ],
        )
    )
    today = utcnow().date()
    cohort = Cohort(
        course=course,
        organisation=world.orgs["tc@r1"],
        title="Житомир, весна",
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
        status="running",
    )
    cohort.trainers.append(world.people["trainer@r1"])
    people = [
        make.user(world.orgs["hub@r1"], ("learner",), surname=surname, given_name=given, password="")
        for surname, given in NAMES
    ]
    for person in people:
        cohort.members.append(CohortMember(user=person, enrolment=enrol(person, course)))
    start = utcnow() - timedelta(days=7)
    cohort.sessions.append(CohortSession(starts_at=start, ends_at=start + timedelta(hours=2)))
    db.session.add(cohort)
    db.session.commit()
    national = make.user(world.orgs["root"], ("trainer",), email="national@example.org", surname="Мельничук")
    earlier = Cohort(
        course=course,
        organisation=world.orgs["root"],
        title="Національна група",
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=300),
        status="closed",
    )
    earlier.trainers.append(national)
    trainer = world.people["trainer@r1"]
    earlier.members.append(CohortMember(user=trainer, enrolment=enrol(trainer, course)))
    db.session.add(earlier)
    db.session.flush()
    completion.record_completion(earlier.members[0])
    first = next(member for member in cohort.members if member.user.surname == "Абрамова")
    from courses.cohorts.models import Attendance

    for member in cohort.members:
        cohort.sessions[0].attendance.append(Attendance(member=member, status="present"))
    db.session.flush()
    for item in course.items:
        complete_item(first.enrolment, item)
    db.session.commit()
    return cohort


@pytest.mark.browser
def test_a_trainer_follows_and_closes_her_cohort_then_the_lineage_shows_it(
    cohort: Cohort, world: Any, journey: Any, db: Any
):
    gradebook = f"/cohorts/{cohort.id}/gradebook"
    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)
    trainer.goto(gradebook)
    rows = trainer.page.locator("main table.gradebook tbody tr")
    assert rows.count() == 3
    assert rows.first.locator("th").inner_text().startswith("Абрамова")

    # Only those still learning, the last name first.
    trainer.page.select_option("#status", "enrolled")
    trainer.page.select_option("#order", "desc")
    trainer.click('main form.filters button[type="submit"]')
    assert trainer.page.locator("main table.gradebook tbody tr").count() == 2
    assert trainer.page.locator("main table.gradebook tbody th").first.inner_text().startswith("Юрʼєва")
    export = trainer.context.request.get(f"{gradebook}.csv?status=enrolled")
    assert export.status == 200 and export.body().startswith(b"\xef\xbb\xbf")

    # Closing: who completed and what the others lack, then closed.
    trainer.goto(gradebook)
    trainer.click(f'main a[href="/cohorts/{cohort.id}/close"]')
    assert trainer.page.locator("#not-completed + div table tbody tr").count() == 2
    trainer.click('main form button[type="submit"]')
    assert trainer.path == f"/cohorts/{cohort.id}/close"
    assert trainer.page.locator("main form button[type='submit']").count() == 0
    db.session.expire_all()
    assert cohort.status == "closed"

    # The trainer's own lineage, then a manager's view of the region's cascade.
    trainer.goto("/cohorts/lineage/mine")
    assert "Абрамова" not in trainer.page.inner_text("main")  # she trained nobody who trains
    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.goto("/cohorts/lineage")
    manager.click(f'main a[href="/cohorts/lineage/trainers/{world.people["trainer@r1"].id}"]')
    manager.click(f'main a[href="/cohorts/lineage/trainers/{world.people["trainer@r1"].id}/direct"]')
    assert manager.page.locator("main table tbody tr").count() == 1
