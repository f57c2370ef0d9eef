"""The cohort pages: lists with filters, opening a cohort (refused without the licence), enrolment by
CSV all or nothing, withdrawal, transfer, the key, licences given by hand, flagged cohorts."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from courses.cohorts import licences, services
from courses.cohorts.models import Cohort, CohortMember, LicenceGrant, MemberStatus
from lms.testing import post

HEADER = "email,surname,given_name,patronymic,org_code,job,target_groups\n"


@pytest.fixture
def cascade(world, make_course, make, db):
    tot, deh = make_course("TOT"), make_course("DEH", is_open=False)
    tot.qualifies_for.append(deh)
    make.commit()
    return {"tot": tot, "deh": deh}


def _form(course, **fields):
    data = {
        "course": str(course.id),
        "organisation": "TC-18",
        "title": "Житомир, весна 2026",
        "starts_on": "02.03.2026",
        "ends_on": "2026-04-30",
        "mode": "blended",
        "capacity": "20",
        "trainers": "trainer.r1@example.org",
        "timezone": "Europe/Kyiv",
    }
    return {**data, **fields}


def test_a_trainer_without_the_licence_cannot_open_a_cohort_on_the_web(cascade, client, login_as, world, db):
    login_as(world.people["trainer@r1"])
    response = post(client, "/cohorts/new", _form(cascade["deh"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "не має ліцензії" in page or "немає ліцензії" in page
    assert "Житомир, весна 2026" in page  # what was typed is kept
    assert db.session.scalars(select(Cohort)).all() == []


def test_a_licensed_trainer_opens_a_cohort(cascade, client, login_as, world, db):
    licences.grant_licence(world.people["trainer@r1"], cascade["deh"], "Досвід")
    db.session.commit()
    login_as(world.people["trainer@r1"])
    response = post(client, "/cohorts/new", _form(cascade["deh"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    cohort = db.session.scalars(select(Cohort)).one()
    assert response.location.endswith(f"/cohorts/{cohort.id}")
    assert (cohort.starts_on, cohort.ends_on, cohort.capacity) == (date(2026, 3, 2), date(2026, 4, 30), 20)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Ліцензію надано вручну" in page and "Досвід" in page  # the override is shown as such


def test_a_trainer_opens_cohorts_only_in_her_scope(cascade, client, login_as, world, db):
    login_as(world.people["trainer@r1"])
    response = post(client, "/cohorts/new", _form(cascade["tot"], organisation="TC-46"))
    assert response.status_code == 200 and "повноважень" in response.get_data(as_text=True)
    assert db.session.scalars(select(Cohort)).all() == []


def test_unknown_trainer_addresses_are_named(cascade, client, login_as, world, db):
    login_as(world.people["admin@root"])
    response = post(
        client, "/cohorts/new", _form(cascade["tot"], trainers="trainer.r1@example.org\nghost@example.org")
    )
    assert response.status_code == 200 and "ghost@example.org" in response.get_data(as_text=True)


def test_lists_my_cohorts_for_a_trainer_and_the_scope_for_a_manager_with_filters(
    cascade, client, login_as, world, make_cohort, db
):
    trainer = world.people["trainer@r1"]
    spring = make_cohort(
        cascade["tot"], world.orgs["tc@r1"], trainers=[trainer], title="Весна", starts_on=date(2026, 3, 2)
    )
    make_cohort(cascade["tot"], world.orgs["tc@r2"], trainers=[world.people["trainer@r2"]], title="Осінь-2")
    make_cohort(
        cascade["tot"], world.orgs["tc@r1"], title="Зима", starts_on=date(2025, 1, 10), status="closed"
    )
    login_as(trainer)
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "Весна" in page and "Осінь-2" not in page and "Зима" not in page
    post(client, "/logout")
    login_as(world.people["manager@r1"])
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "Весна" in page and "Зима" in page and "Осінь-2" not in page
    page = client.get("/cohorts/?status=closed").get_data(as_text=True)
    assert "Зима" in page and "Весна" not in page
    page = client.get("/cohorts/?since=2026-01-01&until=2026-12-31").get_data(as_text=True)
    assert "Весна" in page and "Зима" not in page
    page = client.get("/cohorts/?until=not-a-date").get_data(as_text=True)
    assert "2026-03-02" in page  # the hint of how to write a date
    post(client, "/logout")
    login_as(world.people["admin@root"])
    page = client.get("/cohorts/?region=UA-46").get_data(as_text=True)
    assert "Осінь-2" in page and "Весна" not in page
    assert spring


def test_the_list_is_paginated(cascade, app, client, login_as, world, make_cohort, db):
    app.config["LMS_PAGE_SIZE"] = 2
    try:
        for number in range(3):
            make_cohort(cascade["tot"], world.orgs["tc@r1"], title=f"Когорта {number}")
        login_as(world.people["admin@root"])
        first = client.get("/cohorts/").get_data(as_text=True)
        assert first.count("Когорта") == 2 and "page=2" in first
        assert client.get("/cohorts/?page=2").get_data(as_text=True).count("Когорта") == 1
    finally:
        app.config["LMS_PAGE_SIZE"] = 50


def test_csv_upload_with_a_bad_row_is_rejected_whole_then_the_fixed_file_enrols(
    cascade, client, login_as, world, make_cohort, db
):
    cohort = make_cohort(cascade["tot"], world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]])
    login_as(world.people["trainer@r1"])
    bad = HEADER + "nova@example.org,Коваль,Олена,,HUB-18-001,,\nbroken-address,Шевчук,Марія,,HUB-18-001,,\n"
    response = post(
        client, f"/cohorts/{cohort.id}/import", {"file": (io.BytesIO(bad.encode()), "learners.csv")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "broken-address" in page and "<td>3</td>" in page
    assert services.members(cohort) == []
    good = bad.replace("broken-address", "maria@example.org")
    response = post(
        client, f"/cohorts/{cohort.id}/import", {"file": (io.BytesIO(good.encode()), "learners.csv")}
    )
    page = response.get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    response = post(client, f"/cohorts/{cohort.id}/import/confirm", {"token": token})
    assert response.status_code == 200  # no e-mail here: the invitation links are shown
    assert "/invitation/" in response.get_data(as_text=True)
    assert sorted(m.user.email for m in services.members(cohort)) == ["maria@example.org", "nova@example.org"]
    again = post(client, f"/cohorts/{cohort.id}/import/confirm", {"token": token})
    assert again.status_code == 302  # the upload was used up


def test_enrol_an_existing_person_and_invite_a_new_one(cascade, client, login_as, world, make_cohort, db):
    cohort = make_cohort(cascade["tot"], world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]])
    login_as(world.people["trainer@r1"])
    assert client.get(f"/cohorts/{cohort.id}/enrol").status_code == 200
    response = post(client, f"/cohorts/{cohort.id}/enrol", {"email": "learner.r1@example.org"})
    assert response.status_code == 302
    response = post(client, f"/cohorts/{cohort.id}/enrol", {"email": "learner.r1@example.org"})
    assert "вже слухач цієї групи" in response.get_data(as_text=True)
    response = post(
        client,
        f"/cohorts/{cohort.id}/invite",
        {
            "invite_email": "nova@example.org",
            "surname": "Мар'яненко",
            "given_name": "Ірина",
            "organisation": "HUB-18-001",
        },
    )
    assert response.status_code == 200 and "/invitation/" in response.get_data(as_text=True)
    assert {m.user.email for m in services.members(cohort)} == {"learner.r1@example.org", "nova@example.org"}


def test_withdraw_and_transfer_from_the_cohort_page(cascade, client, login_as, world, make_cohort, db):
    trainer, learner = world.people["trainer@r1"], world.people["learner@r1"]
    cohort = make_cohort(
        cascade["tot"],
        world.orgs["tc@r1"],
        trainers=[trainer],
        learners=[learner, world.people["manager@r1"]],
    )
    target = make_cohort(cascade["tot"], world.orgs["tc@r1"], trainers=[trainer], title="Друга")
    first, second = sorted(cohort.members, key=lambda m: m.user.email)
    login_as(trainer)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert learner.full_name in page and f"/members/{first.id}/transfer" in page
    response = post(client, f"/cohorts/{cohort.id}/members/{first.id}/transfer", {"target": str(target.id)})
    assert response.status_code == 302
    response = post(client, f"/cohorts/{cohort.id}/members/{second.id}/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    assert {m.status for m in cohort.members} == {MemberStatus.WITHDRAWN.value}
    moved = db.session.scalar(select(CohortMember).where(CohortMember.cohort_id == target.id))
    assert moved.user_id == first.user_id and moved.enrolment_id == first.enrolment_id


def test_self_enrolment_with_a_key(cascade, client, login_as, world, make_cohort, db):
    cohort = make_cohort(cascade["tot"], world.orgs["tc@r1"], enrolment_key="KEY-2026")
    login_as(world.people["learner@r2"])
    response = post(client, "/cohorts/join", {"key": "NOPE"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    response = post(client, "/cohorts/join", {"key": "KEY-2026"})
    assert response.status_code == 302
    assert services.member_of(cohort, world.people["learner@r2"]) is not None


def test_an_admin_gives_and_ends_a_licence_and_the_manager_sees_the_flag(
    cascade, client, login_as, world, db
):
    login_as(world.people["admin@r1"])
    response = post(
        client,
        "/cohorts/licences",
        {"email": "trainer.r1@example.org", "course": str(cascade["deh"].id), "reason": ""},
    )
    assert response.status_code == 200 and db.session.scalars(select(LicenceGrant)).all() == []
    response = post(
        client,
        "/cohorts/licences",
        {"email": "trainer.r1@example.org", "course": str(cascade["deh"].id), "reason": "Навчена у 2023 р."},
    )
    assert response.status_code == 302
    page = client.get("/cohorts/licences").get_data(as_text=True)
    assert "Навчена у 2023 р." in page
    grant = db.session.scalars(select(LicenceGrant)).one()
    cohort = services.create_cohort(
        services.CohortDetails(
            course=cascade["deh"],
            organisation=world.orgs["tc@r1"],
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 4, 30),
            trainers=[world.people["trainer@r1"]],
            title="Позначена",
        )
    )
    db.session.commit()
    response = post(client, f"/cohorts/licences/{grant.id}/revoke", {"reason": "Помилка в даних"})
    assert response.status_code == 302
    post(client, "/logout")
    login_as(world.people["manager@r1"])
    page = client.get("/cohorts/").get_data(as_text=True)
    assert 'id="flagged"' in page and "Позначена" in page
    home = client.get("/").get_data(as_text=True)  # the manager's home page lists it too
    assert "Групи, тренер яких не має ліцензії" in home and f"/cohorts/{cohort.id}" in home


def test_an_admin_of_another_region_cannot_give_a_licence_to_someone_outside_her_scope(
    cascade, client, login_as, world, db
):
    login_as(world.people["admin@r2"])
    response = post(
        client,
        "/cohorts/licences",
        {"email": "trainer.r1@example.org", "course": str(cascade["deh"].id), "reason": "Чому б ні"},
    )
    assert response.status_code == 200 and db.session.scalars(select(LicenceGrant)).all() == []
