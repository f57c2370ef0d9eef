"""Enrolment in cohorts: one by one, invitations, the key, CSV (all or nothing), withdrawal and
transfer keeping progress, and the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from courses.cohorts import importer, services
from courses.cohorts.models import CohortMember, MemberStatus
from courses.services import complete_item
from lms.accounts.models import AccountToken, TargetGroup, User

HEADER = "email,surname,given_name,patronymic,org_code,job,target_groups\n"


@pytest.fixture
def cohort(world, make_course, make_cohort):
    course = make_course("DEH", is_open=False)
    return make_cohort(course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]], capacity=5)


def _group_code(db):
    return db.session.scalar(select(TargetGroup.code).order_by(TargetGroup.id).limit(1))


def test_enrolling_puts_her_on_her_one_enrolment_and_never_twice(cohort, world, db):
    learner = world.people["learner@r1"]
    member = services.enrol(cohort, learner, world.people["trainer@r1"])
    db.session.commit()
    assert member.status == MemberStatus.ENROLLED and member.enrolment.course_id == cohort.course_id
    with pytest.raises(services.CohortError) as twice:
        services.enrol(cohort, learner)
    assert twice.value.code == services.ALREADY_MEMBER


def test_a_full_cohort_refuses_one_more(cohort, world, make, db):
    cohort.capacity = 1
    services.enrol(cohort, world.people["learner@r1"])
    with pytest.raises(services.CohortError) as full:
        services.enrol(cohort, make.user(world.orgs["hub@r1"], ("learner",)))
    assert full.value.code == services.COHORT_FULL


def test_self_enrolment_with_the_key(cohort, world, db):
    cohort.enrolment_key = "ZHYT-2026"
    db.session.commit()
    with pytest.raises(services.CohortError):
        services.enrol_with_key(world.people["learner@r2"], "WRONG")
    member = services.enrol_with_key(world.people["learner@r2"], " ZHYT-2026 ")
    assert member.cohort_id == cohort.id and member.enrolled_by_id == world.people["learner@r2"].id


def test_withdrawal_keeps_progress_and_she_may_come_back(cohort, world, db):
    learner = world.people["learner@r1"]
    member = services.enrol(cohort, learner)
    complete_item(member.enrolment, cohort.course.items[0])
    services.withdraw(member)
    db.session.commit()
    assert member.status == MemberStatus.WITHDRAWN and member.withdrawn_at is not None
    again = services.enrol(cohort, learner)
    assert again.id == member.id and again.status == MemberStatus.ENROLLED
    assert again.enrolment.completed_item_ids == {cohort.course.items[0].id}


def test_transfer_to_another_cohort_of_the_course_keeps_progress(cohort, world, make_cohort, make_course, db):
    learner = world.people["learner@r1"]
    member = services.enrol(cohort, learner)
    first, second = cohort.course.items[:2]
    complete_item(member.enrolment, first)
    db.session.commit()
    target = make_cohort(cohort.course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]])
    there = services.transfer(member, target, world.people["trainer@r1"])
    complete_item(there.enrolment, second)
    db.session.commit()
    assert member.status == MemberStatus.WITHDRAWN and member.transferred_to_id == target.id
    assert there.cohort_id == target.id and there.enrolment_id == member.enrolment_id
    assert there.enrolment.completed_item_ids == {first.id, second.id}
    other_course = make_cohort(make_course("OTHER"), world.orgs["tc@r1"])
    with pytest.raises(services.CohortError) as refused:
        services.transfer(there, other_course)
    assert refused.value.code == services.OTHER_COURSE


def test_she_is_not_enrolled_in_two_open_cohorts_of_a_course(cohort, world, make_cohort, db):
    learner = world.people["learner@r1"]
    services.enrol(cohort, learner)
    other = make_cohort(cohort.course, world.orgs["tc@r1"])
    with pytest.raises(services.CohortError) as refused:
        services.enrol(other, learner)
    assert refused.value.code == services.IN_ANOTHER_COHORT


def test_inviting_a_new_person_creates_her_as_a_learner_and_enrols_her(cohort, world, db):
    member, token = services.invite(
        cohort,
        "nova@example.org",
        "Мар'яненко",
        "Ірина",
        "",
        world.orgs["hub@r1"],
        world.people["trainer@r1"],
    )
    db.session.commit()
    assert member.user.surname == "Мар'яненко" and member.user.has_role("learner")
    assert member.user.password_hash is None and token
    assert "/invitation/" in services.invitation_link(token)
    with pytest.raises(services.CohortError) as taken:
        services.invite(cohort, "NOVA@example.org", "Х", "Y", "", world.orgs["hub@r1"])
    assert taken.value.code == services.EMAIL_TAKEN


# --- CSV ---------------------------------------------------------------------------------------------


def test_csv_with_one_bad_row_enrols_nobody_and_names_the_row(cohort, world, db):
    data = (
        HEADER
        + "nova1@example.org,Коваль,Олена,Петрівна,HUB-18-001,,\n"
        + "learner.r1@example.org,,,,,,\n"
        + "nova2@example.org,Шевчук,Марія,,NO-SUCH,,\n"
    ).encode()
    plan, result = importer.enrol_from_csv(cohort, data, world.people["trainer@r1"])
    assert result is None
    assert [line for line, _ in plan.errors] == [4]
    assert "NO-SUCH" in plan.errors[0][1]
    db.session.rollback()
    assert services.members(cohort) == []
    assert db.session.scalar(select(User).where(User.email_casefold == "nova1@example.org")) is None


def test_csv_enrols_existing_people_creates_and_invites_new_ones_and_reports_the_already_enrolled(
    cohort, world, db
):
    services.enrol(cohort, world.people["learner@r1"])
    db.session.commit()
    group = _group_code(db)
    data = (
        "\ufeffemail;surname;given_name;patronymic;org_code;job;target_groups\r\n"
        "learner.r1@example.org;;;;;;\r\n"
        f"nova@example.org;Мар’яненко;Ірина;Олегівна;HUB-18-001;;{group}\r\n"
        "manager.r1@example.org;;;;;;\r\n"
    ).encode()
    plan, result = importer.enrol_from_csv(cohort, data, world.people["trainer@r1"])
    assert plan.errors == []
    db.session.commit()
    assert [p.email for p in result.already] == ["learner.r1@example.org"]
    assert [p.email for p in result.created] == ["nova@example.org"]
    assert sorted(m.user.email for m in result.enrolled) == ["manager.r1@example.org", "nova@example.org"]
    nova = result.created[0]
    assert nova.surname == "Мар’яненко" and nova.patronymic == "Олегівна" and nova.has_role("learner")
    assert [g.code for g in nova.target_groups] == [group]
    assert db.session.scalar(select(AccountToken).where(AccountToken.user_id == nova.id)) is not None
    assert len(services.members(cohort)) == 3  # nobody doubled


def test_csv_rows_are_checked_for_every_reason(cohort, world, make_cohort, db):
    other = make_cohort(cohort.course, world.orgs["tc@r1"], learners=[world.people["learner@r2"]])
    assert other
    data = (
        HEADER
        + "not-an-address,Коваль,Олена,,HUB-18-001,,\n"  # 2
        + "dup@example.org,Коваль,Олена,,HUB-18-001,,\n"  # 3
        + "DUP@example.org,Коваль,Олена,,HUB-18-001,,\n"  # 4: twice
        + "new@example.org,,Олена,,HUB-18-001,,\n"  # 5: no surname
        + "new2@example.org,Коваль,Олена,,,,\n"  # 6: no organisation
        + "new3@example.org,Коваль,Олена,,HUB-18-001,astronaut,\n"  # 7: unknown job
        + "new4@example.org,Коваль,Олена,,HUB-18-001,,nope|alsono\n"  # 8: unknown groups
        + "learner.r2@example.org,,,,,,\n"  # 9: in another open cohort, and outside the trainer's region
        + "new5@example.org,Коваль,Олена,,HUB-46-001,,\n"  # 10: outside the cohort's region
    ).encode()
    plan, result = importer.enrol_from_csv(cohort, data, world.people["trainer@r1"])
    assert result is None
    lines = sorted({line for line, _ in plan.errors})
    assert lines == [2, 4, 5, 6, 7, 8, 9, 10]


def test_csv_beyond_the_capacity_names_the_rows_too_many(cohort, world, db):
    cohort.capacity = 1
    db.session.commit()
    data = (HEADER + "a@example.org,А,Б,,HUB-18-001,,\nb@example.org,В,Г,,HUB-18-001,,\n").encode()
    plan, result = importer.enrol_from_csv(cohort, data)
    assert result is None and [line for line, _ in plan.errors] == [3]


# --- command line -------------------------------------------------------------------------------------


def test_cli_enrol_refuses_the_whole_file_naming_each_bad_row(cohort, runner, tmp_path, db):
    path = tmp_path / "learners.csv"
    path.write_text(HEADER + "ok@example.org,Коваль,Олена,,HUB-18-001,,\nbad,Коваль,Олена,,HUB-18-001,,\n")
    result = runner.invoke(args=["cohorts", "enrol", str(cohort.id), str(path)])
    assert result.exit_code != 0
    assert f"{path}:3:" in result.output and "Nothing was imported" in result.output
    assert db.session.scalars(select(CohortMember)).all() == []


def test_cli_enrol_then_show_as_json(cohort, runner, tmp_path, world, db):
    services.enrol(cohort, world.people["learner@r1"])
    db.session.commit()
    path = tmp_path / "learners.csv"
    path.write_text(HEADER + "ok@example.org,Коваль,Олена,,HUB-18-001,,\nlearner.r1@example.org,,,,,,\n")
    result = runner.invoke(args=["cohorts", "enrol", str(cohort.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "learner.r1@example.org" in result.output and "Invitation for ok@example.org" in result.output
    result = runner.invoke(args=["cohorts", "show", str(cohort.id), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {
        "id": cohort.id,
        "course": "DEH",
        "status": "running",
        "trainers": ["trainer.r1@example.org"],
        "learners": [
            {"email": data["learners"][0]["email"], "status": "enrolled"},
            {"email": data["learners"][1]["email"], "status": "enrolled"},
        ],
    }
    assert {learner["email"] for learner in data["learners"]} == {"ok@example.org", "learner.r1@example.org"}


def test_cli_show_an_unknown_cohort(runner, db):
    result = runner.invoke(args=["cohorts", "show", "999", "--format", "json"])
    assert result.exit_code != 0 and "999" in result.output


def test_dates_of_a_cohort_are_checked(world, make_course, db):
    course = make_course("PLAIN")
    details = services.CohortDetails(
        course=course,
        organisation=world.orgs["tc@r1"],
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 4, 1),
        trainers=[world.people["trainer@r1"]],
    )
    with pytest.raises(services.CohortError) as refused:
        services.create_cohort(details)
    assert refused.value.code == services.ENDS_BEFORE_START


def test_a_course_by_enrolment_only_is_opened_by_her_membership_and_closed_when_she_withdraws(
    cohort, world, make_cohort, client, login_as, db
):
    from lms.testing import post

    learner = world.people["learner@r1"]
    item = cohort.course.items[0]
    login_as(learner)
    assert client.get("/courses/DEH").status_code == 403
    member = services.enrol(cohort, learner)
    db.session.commit()
    assert client.get("/courses/DEH").status_code == 200
    assert client.get(f"/courses/DEH/items/{item.key}").status_code == 200
    assert "/courses/DEH" in client.get("/courses/").get_data(as_text=True)
    services.withdraw(member)
    db.session.commit()
    assert client.get("/courses/DEH").status_code == 403
    assert client.get(f"/courses/DEH/items/{item.key}").status_code == 403
    assert post(client, f"/courses/DEH/items/{item.key}/complete").status_code == 403
    assert "/courses/DEH" not in client.get("/courses/").get_data(as_text=True)
    # transferred elsewhere, she is in again, with the same progress
    other = make_cohort(cohort.course, world.orgs["tc@r1"])
    again = services.enrol(other, learner)
    db.session.commit()
    assert again.enrolment_id == member.enrolment_id
    assert client.get("/courses/DEH").status_code == 200
