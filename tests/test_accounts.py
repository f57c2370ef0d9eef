"""Accounts: logging in and out, passwords, people administration, Ukrainian sorting, target groups."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import RoleGrant, TargetGroup, User
from lms.audit.models import AuditEntry
from lms.i18n import casefold_email, sort_key
from lms.permissions import Scope
from lms.testing import TEST_PASSWORD, audit_actions, login, post

NEW_PASSWORD = "a much longer new passphrase"
EVERYWHERE = Scope((), is_everything=True)


def text(response) -> str:
    return response.get_data(as_text=True)


def is_logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def fresh(db, model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


# --- logging in and out ------------------------------------------------------------------------------


def test_a_person_logs_in_and_out_through_the_forms(client, world):
    person = world.people["trainer@r1"]
    assert client.get("/login").status_code == 200
    assert not is_logged_in(client)

    response = post(client, "/login", {"email": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)

    response = post(client, "/logout")
    assert response.status_code == 302
    assert not is_logged_in(client)
    assert client.get("/profile").headers["Location"].startswith("/login")


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, world):
    person = world.people["admin@r1"]
    response = post(client, "/login?next=/people", {"email": person.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/people"
    post(client, "/logout")
    response = post(
        client, "/login?next=//evil.example/x", {"email": person.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_a_wrong_password_shows_an_error_and_keeps_the_email_typed(client, world):
    person = world.people["trainer@r1"]
    response = post(
        client,
        "/login",
        {"email": person.email, "password": "not the password"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "The e-mail or password is not right." in page
    assert f'value="{person.email}"' in page
    assert "not the password" not in page
    assert not is_logged_in(client)


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client, world):
    known = post(client, "/login", {"email": world.people["trainer@r1"].email, "password": "nope nope"})
    unknown = post(client, "/login", {"email": "nobody@example.org", "password": "nope nope"})
    assert known.status_code == unknown.status_code == 200
    assert 'class="field-error"' in text(known) and 'class="field-error"' in text(unknown)


def test_a_deactivated_person_cannot_log_in(client, db, world):
    person = world.people["learner@r1"]
    services.deactivate(person)
    db.session.commit()
    response = post(client, "/login", {"email": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert not is_logged_in(client)


def test_an_erased_person_cannot_log_in(client, db, world):
    person = world.people["learner@r1"]
    email = person.email
    services.erase(person)
    db.session.commit()
    for address in (email, person.email):
        response = post(client, "/login", {"email": address, "password": TEST_PASSWORD})
        assert response.status_code == 200
    assert not is_logged_in(client)


def test_a_person_deactivated_while_logged_in_is_logged_out(client, db, world, login_as):
    person = world.people["manager@r1"]
    login_as(person)
    assert is_logged_in(client)
    services.deactivate(fresh(db, User, person.id))
    db.session.commit()
    assert not is_logged_in(client)


def test_email_matching_is_case_insensitive_also_for_cyrillic_letters(client, db, world, make):
    person = make.user(world.orgs["hub@r1"], ("learner",), email="Олена@приклад.укр")
    make.commit()
    assert person.email == "Олена@приклад.укр"  # kept as typed
    assert person.email_casefold == "олена@приклад.укр"
    assert casefold_email("олена@ПРИКЛАД.укр") == person.email_casefold
    assert services.find_by_email("ОЛЕНА@Приклад.УКР").id == person.id

    response = post(client, "/login", {"email": "олена@ПРИКЛАД.укр", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_second_account_with_the_same_address_in_other_case_is_refused(client, db, world, make, login_as):
    make.user(world.orgs["hub@r1"], ("learner",), email="Олена@приклад.укр")
    make.commit()
    login_as(world.people["admin@r1"])
    response = post(
        client,
        "/people/new",
        {
            "email": "олена@ПРИКЛАД.укр",
            "surname": "Коваль",
            "given_name": "Олена",
            "organisation": "HUB-18-001",
        },
    )
    assert response.status_code == 200
    assert 'id="email-error"' in text(response)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.surname == "Коваль")) is None


def test_logging_in_sets_no_remember_me_cookie(client, world):
    response = post(client, "/login", {"email": world.people["trainer@r1"].email, "password": TEST_PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(cookie.startswith("session=") for cookie in cookies)
    # Flask-Login may send a deletion of an old remember cookie, never a cookie with a value.
    remembered = [cookie for cookie in cookies if cookie.startswith("remember_token=")]
    assert all(cookie.startswith("remember_token=;") and "Max-Age=0" in cookie for cookie in remembered)
    assert client.get_cookie("remember_token") is None
    assert is_logged_in(client)
    assert client.get_cookie("remember_token") is None


# --- changing one's password -------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(client, db, world, login_as):
    person = world.people["trainer@r1"]
    old_hash = person.password_hash
    login_as(person)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post(
        client,
        "/password",
        {"current_password": "a wrong current one", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "The current password is not right." in text(response)
    assert NEW_PASSWORD not in text(response)
    assert fresh(db, User, person.id).password_hash == old_hash


def test_a_new_password_must_be_long_enough_and_typed_twice_alike(client, db, world, login_as):
    person = world.people["trainer@r1"]
    old_hash = person.password_hash
    login_as(person)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post(
        client, "/password", {"current_password": TEST_PASSWORD, "password": "short", "confirm": "short"}
    )
    assert response.status_code == 200
    assert "Use at least 10 characters." in text(response)
    response = post(
        client,
        "/password",
        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
    )
    assert response.status_code == 200
    assert "The two passwords differ." in text(response)
    assert fresh(db, User, person.id).password_hash == old_hash


def test_a_changed_password_replaces_the_old_one(client, db, app, world, login_as):
    person = world.people["trainer@r1"]
    login_as(person)
    response = post(
        client,
        "/password",
        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    assert "user.password-changed" in audit_actions(person)

    other = app.test_client()
    assert post(other, "/login", {"email": person.email, "password": TEST_PASSWORD}).status_code == 200
    assert post(other, "/login", {"email": person.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_person_sees_and_downloads_their_own_data(client, world, login_as):
    person = world.people["learner@r1"]
    login_as(person)
    assert client.get("/profile").status_code == 200
    response = client.get("/profile/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["email"] == person.email


# --- people administration ---------------------------------------------------------------------------

PERSON = {
    "email": "hanna.diachenko@example.org",
    "surname": "Ґонта-Дʼяченко",
    "given_name": "Ївга-Єлизавета",
    "patronymic": "Іллівна",
    "organisation": "HUB-18-001",
    "job": "hub_coordinator",
    "target_groups": ["librarians", "older_people"],
    "locale": "",
    "timezone": "Europe/Kyiv",
}


def test_an_admin_adds_a_person_with_the_name_kept_exactly_as_typed(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    assert client.get("/people/new").status_code == 200
    response = post(client, "/people/new", PERSON)
    assert response.status_code == 302, text(response)[:2000]

    db.session.expire_all()
    person = db.session.scalar(select(User).where(User.email == PERSON["email"]))
    assert (person.surname, person.given_name, person.patronymic) == (
        "Ґонта-Дʼяченко",
        "Ївга-Єлизавета",
        "Іллівна",
    )
    assert person.organisation.code == "HUB-18-001"
    assert person.job.code == "hub_coordinator"
    assert sorted(group.code for group in person.target_groups) == ["librarians", "older_people"]
    assert response.headers["Location"] == f"/people/{person.id}"
    assert "Ґонта-Дʼяченко Ївга-Єлизавета Іллівна" in text(client.get(f"/people/{person.id}"))
    assert audit_actions(person) == ["user.created"]


def test_the_person_form_keeps_what_was_typed_when_a_field_is_wrong(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    typed = {**PERSON, "organisation": "HUB-99-999"}
    response = post(client, "/people/new", typed)
    assert response.status_code == 200
    page = text(response)
    assert 'id="organisation-error"' in page
    for key in ("email", "surname", "given_name", "patronymic", "organisation"):
        assert f'value="{typed[key]}"' in page
    for code in typed["target_groups"]:
        assert re.search(rf'<input checked[^>]*value="{code}"', page), code
    assert re.search(r'<option selected value="hub_coordinator"', page)
    assert db.session.scalar(select(User).where(User.email == PERSON["email"])) is None


def test_an_admin_cannot_add_people_outside_their_region(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    response = post(client, "/people/new", {**PERSON, "organisation": "HUB-46-001"})
    assert response.status_code == 200
    assert 'id="organisation-error"' in text(response)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == PERSON["email"])) is None
    assert client.get(f"/people/{world.people['learner@r2'].id}").status_code == 403


def test_an_admin_edits_a_person_and_the_change_is_audited(client, db, world, login_as):
    person = world.people["learner@r1"]
    login_as(world.people["admin@r1"])
    assert client.get(f"/people/{person.id}/edit").status_code == 200
    response = post(
        client,
        f"/people/{person.id}/edit",
        {
            "email": person.email,
            "surname": "Мʼякота",
            "given_name": "Ірина",
            "patronymic": "",
            "organisation": "HUB-18-001",
            "job": "librarian",
            "target_groups": ["librarians"],
            "locale": "uk",
            "timezone": "Europe/Kyiv",
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    person = fresh(db, User, person.id)
    assert (person.surname, person.given_name, person.job.code, person.locale) == (
        "Мʼякота",
        "Ірина",
        "librarian",
        "uk",
    )
    assert [group.code for group in person.target_groups] == ["librarians"]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.updated", AuditEntry.target_id == person.id)
    )
    assert entry.details["changes"]["surname"] == ["Тестенко", "Мʼякота"]
    assert entry.actor_id == world.people["admin@r1"].id


def test_an_admin_grants_and_revokes_a_role(client, db, world, login_as):
    person = world.people["learner@r1"]
    login_as(world.people["admin@r1"])
    response = post(client, f"/people/{person.id}/roles", {"role": "trainer", "organisation": "TC-18"})
    assert response.status_code == 302
    db.session.expire_all()
    grant = db.session.scalar(
        select(RoleGrant).where(RoleGrant.user_id == person.id, RoleGrant.role == "trainer")
    )
    assert grant.organisation.code == "TC-18"
    assert grant.granted_by_id == world.people["admin@r1"].id

    response = post(client, f"/people/{person.id}/roles/{grant.id}/revoke")
    assert response.status_code == 302
    person = fresh(db, User, person.id)
    assert sorted(grant.role for grant in person.grants) == ["learner"]
    assert audit_actions(person)[-2:] == ["role.granted", "role.revoked"]


def test_roles_cannot_be_granted_over_another_region(client, db, world, login_as):
    person = world.people["learner@r1"]
    login_as(world.people["admin@r1"])
    response = post(client, f"/people/{person.id}/roles", {"role": "admin", "organisation": "UA-46"})
    assert response.status_code == 400
    assert sorted(grant.role for grant in fresh(db, User, person.id).grants) == ["learner"]


def test_a_deactivated_person_cannot_log_in_until_activated_again(client, app, db, world, login_as):
    person = world.people["learner@r1"]
    login_as(world.people["admin@r1"])
    assert post(client, f"/people/{person.id}/deactivate").status_code == 302
    assert fresh(db, User, person.id).is_active_account is False
    other = app.test_client()
    assert post(other, "/login", {"email": person.email, "password": TEST_PASSWORD}).status_code == 200

    assert post(client, f"/people/{person.id}/activate").status_code == 302
    assert fresh(db, User, person.id).is_active_account is True
    assert post(other, "/login", {"email": person.email, "password": TEST_PASSWORD}).status_code == 302
    assert audit_actions(person)[-2:] == ["user.deactivated", "user.activated"]


def test_an_admin_cannot_deactivate_themselves(client, db, world, login_as):
    admin = world.people["admin@r1"]
    login_as(admin)
    post(client, f"/people/{admin.id}/deactivate")
    assert fresh(db, User, admin.id).is_active_account is True


def test_an_admin_downloads_a_persons_data_with_roles_and_history(client, world, login_as):
    person = world.people["trainer@r1"]
    login_as(world.people["admin@r1"])
    response = client.get(f"/people/{person.id}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="kaskad-person-{person.id}.json"'
    data = json.loads(response.get_data())
    assert data["email"] == person.email
    assert data["surname"] == person.surname
    assert data["roles"] == [{"role": "trainer", "organisation": "TC-18"}]
    assert [entry["action"] for entry in data["history"]][:2] == ["user.created", "role.granted"]
    # A manager may see people but not take their data away.
    post(client, "/logout")
    login(client, world.people["manager@r1"])
    assert client.get(f"/people/{person.id}/export").status_code == 403


def test_erasing_a_person_anonymises_them_and_keeps_the_counts_true(client, app, db, world, login_as):
    person = world.people["learner@r1"]
    groups = list(
        db.session.scalars(select(TargetGroup).where(TargetGroup.code.in_(["librarians", "students"])))
    )
    services.update_user(person, target_groups=groups, surname="Ярошенко-Унікальна", patronymic="Богданівна")
    db.session.commit()
    email, person_id, organisation_id = person.email, person.id, person.organisation_id
    active_before = services.count_active_people(EVERYWHERE)

    login_as(world.people["admin@r1"])
    # Without the confirmation box nothing happens.
    post(client, f"/people/{person_id}/erase")
    assert fresh(db, User, person_id).erased_at is None

    response = post(client, f"/people/{person_id}/erase", {"confirm": "erase"})
    assert response.status_code == 302
    person = fresh(db, User, person_id)
    assert person is not None  # the row stays
    assert person.erased_at is not None and person.is_active_account is False
    assert email not in person.email and person.email_casefold == f"erased-{person_id}@invalid"
    assert "Ярошенко" not in person.full_name and "Олена" not in person.full_name
    assert person.password_hash is None
    assert person.grants == []
    assert person.organisation_id == organisation_id
    assert sorted(group.code for group in person.target_groups) == ["librarians", "students"]
    assert "user.erased" in audit_actions(person)
    assert services.count_active_people(EVERYWHERE) == active_before - 1

    # No trace of the name or address is left in the audit log either.
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == person_id)):
        if entry.target_type == "User":
            dumped = json.dumps(entry.details, ensure_ascii=False)
            assert email not in dumped and "Ярошенко" not in dumped and "Богданівна" not in dumped

    other = app.test_client()
    assert post(other, "/login", {"email": email, "password": TEST_PASSWORD}).status_code == 200
    assert client.get(f"/people/{person_id}/edit").status_code == 404


def test_people_pages_are_closed_to_learners_and_visitors(client, world, login_as):
    assert client.get("/people").status_code == 302
    login_as(world.people["learner@r1"])
    assert client.get("/people").status_code == 403
    assert client.get("/people/new").status_code == 403


# --- Ukrainian alphabetical order --------------------------------------------------------------------

# In Ukrainian order Г < Ґ, Е < Є, И < І < Ї; code-point order puts Є, І, Ї before all of them.
UKRAINIAN_ORDER = ["Гнатюк", "Ґудзь", "Евенко", "Єременко", "Ивах", "Іванов", "Їжакевич"]


def test_sort_key_follows_the_ukrainian_alphabet():
    shuffled = list(reversed(UKRAINIAN_ORDER))
    assert sorted(shuffled, key=sort_key) == UKRAINIAN_ORDER
    assert sorted(UKRAINIAN_ORDER) != UKRAINIAN_ORDER  # plain string order would be wrong
    assert sort_key("Ґудзь") == sort_key("ґУДЗЬ")


def test_sort_key_ignores_apostrophes_and_compares_surname_first():
    assert sort_key("Дʼяченко") == sort_key("Д'яченко") == sort_key("Д’яченко") == sort_key("Дяченко")
    assert sorted(["Дячук", "Дʼяченко", "Дяк"], key=sort_key) == ["Дяк", "Дʼяченко", "Дячук"]
    assert sort_key("Іванов", "Ярема") < sort_key("Іванова", "Анна")
    assert sort_key("Іванов", "Анна") < sort_key("Іванов", "Ярема")


def test_the_people_list_sorts_in_ukrainian_alphabetical_order(client, world, make, login_as):
    hub = world.orgs["hub@r1"]
    surnames = [*UKRAINIAN_ORDER, "Дячук", "Дʼяченко", "Дяк"]
    for number, surname in enumerate(reversed(surnames)):
        make.user(hub, ("learner",), surname=surname, given_name="Тест", email=f"sort{number}@example.org")
    make.commit()
    login_as(world.people["admin@root"])
    page = text(client.get("/people"))
    positions = {surname: page.index(f"{surname} Тест") for surname in surnames}
    on_page = sorted(surnames, key=positions.__getitem__)
    assert on_page == [
        "Гнатюк",
        "Ґудзь",
        "Дяк",
        "Дʼяченко",
        "Дячук",
        "Евенко",
        "Єременко",
        "Ивах",
        "Іванов",
        "Їжакевич",
    ]


def test_people_are_found_by_name_ignoring_case_and_apostrophes(client, world, make, login_as):
    make.user(
        world.orgs["hub@r1"], ("learner",), surname="Дʼяченко", given_name="Ґанна", email="dia@example.org"
    )
    make.commit()
    login_as(world.people["admin@r1"])
    for search in ("дяченко", "Д'яченко", "dia@EXAMPLE"):
        assert "Дʼяченко Ґанна" in text(client.get("/people", query_string={"q": search})), search


def test_people_are_found_by_full_name_in_any_order(client, world, make, login_as):
    make.user(
        world.orgs["hub@r1"], ("learner",), surname="Мельник", given_name="Олена", patronymic="Петрівна"
    )
    make.user(
        world.orgs["hub@r1"], ("learner",), surname="Мельник", given_name="Ірина", patronymic="Петрівна"
    )
    make.commit()
    login_as(world.people["admin@r1"])

    def found(search: str) -> list[str]:
        page = text(client.get("/people", query_string={"q": search}))
        return re.findall(r'<a href="/people/\d+">(Мельник [^<]+)</a>', page)

    for search in ("Мельник Олена Петрівна", "олена мельник", "Петрівна  ОЛЕНА", "Мельн Оле"):
        assert found(search) == ["Мельник Олена Петрівна"], search
    assert found("Мельник Петрівна") == ["Мельник Ірина Петрівна", "Мельник Олена Петрівна"]
    assert found("Мельник Оксана") == []


def test_invited_people_show_as_invited_and_are_counted_apart(client, world, make, login_as):
    everywhere = EVERYWHERE
    active, invited = services.count_active_people(everywhere), services.count_invited_people(everywhere)
    person = make.user(world.orgs["hub@r1"], ("learner",), surname="Запрошена", password="")
    make.commit()
    assert services.count_active_people(everywhere) == active
    assert services.count_invited_people(everywhere) == invited + 1
    login_as(world.people["admin@r1"])
    english = {"Accept-Language": "en"}

    listing = text(client.get("/people", query_string={"q": "Запрошена"}, headers=english))
    assert "Invited, not accepted yet" in listing and ">Active<" not in listing
    assert "Invited, not accepted yet" in text(client.get(f"/people/{person.id}", headers=english))
    home = text(client.get("/", headers=english))
    assert "Invited, not accepted yet" in home

    services.set_password(person, "a long enough passphrase")
    make.commit()
    assert services.count_active_people(everywhere) == active + 1
    assert services.count_invited_people(everywhere) == invited


def test_a_regional_admin_sees_only_people_of_their_region(client, world, login_as):
    login_as(world.people["admin@r1"])
    page = text(client.get("/people"))
    assert f'href="/people/{world.people["learner@r1"].id}"' in page
    assert f'href="/people/{world.people["learner@r2"].id}"' not in page


# --- target groups -----------------------------------------------------------------------------------

SEEDED_GROUPS = [
    "civil_servants",
    "local_government_officials",
    "education_workers",
    "medical_workers",
    "librarians",
    "older_people",
    "unemployed",
    "people_with_disabilities",
    "entrepreneurs",
    "students",
    "other",
]


def test_the_seeded_target_groups_are_listed_in_order(client, world, login_as):
    login_as(world.people["admin@root"])
    response = client.get("/target-groups")
    assert response.status_code == 200
    page = text(response)
    positions = [page.index(f">{code}<") for code in SEEDED_GROUPS]
    assert positions == sorted(positions)
    assert "Бібліотекарі" in page


def test_a_national_admin_adds_and_edits_a_target_group(client, db, world, login_as):
    login_as(world.people["admin@root"])
    assert client.get("/target-groups/new").status_code == 200
    names = {"name_uk": "Ветерани", "name_en": "Veterans", "name_fi": "Veteraanit", "name_sv": "Veteraner"}
    response = post(client, "/target-groups/new", {"code": "veterans", **names, "is_active": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    group = db.session.scalar(select(TargetGroup).where(TargetGroup.code == "veterans"))
    assert dict(group.name) == {"uk": "Ветерани", "en": "Veterans", "fi": "Veteraanit", "sv": "Veteraner"}
    assert group.is_active

    response = post(
        client,
        f"/target-groups/{group.id}/edit",
        {"code": "veterans", **names, "name_en": "War veterans", "is_active": "0"},
    )
    assert response.status_code == 302
    group = fresh(db, TargetGroup, group.id)
    assert group.name["en"] == "War veterans" and not group.is_active
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "targetgroup.saved", AuditEntry.target_id == group.id)
    ).all()
    assert len(entries) == 2

    # A code already in use is refused.
    response = post(client, "/target-groups/new", {"code": "librarians", **names, "is_active": "1"})
    assert response.status_code == 200
    assert 'id="code-error"' in text(response)


def test_a_regional_admin_may_not_edit_target_groups(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    assert client.get("/target-groups").status_code == 403
    assert client.get("/target-groups/new").status_code == 403
    response = post(client, "/target-groups/new", {"code": "x", "name_uk": "Х", "is_active": "1"})
    assert response.status_code == 403
    assert db.session.scalar(select(TargetGroup).where(TargetGroup.code == "x")) is None
