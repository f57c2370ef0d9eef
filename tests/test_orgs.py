"""Organisations: creating, editing and moving nodes of the cascade's tree, names per language,
the scoped list with search, and the audit trail of every change."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.orgs.models import Organisation
from lms.testing import login, post

EN = {"Accept-Language": "en"}


def org(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.code == code))


def page(response):
    return html.unescape(response.get_data(as_text=True))


def hub_form(**overrides):
    data = {
        "code": "HUB-18-777",
        "kind": "hub",
        "parent": "UA-18",
        "name_uk": "Хаб цифрової освіти в Коростенській бібліотеці",
        "name_en": "Digital Education Hub at Korosten Library",
        "host_type": "library",
        "address": "вул. Грушевського, 21",
        "settlement": "м. Коростень",
        "hromada": "Коростенська міська територіальна громада",
        "katotth": "UA18040190010052851",
        "latitude": "50,25465",
        "longitude": "28,65867",
        "opening_hours": "Mo-Fr 09:00-18:00; Sa 10:00-15:00",
        "services": ["e_services", "digital_literacy"],
        "status": "open",
    }
    data.update(overrides)
    return data


# --- creating ---------------------------------------------------------------------------------------


def test_admin_creates_a_hub_under_a_region_with_services_coordinates_and_opening_hours(client, db, world):
    login(client, world.people["admin@root"])

    response = post(client, "/orgs/new", hub_form())

    assert response.status_code == 302
    hub = org(db, "HUB-18-777")
    assert response.headers["Location"].endswith(f"/orgs/{hub.id}")
    assert hub.kind == "hub"
    assert hub.parent.code == "UA-18"
    assert hub.latitude == 50.25465 and hub.longitude == 28.65867
    assert hub.opening_hours == "Mo-Fr 09:00-18:00; Sa 10:00-15:00"
    assert hub.services == ["e_services", "digital_literacy"]
    assert hub.host_type == "library" and hub.status == "open"
    assert hub.katotth == "UA18040190010052851"
    assert dict(hub.name) == {
        "uk": "Хаб цифрової освіти в Коростенській бібліотеці",
        "en": "Digital Education Hub at Korosten Library",
    }
    region = world.orgs["r1"]
    assert hub.path == f"{region.path}{hub.id}/"
    assert hub.depth == region.depth + 1


def test_the_new_hub_page_shows_what_was_entered(client, db, world):
    login(client, world.people["admin@root"])
    post(client, "/orgs/new", hub_form())

    text = page(client.get(f"/orgs/{org(db, 'HUB-18-777').id}", headers=EN))

    assert "Digital Education Hub at Korosten Library" in text
    assert "Mo-Fr 09:00-18:00; Sa 10:00-15:00" in text
    assert "50.25465" in text
    assert "Help with e-government services" in text


def test_a_hub_cannot_be_placed_under_the_national_body_and_the_typed_values_are_kept(client, db, world):
    login(client, world.people["admin@root"])

    response = post(client, "/orgs/new", hub_form(parent="UA"), headers=EN)

    assert response.status_code == 200
    text = page(response)
    assert "A hub cannot be placed under a national body." in text
    assert 'value="HUB-18-777"' in text
    assert "Хаб цифрової освіти в Коростенській бібліотеці" in text
    assert 'value="50.25465"' in text or 'value="50,25465"' in text
    assert "Mo-Fr 09:00-18:00; Sa 10:00-15:00" in text
    assert org(db, "HUB-18-777") is None


def test_a_training_centre_needs_a_region_as_its_parent(client, db, world):
    login(client, world.people["admin@root"])

    response = post(
        client, "/orgs/new", hub_form(code="TC-X", kind="training_centre", parent="TC-18"), headers=EN
    )

    assert response.status_code == 200
    assert "A training centre cannot be placed under a training centre." in page(response)
    assert org(db, "TC-X") is None


def test_a_code_already_in_use_is_refused(client, db, world):
    login(client, world.people["admin@root"])

    response = post(client, "/orgs/new", hub_form(code="HUB-18-001"), headers=EN)

    assert response.status_code == 200
    assert "Another organisation has this code." in page(response)


def test_a_parent_code_that_does_not_exist_is_refused(client, db, world):
    login(client, world.people["admin@root"])

    response = post(client, "/orgs/new", hub_form(parent="NOPE"), headers=EN)

    assert response.status_code == 200
    assert "There is no organisation with this code." in page(response)
    assert org(db, "HUB-18-777") is None


def test_a_regional_admin_cannot_add_an_organisation_in_another_region(client, db, world):
    login(client, world.people["admin@r1"])

    response = post(client, "/orgs/new", hub_form(parent="UA-46"), headers=EN)

    assert response.status_code == 200
    assert "You may only add organisations inside your scope." in page(response)
    assert org(db, "HUB-18-777") is None


def test_a_manager_may_not_open_the_new_organisation_form(client, world):
    login(client, world.people["manager@r1"])

    assert client.get("/orgs/new").status_code == 403


# --- editing ----------------------------------------------------------------------------------------


def test_admin_edits_a_hub(client, db, world):
    hub = world.orgs["hub@r1"]
    login(client, world.people["admin@r1"])

    response = post(
        client,
        f"/orgs/{hub.id}/edit",
        hub_form(
            name_uk="Хаб у Житомирі",
            name_en="Hub in Zhytomyr",
            status="temporarily_closed",
            services=["cyber_hygiene"],
            latitude="50,2547",
            longitude="28,6587",
            opening_hours="Tu-Sa 10:00-17:00",
        ),
    )

    assert response.status_code == 302
    hub = org(db, "HUB-18-001")
    assert dict(hub.name) == {"uk": "Хаб у Житомирі", "en": "Hub in Zhytomyr"}
    assert hub.status == "temporarily_closed"
    assert hub.services == ["cyber_hygiene"]
    assert (hub.latitude, hub.longitude) == (50.2547, 28.6587)
    assert hub.opening_hours == "Tu-Sa 10:00-17:00"
    # The code, kind and parent are not changed by the edit page, whatever is posted.
    assert hub.code == "HUB-18-001" and hub.kind == "hub" and hub.parent.code == "UA-18"


def test_editing_keeps_the_typed_values_when_a_field_is_wrong(client, db, world):
    hub = world.orgs["hub@r1"]
    login(client, world.people["admin@r1"])

    response = post(
        client, f"/orgs/{hub.id}/edit", hub_form(name_uk="Нова назва", latitude="north"), headers=EN
    )

    assert response.status_code == 200
    assert "Нова назва" in page(response)
    assert org(db, "HUB-18-001").name["uk"] != "Нова назва"


def test_an_admin_of_another_region_may_not_edit(client, world):
    login(client, world.people["admin@r2"])

    assert client.get(f"/orgs/{world.orgs['hub@r1'].id}/edit").status_code == 403


# --- moving -----------------------------------------------------------------------------------------


def test_moving_a_training_centre_moves_its_whole_subtree_and_its_place_in_the_scopes(
    app, client, db, make, world
):
    centre = world.orgs["tc@r1"]
    hubs = [make.org("hub", centre, code=f"HUB-TC-{n}") for n in (1, 2)]
    make.commit()
    hub_ids = [hub.id for hub in hubs]
    old_region_admin, new_region_admin = app.test_client(), app.test_client()
    login(old_region_admin, world.people["admin@r1"])
    login(new_region_admin, world.people["admin@r2"])
    assert old_region_admin.get(f"/orgs/{hub_ids[0]}").status_code == 200
    assert new_region_admin.get(f"/orgs/{hub_ids[0]}").status_code == 403
    login(client, world.people["admin@root"])

    response = post(client, f"/orgs/{centre.id}/move", {"parent": "UA-46"})

    assert response.status_code == 302
    db.session.expire_all()
    new_region = org(db, "UA-46")
    centre = org(db, "TC-18")
    assert centre.parent_id == new_region.id
    assert centre.path == f"{new_region.path}{centre.id}/"
    assert centre.depth == new_region.depth + 1
    for hub_id in hub_ids:
        hub = db.session.get(Organisation, hub_id)
        assert hub.path == f"{centre.path}{hub.id}/"
        assert hub.depth == centre.depth + 1
    for organisation_id in (centre.id, *hub_ids):
        assert old_region_admin.get(f"/orgs/{organisation_id}").status_code == 403
        assert new_region_admin.get(f"/orgs/{organisation_id}").status_code == 200
    # The lists follow too: the moved hubs are counted in the new region only.
    assert "HUB-TC-1" not in page(old_region_admin.get("/orgs/?q=HUB-TC"))
    assert "HUB-TC-1" in page(new_region_admin.get("/orgs/?q=HUB-TC"))
    # Nothing outside the subtree moved.
    assert org(db, "HUB-18-001").path == f"{org(db, 'UA-18').path}{org(db, 'HUB-18-001').id}/"


def test_an_organisation_cannot_be_moved_into_its_own_subtree(client, db, make, world):
    centre = world.orgs["tc@r1"]
    make.org("hub", centre, code="HUB-TC-1")
    make.commit()
    region = world.orgs["r1"]
    login(client, world.people["admin@root"])

    for target in ("TC-18", "HUB-TC-1"):
        response = post(client, f"/orgs/{region.id}/move", {"parent": target}, headers=EN)
        assert response.status_code == 200
        assert "An organisation cannot be moved into its own subtree." in page(response)
    assert org(db, "UA-18").parent.code == "UA"
    assert org(db, "TC-18").parent.code == "UA-18"


def test_a_training_centre_cannot_be_moved_under_a_hub(client, db, world):
    login(client, world.people["admin@root"])

    response = post(client, f"/orgs/{world.orgs['tc@r1'].id}/move", {"parent": "HUB-46-001"}, headers=EN)

    assert response.status_code == 200
    assert "A training centre cannot be placed under a hub." in page(response)
    assert org(db, "TC-18").parent.code == "UA-18"


def test_a_regional_admin_cannot_move_a_hub_into_another_region(client, db, world):
    login(client, world.people["admin@r1"])

    response = post(client, f"/orgs/{world.orgs['hub@r1'].id}/move", {"parent": "UA-46"}, headers=EN)

    assert response.status_code == 200
    assert "You may only move organisations inside your scope." in page(response)
    assert org(db, "HUB-18-001").parent.code == "UA-18"


# --- names per language -----------------------------------------------------------------------------


def test_names_are_stored_per_language_and_shown_in_the_requests_locale(client, make, world):
    hub = make.org("hub", world.orgs["r1"], code="HUB-LANG")
    hub.set_name({"uk": "Хаб у Бердичеві", "en": "Hub in Berdychiv"})
    make.commit()
    login(client, world.people["admin@root"])

    english = page(client.get(f"/orgs/{hub.id}", headers={"Accept-Language": "en"}))
    ukrainian = page(client.get(f"/orgs/{hub.id}", headers={"Accept-Language": "uk"}))
    finnish = page(client.get(f"/orgs/{hub.id}", headers={"Accept-Language": "fi"}))

    assert "<h1>Hub in Berdychiv</h1>" in english
    assert "<h1>Хаб у Бердичеві</h1>" in ukrainian
    assert "<h1>Hub in Berdychiv</h1>" in finnish  # no Finnish name: English, before Ukrainian


def test_the_list_shows_names_in_the_requests_locale(client, make, world):
    hub = make.org("hub", world.orgs["r1"], code="HUB-LANG")
    hub.set_name({"uk": "Хаб у Бердичеві", "en": "Hub in Berdychiv", "sv": "Hubb i Berdytjiv"})
    make.commit()
    login(client, world.people["admin@root"])

    assert "Hubb i Berdytjiv" in page(client.get("/orgs/?q=HUB-LANG", headers={"Accept-Language": "sv"}))
    assert "Hub in Berdychiv" in page(client.get("/orgs/?q=HUB-LANG", headers={"Accept-Language": "en"}))


def test_finnish_and_swedish_fall_back_to_english_then_ukrainian(client, make, world):
    only_uk = make.org("hub", world.orgs["r1"], code="HUB-UK")
    only_uk.set_name({"uk": "Хаб у Бердичеві"})
    make.commit()
    login(client, world.people["admin@root"])

    for locale in ("fi", "sv"):
        assert "<h1>Хаб у Бердичеві</h1>" in page(
            client.get(f"/orgs/{only_uk.id}", headers={"Accept-Language": locale})
        )


def test_lists_sort_by_the_name_shown_in_each_language(client, make, world):
    first_in_uk = make.org("hub", world.orgs["r1"], code="HUB-SORT-1")
    first_in_uk.set_name({"uk": "Абетка", "en": "Zebra hub"})
    first_in_en = make.org("hub", world.orgs["r1"], code="HUB-SORT-2")
    first_in_en.set_name({"uk": "Ясен", "en": "Apple hub", "sv": "Ö-hubben"})
    make.commit()
    login(client, world.people["admin@root"])

    def codes(locale: str) -> list[str]:
        listing = page(client.get("/orgs/?q=HUB-SORT", headers={"Accept-Language": locale}))
        return re.findall(r"<td>(HUB-SORT-\d)</td>", listing)

    assert codes("uk") == ["HUB-SORT-1", "HUB-SORT-2"]  # Абетка, Ясен
    assert codes("en") == ["HUB-SORT-2", "HUB-SORT-1"]  # Apple hub, Zebra hub
    assert codes("fi") == ["HUB-SORT-2", "HUB-SORT-1"]  # no Finnish names: the English ones shown
    assert codes("sv") == ["HUB-SORT-1", "HUB-SORT-2"]  # Zebra hub, Ö-hubben


def test_organisations_are_offered_as_a_tree_with_hubs_counted(client, make, world):
    make.org("hub", world.orgs["tc@r1"], code="HUB-TREE")
    make.commit()
    login(client, world.people["admin@r1"])
    english = {"Accept-Language": "en"}

    assert "?view=tree" in page(client.get("/orgs/", headers=english))
    tree = page(client.get("/orgs/?view=tree", headers=english))

    region, centre = world.orgs["r1"], world.orgs["tc@r1"]
    assert f'href="/orgs/{region.id}"' in tree and f'href="/orgs/{centre.id}"' in tree
    # the training centre is a branch of the region; its hubs are counted, not listed
    assert tree.index(f'href="/orgs/{region.id}"') < tree.index(f'href="/orgs/{centre.id}"')
    assert re.search(rf'href="/orgs/{centre.id}">[^<]+</a> <span class="muted">\([^)]*\d+ hubs?\)', tree)
    assert "HUB-TREE" not in tree and f'href="/orgs/{world.orgs["r2"].id}"' not in tree  # only her scope


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_is_searched_by_code(client, world):
    login(client, world.people["admin@root"])

    text = page(client.get("/orgs/?q=hub-46"))

    assert "HUB-46-001" in text
    assert "HUB-18-001" not in text
    assert "TC-46" not in text


def test_the_list_is_searched_by_a_ukrainian_name_fragment_in_any_case(client, make, world):
    make.org("hub", world.orgs["r1"], code="HUB-K", name="Хаб у Коростенській бібліотеці")
    make.org("hub", world.orgs["r1"], code="HUB-G", name="Ґаджет-хаб Їжакевичів")
    make.commit()
    login(client, world.people["admin@root"])

    for fragment in ("коростенськ", "КОРОСТЕНСЬК", "Коростенськ", "їжакевич", "ҐАДЖЕТ"):
        text = page(client.get("/orgs/", query_string={"q": fragment}))
        expected, other = (
            ("HUB-G", "HUB-K") if fragment.lower() in ("їжакевич", "ґаджет") else ("HUB-K", "HUB-G")
        )
        assert expected in text, fragment
        assert other not in text, fragment
        assert "HUB-18-001" not in text, fragment


def test_the_list_is_filtered_by_kind(client, world):
    login(client, world.people["admin@root"])

    text = page(client.get("/orgs/?kind=training_centre"))

    assert "TC-18" in text and "TC-46" in text
    assert "HUB-18-001" not in text and "UA-18" not in text


def test_the_list_shows_only_the_viewers_scope(client, world):
    login(client, world.people["manager@r2"])

    text = page(client.get("/orgs/"))

    assert "HUB-46-001" in text and "TC-46" in text
    assert "HUB-18-001" not in text and "TC-18" not in text


# --- audit ------------------------------------------------------------------------------------------


def test_creating_editing_and_moving_are_audited_with_the_actor(client, db, world):
    admin = world.people["admin@root"]
    login(client, admin)

    post(client, "/orgs/new", hub_form())
    hub = org(db, "HUB-18-777")
    post(client, f"/orgs/{hub.id}/edit", hub_form(name_uk="Хаб у Коростені"))
    post(client, f"/orgs/{hub.id}/move", {"parent": "TC-18"})

    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "Organisation", AuditEntry.target_id == hub.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in entries] == [
        "organisation.created",
        "organisation.updated",
        "organisation.moved",
    ]
    assert {entry.actor_id for entry in entries} == {admin.id}
    created, updated, moved = entries
    assert created.details["code"] == "HUB-18-777"
    assert "name" in updated.details["changes"]
    assert moved.details == {"old_parent": "UA-18", "new_parent": "TC-18"}
    assert moved.scope_path == org(db, "HUB-18-777").path


def test_saving_an_unchanged_organisation_writes_no_audit_entry(client, db, world):
    hub = world.orgs["hub@r1"]
    login(client, world.people["admin@root"])
    form = client.get(f"/orgs/{hub.id}/edit")
    assert form.status_code == 200
    before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))

    post(
        client,
        f"/orgs/{hub.id}/edit",
        {
            "name_uk": hub.name["uk"],
            "name_en": hub.name.get("en", ""),
            "host_type": hub.host_type or "",
            "status": hub.status,
        },
    )

    db.session.expire_all()
    after = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert after == before
