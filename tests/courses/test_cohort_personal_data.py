"""'Download my data' holds what the cohorts keep about a person: memberships, her attendance, the
licences she holds and those given to her by hand; nothing about the others in her cohorts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from courses.cohorts import licences
from courses.cohorts.models import Attendance, CohortSession, CompletionSource, MemberStatus
from lms.i18n import utcnow
from lms.plugins import registry
from lms.testing import login


@pytest.fixture(autouse=True)
def _courses_rule_alone(app):
    """The courses plugin's own licence rule (a completed qualifying cohort); the certificates plugin's
    rule (a valid certificate) is set aside for these tests and put back after them."""
    saved = list(registry(app).licence_rules)
    registry(app).licence_rules.clear()
    yield
    registry(app).licence_rules[:] = saved


def _session(cohort, day, topic):
    start = datetime(2026, 3, day, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    session = CohortSession(starts_at=start, ends_at=start + timedelta(hours=2), topic=topic)
    cohort.sessions.append(session)
    return session


def test_the_export_holds_her_memberships_attendance_licences_and_grants(
    client, world, make, make_course, make_cohort, db
):
    tot, deh, library = make_course("TOT"), make_course("DEH"), make_course("LIB")
    tot.qualifies_for.extend([deh, library])
    person, other = world.people["trainer@r1"], world.people["learner@r1"]
    national = make.user(world.orgs["root"], ("trainer",), email="national@example.org", surname="Бондар")
    make.commit()
    trained = make_cohort(
        tot,
        world.orgs["root"],
        trainers=[national],
        learners=[person, other],
        title="Київ, весна 2026",
        starts_on=date(2026, 3, 2),
    )
    left = make_cohort(
        deh, world.orgs["tc@r1"], learners=[person], status="planned", starts_on=date(2026, 5, 4)
    )
    first, second = _session(trained, 2, "Вступ"), _session(trained, 9, "Каскад")
    mine = {member.user_id: member for member in trained.members}
    first.attendance.extend(
        [
            Attendance(member=mine[person.id], status="present"),
            Attendance(member=mine[other.id], status="absent"),
        ]
    )
    second.attendance.append(Attendance(member=mine[person.id], status="late"))
    member = mine[person.id]
    member.status, member.completed_at = MemberStatus.COMPLETED.value, utcnow()
    member.completion_source, member.completion_reason = CompletionSource.MANUAL.value, "Тест на папері"
    withdrawn = left.members[0]
    withdrawn.status, withdrawn.withdrawn_at = MemberStatus.WITHDRAWN.value, utcnow()
    db.session.commit()
    licences.grant_licence(person, deh, "Навчалася у 2023 році", by=national)
    ended = licences.grant_licence(person, library, "Помилково", by=national)
    licences.revoke_grant(ended, "Надано помилково", by=national)
    db.session.commit()
    login(client, person)

    response = client.get("/profile/export")

    assert response.status_code == 200
    data = response.get_json()["cohorts"]
    completed, gone = data["memberships"]
    assert completed["cohort"] == {"id": trained.id, "title": "Київ, весна 2026", "course": "TOT"}
    assert (completed["status"], completed["completion_source"], completed["completion_reason"]) == (
        "completed",
        "manual",
        "Тест на папері",
    )
    assert completed["completed_at"].endswith("Z") and completed["cohort_starts_on"] == "2026-03-02"
    assert (gone["course"], gone["status"], gone["completed_at"]) == ("DEH", "withdrawn", None)
    assert gone["withdrawn_at"].endswith("Z")
    assert [(row["session_topic"], row["status"]) for row in data["attendance"]] == [
        ("Вступ", "present"),  # the other learner's absence at the same session is hers, not in here
        ("Каскад", "late"),
    ]
    assert data["attendance"][0]["session_starts_at"] == "2026-03-02T08:00:00Z"
    assert [(held["course"], held["source"]) for held in data["licences"]] == [
        ("DEH", licences.GRANT),  # the grant stands whatever else is said
        ("LIB", licences.COMPLETION),  # the revoked grant is gone; her completed TOT cohort gives it
    ]
    assert data["licences"][1]["qualifying_cohort"]["id"] == trained.id
    assert [
        (grant["course"], grant["reason"], grant["revoke_reason"]) for grant in data["licence_grants"]
    ] == [
        ("DEH", "Навчалася у 2023 році", None),
        ("LIB", "Помилково", "Надано помилково"),
    ]
    assert data["licence_grants"][1]["revoked_at"].endswith("Z")
    assert "national@example.org" not in response.get_data(as_text=True)  # who granted is not hers


def test_someone_outside_every_cohort_gets_empty_lists(client, world):
    login(client, world.people["learner@r1"])

    data = client.get("/profile/export").get_json()["cohorts"]

    assert data == {"memberships": [], "attendance": [], "licences": [], "licence_grants": []}
