"""A learner takes the shipped course "Координатор хабу цифрової освіти" (DEH-COORD) from the
catalogue to "course completed" in Chromium without JavaScript on a 320 px phone; every page on the
way passes axe-core (WCAG 2.1 A/AA) and does not scroll sideways (see conftest.py for how those checks
run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import courses
from courses.models import Course, Enrolment
from courses.packages import import_packages

from .conftest import Journey, log_in

CODE = "DEH-COORD"
COURSE = f"/courses/{CODE}"
PACKAGE = Path(courses.__file__).parent / "content" / "hub-coordinator"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The package's media are stored in a folder of this test."""
    return {**app_config, "COURSES_MEDIA_DIR": str(tmp_path / "media")}


@pytest.fixture
def shipped_course(world: Any, db: Any) -> Course:
    """Course 2 imported from the package shipped in the courses plugin, as ``lms demo load`` does."""
    import_packages([PACKAGE])
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.code == CODE))
    assert course is not None and course.is_published and course.is_open
    return course


def lesson_key(person: Journey) -> str:
    prefix = f"{COURSE}/items/"
    assert person.path.startswith(prefix), f"not on a lesson page but on {person.path}"
    return person.path.removeprefix(prefix)


def has(person: Journey, selector: str) -> bool:
    return person.page.locator(selector).count() > 0


def study(person: Journey, limit: int) -> list[str]:
    """From the first lesson, do what each lesson page offers until the course page comes back:
    "Mark as done" when the lesson has it, then the pager's "Next" (a POST button when Next completes
    the lesson, else a link). Returns the keys of the lessons in the order they were studied."""
    studied: list[str] = []
    while person.path != COURSE:
        assert len(studied) < limit, f"still studying after {limit} lessons: {studied}"
        key = lesson_key(person)
        assert key not in studied, f"{key} came round a second time: {studied}"
        studied.append(key)
        assert not has(person, "main .course-locked"), f"{key} is locked"
        mark_as_done = f'main form[action="{COURSE}/items/{key}/complete"] button'
        if has(person, mark_as_done):
            person.click(mark_as_done)
            if person.path == COURSE:  # that was the last required item: back on the course page
                break
            assert lesson_key(person) == key
            assert has(person, "main .msg.success") and not has(person, mark_as_done)
        pager = "main nav.course-pager"
        if has(person, f"{pager} form button"):
            person.click(f"{pager} form button")
        elif has(person, f'{pager} a[rel="next"]'):
            person.click(f'{pager} a[rel="next"]')
        else:
            person.click(f'{pager} a[href="{COURSE}"]')
    return studied


@pytest.mark.browser
def test_a_learner_goes_through_the_hub_coordinator_course_from_the_catalogue_to_course_completed(
    shipped_course: Course, world: Any, journey: Any, db: Any
) -> None:
    learner = world.people["learner@r1"]
    keys = [item.key for item in shipped_course.items]
    kinds = {item.kind for item in shipped_course.items}
    assert {"text", "video", "audio", "file", "link"} <= kinds  # the journey meets every kind but quiz

    person = journey()
    person.goto("/")
    log_in(person, learner.email)
    person.click('nav a[href="/courses/"]')
    assert person.path == "/courses/"
    assert has(person, f'main .course-list a[href="{COURSE}"]')
    person.click(f'main .course-list form[action="{COURSE}/enrol"] button')
    assert person.path == COURSE
    assert has(person, "main .msg.success")
    assert not has(person, "main .course-completed")

    person.click(f'main a.button[href="{COURSE}/items/{keys[0]}"]')  # "Start the course"
    assert study(person, limit=len(keys)) == keys

    assert person.path == COURSE
    assert has(person, "main .course-completed h2")
    progress = person.page.locator("main #course-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == str(len(keys))

    person.click('main .crumbs a[href="/courses/"]')  # the catalogue shows it completed too
    assert not has(person, f'main form[action="{COURSE}/enrol"]')

    db.session.expire_all()
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == learner.id, Enrolment.course_id == shipped_course.id)
    )
    assert enrolment is not None and enrolment.completed_at is not None
    assert enrolment.completed_item_ids == {item.id for item in shipped_course.items}
    lessons = {url for url in person.visited if url.startswith(f"{person.base_url}{COURSE}/items/")}
    assert len(lessons) == len(keys)  # every lesson page was reached, so checked by axe and for width
