"""Fixtures for the certificates plugin's tests: courses and cohorts (the courses tests' factories),
and ``completed``, a learner who completed a course in a cohort, with her certificate issued."""

from __future__ import annotations

from typing import Any

import pytest

from tests.courses.conftest import CohortFactory, CourseFactory

SIMPLE = (("basics", True, [("intro", "text", "next", True)]),)


@pytest.fixture(scope="session")
def courses_media_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("certificates-media"))


@pytest.fixture
def app_config(app_config: dict[str, Any], courses_media_dir: str) -> dict[str, Any]:
    return {**app_config, "COURSES_MEDIA_DIR": courses_media_dir, "CERTIFICATES_ISSUER": "Kaskad"}


@pytest.fixture
def make_course(app: Any, db: Any) -> Any:
    factory = CourseFactory()
    return lambda code="CERT-COURSE", **kwargs: factory(code, layout=kwargs.pop("layout", SIMPLE), **kwargs)


@pytest.fixture
def make_cohort(app: Any, db: Any) -> CohortFactory:
    return CohortFactory()


def complete(app: Any, cohort: Any, learner: Any) -> Any:
    """Announce that ``learner`` completed ``cohort``'s course there, as the cohorts code does."""
    from courses.cohorts.models import MemberStatus
    from courses.signals import course_completed
    from lms.i18n import utcnow

    member = next(member for member in cohort.members if member.user_id == learner.id)
    member.status = MemberStatus.COMPLETED.value
    member.completed_at = utcnow()
    course_completed.send(app, enrolment=member.enrolment, cohort=cohort, member=member)
    return member


@pytest.fixture
def learner(make: Any, world: Any) -> Any:
    user = make.user(
        world.orgs["hub@r1"],
        ("learner",),
        email="marjana@example.org",
        surname="Ґудзь",
        given_name="Марʼяна",
        patronymic="Євгенівна",
    )
    make.commit()
    return user


@pytest.fixture
def cohort(make_course: Any, make_cohort: Any, world: Any, learner: Any) -> Any:
    course = make_course()
    return make_cohort(course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]], learners=[learner])


@pytest.fixture
def certificate(app: Any, db: Any, cohort: Any, learner: Any) -> Any:
    from certificates import services

    complete(app, cohort, learner)
    db.session.commit()
    found = services.current_certificate(learner, cohort.course, cohort)
    assert found is not None
    return found
