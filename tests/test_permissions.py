"""The permission rules: ``can()`` and ``scope()``, and the list pages that filter by scope."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import delete, select

from lms.accounts import services as accounts
from lms.accounts.models import RoleGrant, User
from lms.audit.models import AuditEntry
from lms.orgs import services as orgs
from lms.orgs.models import Organisation
from lms.permissions import GLOBAL, ROLE_ACTIONS, can, scope
from lms.testing import login, post

PAGE_SIZE = 3
ADMIN_ACTIONS = sorted(ROLE_ACTIONS["admin"])


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_PAGE_SIZE": PAGE_SIZE}


# --- grants cover their subtree only ---------------------------------------------------------------


def test_a_grant_covers_its_organisation_and_everything_below_it(world, make):
    manager = world.people["manager@r1"]
    later_hub = make.org("hub", world.orgs["tc@r1"], code="HUB-18-900")
    make.commit()

    for key in ("r1", "tc@r1", "hub@r1"):
        assert can(manager, "org.view", world.orgs[key]), key
    assert can(manager, "org.view", later_hub)
    assert can(manager, "user.view", world.people["learner@r1"])
    assert can(manager, "user.view", world.people["trainer@r1"])


def test_a_grant_covers_nothing_above_or_beside_it(world):
    manager, trainer, admin = (world.people[f"{role}@r1"] for role in ("manager", "trainer", "admin"))

    for key in ("root", "r2", "tc@r2", "hub@r2"):
        assert not can(manager, "org.view", world.orgs[key]), key
    assert not can(manager, "user.view", world.people["learner@r2"])
    assert not can(manager, "user.view", world.people["admin@root"])
    assert not can(admin, "user.edit", world.people["admin@r2"])
    # a trainer's grant is over the training centre: not its region, not the hub beside it
    assert can(trainer, "org.view", world.orgs["tc@r1"])
    assert not can(trainer, "org.view", world.orgs["r1"])
    assert not can(trainer, "org.view", world.orgs["hub@r1"])
    assert not can(trainer, "user.view", world.people["learner@r1"])


def test_a_subtree_is_not_mistaken_for_another_whose_path_starts_alike(world, make, db):
    """Paths are "/1/2/": region 2's subtree must not take in region 23."""
    r1 = world.orgs["r1"]
    lookalike = None
    for _ in range(200):
        region = make.org("region", world.orgs["root"])
        if str(region.id).startswith(str(r1.id)):
            lookalike = region
            break
    assert lookalike is not None
    hub = make.org("hub", lookalike)
    make.commit()
    manager = world.people["manager@r1"]

    assert not can(manager, "org.view", lookalike)
    assert not can(manager, "org.view", hub)
    visible = set(db.session.scalars(orgs.scoped(scope(manager, "org.view"))))
    assert visible == {world.orgs["r1"], world.orgs["tc@r1"], world.orgs["hub@r1"]}


def test_each_role_allows_only_its_own_actions(world):
    region, tc, hub = world.orgs["r1"], world.orgs["tc@r1"], world.orgs["hub@r1"]
    admin, manager, trainer, learner = (
        world.people[f"{role}@r1"] for role in ("admin", "manager", "trainer", "learner")
    )

    for action in ADMIN_ACTIONS:
        assert can(admin, action, hub), action
    # A manager sees; in monitoring she also records external certificates and freezes reports, and
    # she keeps her region's action plans.
    assert {action for action in ADMIN_ACTIONS if can(manager, action, hub)} == {
        "org.view",
        "user.view",
        "monitoring.view",
        "monitoring.record",
        "monitoring.freeze",
        "plans.view",
        "plans.edit",
    }
    assert {action for action in ADMIN_ACTIONS if can(trainer, action, tc)} == {
        "org.view",
        "user.view",
        "user.invite",
    }
    assert not any(can(learner, action, target) for action in ADMIN_ACTIONS for target in (region, hub, None))


def test_people_may_view_their_own_account_and_nothing_more(world):
    learner = world.people["learner@r1"]

    assert can(learner, "user.view", learner)
    assert not can(learner, "user.edit", learner)
    assert not can(learner, "user.erase", learner)
    assert not can(learner, "user.view", world.people["learner@r2"])
    assert not can(world.people["learner@r2"], "user.view", learner)


def test_action_anywhere_asks_whether_the_user_may_do_it_somewhere(world):
    assert can(world.people["trainer@r2"], "user.invite")
    assert not can(world.people["manager@r2"], "user.invite")
    assert can(world.people["admin@r2"], "org.edit")
    assert not can(world.people["learner@r2"], "org.view")


def test_things_of_no_organisation_need_a_national_grant(world):
    assert can(world.people["admin@root"], "targetgroup.edit", GLOBAL)
    assert not can(world.people["admin@r1"], "targetgroup.edit", GLOBAL)
    assert not can(world.people["manager@r1"], "targetgroup.edit", GLOBAL)


def test_several_grants_add_up_and_nested_ones_merge(world, db):
    trainer = world.people["trainer@r1"]
    accounts.grant_role(trainer, "manager", world.orgs["r2"])
    admin = world.people["admin@r1"]
    accounts.grant_role(admin, "admin", world.orgs["hub@r1"])
    db.session.commit()

    assert can(trainer, "org.view", world.orgs["hub@r2"])
    assert can(trainer, "user.invite", world.orgs["tc@r1"])
    assert not can(trainer, "user.invite", world.orgs["tc@r2"])  # managers do not invite
    assert not can(trainer, "org.view", world.orgs["hub@r1"])
    assert scope(trainer, "org.view").paths == tuple(
        sorted((world.orgs["tc@r1"].path, world.orgs["r2"].path))
    )
    assert scope(admin, "org.edit").paths == (world.orgs["r1"].path,)


def test_an_unknown_kind_of_target_is_a_programming_error(world):
    with pytest.raises(TypeError):
        can(world.people["admin@root"], "org.view", "UA-18")


# --- the national admin ------------------------------------------------------------------------------


def test_a_national_admin_covers_everything_including_people_without_an_organisation(world, make, db):
    national = world.people["admin@root"]
    nobody = make.user(None, surname="Безорганізаційна")
    make.commit()

    for action in ADMIN_ACTIONS:
        assert scope(national, action).is_everything, action
        assert can(national, action, nobody), action
        for organisation in world.orgs.values():
            assert can(national, action, organisation), (action, organisation.code)
    assert nobody in db.session.scalars(accounts.scoped_people(scope(national, "user.view"))).all()
    # a regional admin does not reach people who belong to no organisation
    assert not can(world.people["admin@r1"], "user.view", nobody)
    assert nobody not in db.session.scalars(
        accounts.scoped_people(scope(world.people["admin@r1"], "user.view"))
    )


def test_a_grant_at_one_root_does_not_cover_another_root(world, make, db):
    association = make.org("national", None, code="ULA", name="Українська бібліотечна асоціація")
    member = make.org("hub", make.org("region", association, code="ULA-18"), code="HUB-ULA-1")
    nobody = make.user(None)
    both = make.user(world.orgs["root"], ("admin",))
    accounts.grant_role(both, "admin", association)
    make.commit()
    national = world.people["admin@root"]

    assert not scope(national, "user.view").is_everything
    assert not can(national, "org.view", association)
    assert not can(national, "org.view", member)
    assert not can(national, "user.view", nobody)
    assert not can(national, "targetgroup.edit", GLOBAL)
    assert scope(both, "user.view").is_everything
    assert can(both, "org.edit", member)
    assert can(both, "user.edit", nobody)
    assert can(both, "targetgroup.edit", GLOBAL)


# --- moving organisations -----------------------------------------------------------------------------


def test_moving_an_organisation_moves_who_may_see_it(world, db, client):
    hub, learner = world.orgs["hub@r1"], world.people["learner@r1"]
    manager1, manager2 = world.people["manager@r1"], world.people["manager@r2"]
    assert can(manager1, "org.view", hub) and not can(manager2, "org.view", hub)

    orgs.move_organisation(hub, world.orgs["r2"])
    db.session.commit()

    assert not can(manager1, "org.view", hub)
    assert not can(manager1, "user.view", learner)
    assert can(manager2, "org.view", hub)
    assert can(manager2, "user.view", learner)
    assert hub not in db.session.scalars(orgs.scoped(scope(manager1, "org.view"))).all()
    assert hub in db.session.scalars(orgs.scoped(scope(manager2, "org.view"))).all()
    assert learner in db.session.scalars(accounts.scoped_people(scope(manager2, "user.view"))).all()
    login(client, manager1)
    assert client.get(f"/orgs/{hub.id}").status_code == 403
    assert client.get(f"/people/{learner.id}").status_code == 403


def test_a_grant_moves_with_its_organisation(world, make, db):
    tc, trainer = world.orgs["tc@r1"], world.people["trainer@r1"]
    hub_of_tc = make.org("hub", tc, code="HUB-18-TC")
    make.commit()
    manager1, manager2 = world.people["manager@r1"], world.people["manager@r2"]
    assert can(trainer, "org.view", hub_of_tc) and can(manager1, "org.view", hub_of_tc)

    orgs.move_organisation(tc, world.orgs["r2"])
    db.session.commit()

    assert hub_of_tc.path.startswith(world.orgs["r2"].path)
    assert can(trainer, "org.view", tc)
    assert can(trainer, "org.view", hub_of_tc)
    assert can(trainer, "user.invite", hub_of_tc)
    assert not can(trainer, "org.view", world.orgs["hub@r2"])
    assert not can(manager1, "org.view", hub_of_tc)
    assert not can(manager1, "user.view", trainer)
    assert can(manager2, "org.view", hub_of_tc)
    assert can(manager2, "user.view", trainer)


# --- deactivated and anonymous users -------------------------------------------------------------------


def test_a_deactivated_user_can_do_nothing(world, db):
    national = world.people["admin@root"]
    accounts.deactivate(national)
    db.session.commit()

    for action in ADMIN_ACTIONS:
        assert scope(national, action).paths == ()
        assert not scope(national, action).is_everything
        assert not can(national, action)
        assert not can(national, action, GLOBAL)
        assert not can(national, action, world.orgs["hub@r1"])
    assert not can(national, "user.view", national)


def test_a_deactivated_users_open_session_stops_working(world, client, db):
    admin, learner = world.people["admin@r1"], world.people["learner@r1"]
    login(client, admin)
    assert client.get("/orgs/").status_code == 200

    accounts.deactivate(admin)
    db.session.commit()

    response = client.get("/orgs/")
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert post(client, f"/people/{learner.id}/deactivate").status_code == 401
    db.session.expire_all()
    assert learner.is_active_account


def test_visitors_who_are_not_logged_in_can_do_nothing(world):
    visitor = AnonymousUserMixin()
    for action in ADMIN_ACTIONS:
        assert scope(visitor, action).paths == ()
        assert not can(visitor, action)
        assert not can(visitor, action, world.orgs["root"])


# --- list pages filter by scope in the query and paginate ------------------------------------------------


@pytest.fixture
def crowd(world, make):
    """Seven more hubs in each region, each with a person, and one person of no organisation."""
    added = {"r1": [], "r2": []}
    for key, code in (("r1", "18"), ("r2", "46")):
        for number in range(7):
            hub = make.org("hub", world.orgs[key], code=f"HUB-{code}-1{number:02d}")
            person = make.user(hub, ("learner",), email=f"hub{number}.{key}@example.org")
            added[key] += [hub, person]
    added["nobody"] = [make.user(None, email="nobody@example.org")]
    make.commit()
    return added


def _pages(client, path):
    """The HTML of every page of a paginated list, following its "next" links."""
    pages, url = [], path
    while url:
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        pages.append(html)
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = unescape(following[1]) if following else None
        assert len(pages) < 30
    return pages


def _ids(html, prefix):
    return [int(number) for number in re.findall(rf'href="/{prefix}/(\d+)"', html)]


def _in_region(world, crowd, key, kind):
    people = [world.people[f"{role}@{key}"] for role in ("admin", "manager", "trainer", "learner")]
    organisations = [world.orgs[key], world.orgs[f"tc@{key}"], world.orgs[f"hub@{key}"]]
    extra = [thing for thing in crowd[key] if isinstance(thing, kind)]
    return {thing.id for thing in (people if kind is User else organisations) + extra}


def test_the_organisations_list_shows_only_the_scope_on_every_page(world, crowd, client):
    login(client, world.people["manager@r1"])
    pages = _pages(client, "/orgs/")

    expected = _in_region(world, crowd, "r1", Organisation)  # 10: 4 pages of 3
    seen = [_ids(html, "orgs") for html in pages]
    assert len(pages) == 4
    # filtered in the query: every page but the last is full
    assert [len(ids) for ids in seen] == [3, 3, 3, 1]
    assert {i for ids in seen for i in ids} == expected
    assert not {i for ids in seen for i in ids} & _in_region(world, crowd, "r2", Organisation)
    assert "10 organisations" in pages[0]


def test_the_organisations_list_of_another_region_never_shows_the_first(world, crowd, client):
    login(client, world.people["manager@r2"])
    seen = {i for html in _pages(client, "/orgs/") for i in _ids(html, "orgs")}
    assert seen == _in_region(world, crowd, "r2", Organisation)
    # searching does not widen the scope
    assert _ids(client.get("/orgs/?q=HUB-18").get_data(as_text=True), "orgs") == []


def test_the_people_list_shows_only_the_scope_on_every_page(world, crowd, client):
    login(client, world.people["manager@r1"])
    pages = _pages(client, "/people")

    expected = _in_region(world, crowd, "r1", User)  # 11: 4 pages of 3
    seen = [_ids(html, "people") for html in pages]
    assert [len(ids) for ids in seen] == [3, 3, 3, 2]
    assert {i for ids in seen for i in ids} == expected
    assert world.people["admin@root"].id not in expected
    assert crowd["nobody"][0].id not in expected
    assert "11 people" in pages[0]
    # searching does not widen the scope
    assert _ids(client.get("/people?q=r2").get_data(as_text=True), "people") == []


def test_a_national_admin_lists_everyone_including_people_of_no_organisation(world, crowd, client, db):
    login(client, world.people["admin@root"])
    seen = {i for html in _pages(client, "/people") for i in _ids(html, "people")}
    assert seen == set(db.session.scalars(select(User.id)))
    assert crowd["nobody"][0].id in seen


def test_a_page_past_the_end_is_empty_not_an_error(world, crowd, client):
    login(client, world.people["manager@r1"])
    response = client.get("/orgs/?page=99")
    assert response.status_code == 200
    assert _ids(response.get_data(as_text=True), "orgs") == []


def test_the_audit_log_shows_only_the_scope_on_every_page(world, crowd, client, db):
    r1_path = world.orgs["r1"].path
    login(client, world.people["admin@r1"])
    pages = _pages(client, "/audit/")

    in_scope = db.session.scalar(
        select(db.func.count()).select_from(AuditEntry).where(AuditEntry.scope_path.startswith(r1_path))
    )
    rows = [html.count("<tr><td>") for html in pages]
    assert in_scope > 2 * PAGE_SIZE
    assert sum(rows) == in_scope
    assert all(count == PAGE_SIZE for count in rows[:-1])
    people = {i for html in pages for i in _ids(html, "people")}
    organisations = {i for html in pages for i in _ids(html, "orgs")}
    assert people <= _in_region(world, crowd, "r1", User)
    assert organisations <= _in_region(world, crowd, "r1", Organisation)
    assert world.people["learner@r2"].id not in people
    assert world.orgs["hub@r2"].id not in organisations


def test_a_person_is_loaded_with_her_grants_and_a_page_asks_for_them_no_more(app, world, db):
    from lms.accounts.views import load_user
    from lms.testing import statements

    trainer = world.people["trainer@r1"]
    accounts.grant_role(trainer, "manager", world.orgs["r2"])
    db.session.commit()
    paths = {key: world.orgs[key].path for key in ("tc@r1", "hub@r2", "r2")}  # read before counting
    trainer_id = trainer.id
    with app.test_request_context("/"), statements(app) as ran:
        loaded = load_user(str(trainer_id))
        assert loaded is not None and loaded.id == trainer_id
        assert can(loaded, "user.invite", world.orgs["tc@r1"])
        assert can(loaded, "org.view", world.orgs["hub@r2"])
        assert not can(loaded, "org.edit")
        assert scope(loaded, "org.view").paths == tuple(sorted((paths["tc@r1"], paths["r2"])))
    assert len(ran) == 2, ran  # her row with her grants, and the roots of the tree (is it everything?)

    learner_id = world.people["learner@r1"].id
    db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == learner_id))
    db.session.commit()
    with app.test_request_context("/"), statements(app) as ran:
        loaded = load_user(str(learner_id))
        assert loaded is not None and not can(loaded, "org.view") and not can(loaded, "user.view")
    assert len(ran) == 1, ran
    with app.test_request_context("/"):
        assert load_user("999999") is None and load_user("not-a-number") is None
