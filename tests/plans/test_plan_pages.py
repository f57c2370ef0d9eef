"""Plan pages: who sees which plan and which actions, the forms, and the import's preview → confirm."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.orgs.models import Organisation
from lms.plans import services
from lms.plans.models import Indicator, Plan
from lms.testing import csrf_token, post
from tests.plans.conftest import csv_bytes, xlsx_bytes

EN = {"Accept-Language": "en"}


@pytest.fixture
def plan(world, db):
    """A plan of r1: action 1 is tc@r1's (trainer@r1 acts for it), action 2 another institution's."""
    other = Organisation(code="INST-1", kind="institution", parent=world.orgs["r1"])
    other.set_name({"uk": "Департамент освіти"})
    db.session.add(other)
    db.session.flush()
    other.path = f"{world.orgs['r1'].path}{other.id}/"
    plan = services.create_plan("P-R1", "План області", world.orgs["r1"], 2021, 2025)
    first = services.add_action(plan, "1", "Моніторинг сертифікатів", executors=[world.orgs["tc@r1"]])
    services.add_indicator(first, "Кількість отриманих сертифікатів", "computed", "certificates.all", {})
    services.add_action(plan, "2", "Інструкції для жителів", executors=[other])
    db.session.commit()
    return plan


def test_an_owner_sees_the_whole_plan_and_another_region_nothing(client, login_as, world, plan):
    login_as(world.people["manager@r1"])
    page = client.get(f"/plans/{plan.id}", headers=EN).get_data(as_text=True)
    assert "Моніторинг сертифікатів" in page and "Інструкції для жителів" in page
    assert "P-R1" in client.get("/plans/").get_data(as_text=True)

    post(client, "/logout")
    login_as(world.people["manager@r2"])
    assert client.get(f"/plans/{plan.id}").status_code == 403
    assert "P-R1" not in client.get("/plans/").get_data(as_text=True)


def test_an_executor_sees_only_her_own_tasks(client, login_as, world, plan):
    login_as(world.people["trainer@r1"])  # her grant is over tc@r1, the executor of action 1

    listing = client.get("/plans/", headers=EN).get_data(as_text=True)
    page = client.get(f"/plans/{plan.id}", headers=EN).get_data(as_text=True)

    assert "P-R1" in listing and "1 task of yours" in listing
    assert "Моніторинг сертифікатів" in page and "Інструкції для жителів" not in page
    assert "Add an action" not in page
    assert client.get(f"/plans/{plan.id}/edit").status_code == 403


def test_someone_with_no_plan_and_no_task_is_refused_the_list(client, login_as, world, plan):
    login_as(world.people["learner@r1"])
    assert client.get("/plans/").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 403


def test_a_manager_creates_a_plan_an_action_and_a_computed_indicator_with_targets(
    client, login_as, world, db
):
    login_as(world.people["manager@r1"])

    response = post(
        client,
        "/plans/new",
        {"code": "NEW-1", "title": "Новий план", "owner": "UA-18", "start_year": "2024", "end_year": "2025"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalar(select(Plan).where(Plan.code == "NEW-1"))
    response = post(
        client,
        f"/plans/{plan.id}/actions/new",
        {"number": "1", "name": "Навчання", "term": "2024-2025", "executors": [str(world.orgs["tc@r1"].id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    (action,) = plan.actions
    assert action.executors == [world.orgs["tc@r1"]]
    response = post(
        client,
        f"/plans/{plan.id}/actions/{action.id}/indicators/new",
        {
            "text": "Кількість сертифікатів",
            "kind": "computed",
            "registry_key": "certificates.all",
            "source": "all",
            "target_groups": ["civil_servants", "librarians"],
            "target_2024": "100",
            "target_2025": "1 200,5",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    indicator = db.session.scalar(select(Indicator).where(Indicator.action_id == action.id))
    assert indicator.registry_key == "certificates.all"
    assert indicator.filters == {
        "region": "owner",
        "source": "all",
        "target_groups": ["civil_servants", "librarians"],
    }
    assert indicator.targets == {"2024": 100.0, "2025": 1200.5}
    page = client.get(f"/plans/{plan.id}", headers=EN).get_data(as_text=True)
    assert "Kaskad" in page and "2025: 1,200.5" in page


def test_bad_forms_keep_what_was_typed_and_save_nothing(client, login_as, world, plan, db):
    login_as(world.people["manager@r1"])

    page = post(client, f"/plans/{plan.id}/actions/new", {"number": "1", "name": "Дубль"}, headers=EN)
    assert page.status_code == 200 and "already has an action with this number" in page.get_data(as_text=True)
    page = post(
        client,
        f"/plans/{plan.id}/actions/{plan.actions[0].id}/indicators/new",
        {"text": "Щось", "kind": "computed"},
        headers=EN,
    )
    assert "Choose what Kaskad counts." in page.get_data(as_text=True)
    page = post(
        client,
        "/plans/new",
        {"code": "X", "title": "T", "owner": "UA-18", "start_year": "2025", "end_year": "2021"},
        headers=EN,
    )
    assert "The last year is before the first." in page.get_data(as_text=True)
    assert len(plan.actions) == 2 and db.session.scalar(select(func.count()).select_from(Plan)) == 1


def test_a_manager_edits_and_deletes_an_action_and_an_indicator(client, login_as, world, plan, db):
    login_as(world.people["manager@r1"])
    first = plan.actions[0]
    indicator_id = first.indicators[0].id

    response = post(
        client, f"/plans/{plan.id}/actions/{first.id}/edit", {"number": "1.1", "name": "Нова назва"}
    )
    assert response.status_code == 302
    assert post(client, f"/plans/{plan.id}/indicators/{indicator_id}/delete").status_code == 302
    assert post(client, f"/plans/{plan.id}/actions/{plan.actions[1].id}/delete").status_code == 302

    db.session.expire_all()
    assert [(a.number, a.name, a.executors) for a in plan.actions] == [("1.1", "Нова назва", [])]
    assert db.session.get(Indicator, indicator_id) is None


def test_another_regions_manager_cannot_create_a_plan_for_r1(client, login_as, world, db):
    login_as(world.people["manager@r2"])
    response = post(
        client,
        "/plans/new",
        {"code": "NEW-2", "title": "T", "owner": "UA-18", "start_year": "2024", "end_year": "2025"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


# --- import through the browser -----------------------------------------------------------------------

FIELDS = {"code": "ZHY-T", "title": "План", "owner": "UA-18", "start_year": "", "end_year": ""}


@pytest.mark.parametrize(("form", "name"), [(csv_bytes, "plan.csv"), (xlsx_bytes, "plan.xlsx")])
def test_an_import_shows_a_preview_with_new_executors_then_creates_the_plan(
    client, login_as, world, db, form, name
):
    login_as(world.people["manager@r1"])
    data = form(
        [
            (
                "№",
                "Найменування заходу",
                "Відповідальні виконавці",
                "Термін виконання",
                "Індикатор виконання",
            ),
            ("1", "Моніторинг", "Відділ цифрового розвитку", "2021-2025", "Кількість отриманих сертифікатів"),
        ]
    )

    preview = client.post(
        "/plans/import",
        data={"csrf_token": csrf_token(client, "/plans/import"), **FIELDS, "file": (io.BytesIO(data), name)},
        headers=EN,
    )

    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check before importing" in page
    assert "Відділ цифрового розвитку" in page and "Counted by Kaskad" in page
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    token = page.split('name="token" value="')[1].split('"')[0]

    done = post(client, "/plans/import/confirm", {"token": token, **FIELDS})

    assert done.status_code == 302, done.get_data(as_text=True)
    plan = db.session.scalar(select(Plan).where(Plan.code == "ZHY-T"))
    assert (plan.start_year, plan.end_year) == (2021, 2025)
    assert plan.actions[0].executors[0].kind == "institution"
    assert post(client, "/plans/import/confirm", {"token": token, **FIELDS}).status_code == 302  # used up
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1


def test_an_import_with_bad_rows_names_them_and_offers_no_confirmation(client, login_as, world, db):
    login_as(world.people["manager@r1"])
    data = csv_bytes([("number", "action"), ("", "Без номера"), ("1", "")])

    page = client.post(
        "/plans/import",
        data={
            "csrf_token": csrf_token(client, "/plans/import"),
            **FIELDS,
            "file": (io.BytesIO(data), "plan.csv"),
        },
        headers=EN,
    ).get_data(as_text=True)

    assert "Nothing was imported: 2 problems" in page and "The action has no number" in page
    assert 'name="token"' not in page


def test_the_demo_plan_is_the_zhytomyr_plan_imported_once(app, world, db):
    from lms.plans.demo import CODE, load_demo

    world.orgs["r1"].code = "UA-18"  # the world's r1 is Zhytomyr's code already
    load_demo()
    load_demo()
    db.session.commit()

    plan = services.by_code(CODE)
    assert plan.owner.code == "UA-18" and len(plan.actions) == 8
    assert [a.number for a in plan.actions] == [str(n) for n in range(1, 9)]
    assert (
        plan.actions[0]
        .executors[0]
        .name["uk"]
        .startswith("Відділ цифрового розвитку, цифрових трансформацій")
    )
    computed = [i for a in plan.actions for i in a.indicators if i.is_computed]
    assert [(i.registry_key, len(i.filters["target_groups"])) for i in computed] == [("certificates.all", 4)]
    # Its executor's person acts for the department, a structural subdivision, by her home organisation.
    from lms.accounts.services import find_by_email
    from lms.plans.demo import EXECUTOR_EMAIL

    executor = find_by_email(EXECUTOR_EMAIL)
    assert executor.organisation is plan.actions[0].executors[0]
    assert executor.organisation.institution_type == "administration_unit"
    assert services.has_tasks(executor, plan) and not plan.rounds  # the journey opens the round


def test_the_header_links_the_plans_for_whoever_acts_for_an_executor_read_with_her(
    app, client, login_as, world, plan, make, db
):
    """Whether a person has tasks is read with her (no query of its own), for her grants'
    organisations and her home organisation alike, and agrees with the query it replaces."""
    from lms.accounts.views import load_user
    from lms.permissions import forget_permissions

    at_home = make.user(world.orgs["tc@r1"], ("learner",), email="staff.tc1@example.org")
    make.commit()
    expected = {"trainer@r1": True, "learner@r2": False, "at home": True}
    people = {"trainer@r1": world.people["trainer@r1"], "learner@r2": world.people["learner@r2"]}
    people["at home"] = at_home
    for name, person in people.items():
        with app.test_request_context("/"):
            loaded = load_user(str(person.id))
            assert services.has_tasks(loaded) is expected[name], name
            forget_permissions()  # the same question by its own query
            assert services.has_tasks(loaded) is expected[name], name
        login_as(person)
        header = client.get("/", headers=EN).get_data(as_text=True).split("</header>")[0]
        assert ('href="/plans/"' in header) is expected[name], name
        post(client, "/logout")
