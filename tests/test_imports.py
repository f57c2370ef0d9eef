"""CSV imports of organisations and people: files as Ukrainian Excel saves them, upload → preview →
confirm, all rows or none, each bad row reported by line and reason."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from lms.accounts.models import RoleGrant, User
from lms.imports.models import ImportUpload
from lms.imports.services import Column, decode, read_rows
from lms.orgs.importer import COLUMNS as ORG_COLUMNS
from lms.orgs.models import Organisation
from lms.permissions import ROLE_ACTIONS
from lms.testing import login, post

EN = {"Accept-Language": "en"}
TOKEN = re.compile(r'name="token" value="([^"]+)"')
HUB_HEADER = "code;parent_code;kind;name_uk;name_en;latitude;longitude;services;opening_hours"
PEOPLE_HEADER = "email;surname;given_name;patronymic;organisation_code;job;target_groups;role;locale"
SIMPLE = (Column("code", True, ""), Column("name_uk", True, ""), Column("address", False, ""))


def csv_file(*lines: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + "\r\n".join(lines).encode(encoding) + b"\r\n"


def page(response):
    return html.unescape(response.get_data(as_text=True))


def upload(client, path, data: bytes, filename="file.csv"):
    return post(client, path, {"file": (io.BytesIO(data), filename)}, headers=EN)


def token_of(response) -> str:
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, page(response)[:3000]
    return match.group(1)


def confirm(client, path, token):
    return post(client, path, {"token": token}, headers=EN)


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def org(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.code == code))


def person(db, email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email_casefold == email.casefold()))


def problems(response) -> dict[int, str]:
    """The problem table: line -> its reasons, one per text line."""
    assert 'id="problems"' in page(response), page(response)[:3000]
    section = page(response).split('id="problems"', 1)[1].split("</section>", 1)[0]
    reasons: dict[int, str] = {}
    for line, reason in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", section, flags=re.S):
        reasons[int(line)] = f"{reasons[int(line)]}\n{reason}" if int(line) in reasons else reason
    return reasons


GOOD_HUBS = csv_file(
    HUB_HEADER,
    "HUB-18-101;UA-18;hub;Хаб у Новоград-Волинській бібліотеці;Hub at Novohrad-Volynskyi;50,59432;27,61678;"
    "e_services|digital_literacy;Mo-Fr 09:00-18:00",
    "TC-18-B;UA-18;training_centre;Другий тренінговий центр;Second Training Centre;;;trainer_training;",
    "HUB-18-102;TC-18-B;hub;Хаб у Звягелі;;50.6;27.6;;",
    "HUB-18-001;UA-18;hub;Хаб у Житомирі (оновлено);Hub in Zhytomyr;50.25;28.66;;",
)


# --- reading files --------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_rows_are_read_with_semicolons_commas_or_tabs(delimiter):
    data = csv_file(delimiter.join(["code", "name_uk"]), delimiter.join(["HUB-1", "Хаб"]))

    rows, errors = read_rows(data, SIMPLE)

    assert errors == []
    assert rows == [(2, {"code": "HUB-1", "name_uk": "Хаб"})]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8", True), ("cp1251", False)],
    ids=["utf8", "utf8-bom", "cp1251"],
)
def test_files_in_utf8_with_or_without_bom_and_in_windows_1251_are_read(encoding, bom):
    data = csv_file("code;name_uk", "HUB-1;Хаб «Ґалаґан» у Їжакевичах, Єрки", encoding=encoding, bom=bom)

    rows, errors = read_rows(data, SIMPLE)

    assert errors == []
    assert rows == [(2, {"code": "HUB-1", "name_uk": "Хаб «Ґалаґан» у Їжакевичах, Єрки"})]


def test_decode_recognises_each_encoding():
    text = "Ґанок, Єнакієве, Їжаки, Іршава"

    assert decode(text.encode("utf-8")) == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode(text.encode("cp1251")) == text


def test_header_names_are_matched_in_any_case_and_with_spaces_around():
    rows, errors = read_rows(csv_file(" Code ;NAME_UK;Address", "HUB-1;Хаб;вул. Миру, 1"), SIMPLE)

    assert errors == []
    assert rows == [(2, {"code": "HUB-1", "name_uk": "Хаб", "address": "вул. Миру, 1"})]


def test_a_quoted_multi_line_field_and_ukrainian_apostrophes_survive():
    data = csv_file(
        "code;name_uk;address",
        'HUB-1;Хаб у Підгайцях;"вул. Матеюка, 5;\nвхід з двору"',
        "HUB-2;Хаб «Мʼякий знак» у Дʼяківцях;вул. Вʼячеслава Чорновола, 3",
    )

    rows, errors = read_rows(data, SIMPLE)

    assert errors == []
    assert rows[0][1]["address"] == "вул. Матеюка, 5;\nвхід з двору"
    assert rows[1][1] == {
        "code": "HUB-2",
        "name_uk": "Хаб «Мʼякий знак» у Дʼяківцях",
        "address": "вул. Вʼячеслава Чорновола, 3",
    }


def test_line_numbers_are_where_each_row_starts_in_the_file():
    data = csv_file("code;name_uk;address", 'HUB-1;Хаб;"два\nрядки"', "", "HUB-2;Хаб;")

    rows, errors = read_rows(data, SIMPLE)

    assert errors == []
    assert [line for line, _row in rows] == [2, 5]


def test_unknown_and_missing_columns_stop_the_file(app):
    rows, errors = read_rows(csv_file("code;colour", "HUB-1;red"), SIMPLE)

    assert rows == []
    assert [line for line, _error in errors] == [1, 1]
    assert "colour" in errors[0][1]
    assert "name_uk" in errors[1][1]


def test_an_empty_file_or_a_file_with_only_a_header_is_reported(app):
    assert read_rows(b"", SIMPLE)[1][0][0] == 1
    rows, errors = read_rows(csv_file("code;name_uk"), SIMPLE)
    assert rows == [] and len(errors) == 1


def test_a_row_with_more_values_than_columns_is_reported_with_its_line(app):
    rows, errors = read_rows(csv_file("code;name_uk", "HUB-1;Хаб", "HUB-2;Хаб;зайве"), SIMPLE)

    assert [line for line, _row in rows] == [2]
    assert [line for line, _error in errors] == [3]


def test_bytes_that_are_neither_utf8_nor_windows_1251_are_reported(app):
    rows, errors = read_rows(b"code;name_uk\r\nHUB-1;\x98\xff\r\n", SIMPLE)

    assert rows == []
    assert errors and errors[0][0] == 1


# --- organisations: upload → preview → confirm ----------------------------------------------------


def test_the_preview_lists_what_will_be_created_and_updated_and_changes_nothing(client, db, world):
    login(client, world.people["admin@root"])
    before = count(db, Organisation)

    response = upload(client, "/orgs/import", GOOD_HUBS)

    assert response.status_code == 200
    text = page(response)
    assert "3 will be created and 1 updated." in text
    assert "<td>2</td><td>Create</td><td>HUB-18-101 — Хаб у Новоград-Волинській бібліотеці</td>" in text
    assert "<td>5</td><td>Update</td><td>HUB-18-001 — Хаб у Житомирі (оновлено)</td>" in text
    assert count(db, Organisation) == before
    assert org(db, "HUB-18-001").name["uk"] != "Хаб у Житомирі (оновлено)"


def test_confirming_imports_every_row(client, db, world):
    login(client, world.people["admin@root"])
    before = count(db, Organisation)
    token = token_of(upload(client, "/orgs/import", GOOD_HUBS))

    response = confirm(client, "/orgs/import/confirm", token)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/orgs/")
    assert count(db, Organisation) == before + 3
    hub = org(db, "HUB-18-101")
    assert hub.parent.code == "UA-18" and hub.kind == "hub"
    assert (hub.latitude, hub.longitude) == (50.59432, 27.61678)
    assert hub.services == ["e_services", "digital_literacy"]
    assert hub.opening_hours == "Mo-Fr 09:00-18:00"
    assert dict(hub.name) == {"uk": "Хаб у Новоград-Волинській бібліотеці", "en": "Hub at Novohrad-Volynskyi"}
    # A hub under a centre defined earlier in the same file.
    nested = org(db, "HUB-18-102")
    centre = org(db, "TC-18-B")
    assert nested.parent_id == centre.id
    assert nested.path == f"{centre.path}{nested.id}/" and nested.depth == centre.depth + 1
    assert org(db, "HUB-18-001").name["uk"] == "Хаб у Житомирі (оновлено)"
    assert "3 created, 1 updated" in page(client.get("/orgs/", headers=EN))


def test_confirming_twice_does_nothing_the_second_time(client, db, world):
    login(client, world.people["admin@root"])
    token = token_of(upload(client, "/orgs/import", GOOD_HUBS))
    confirm(client, "/orgs/import/confirm", token)
    after_first = count(db, Organisation)

    response = confirm(client, "/orgs/import/confirm", token)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/orgs/import")
    assert count(db, Organisation) == after_first
    assert count(db, ImportUpload) == 0
    assert "This import was already done or has expired." in page(client.get("/orgs/import", headers=EN))


def test_someone_else_cannot_confirm_an_upload(app, client, db, world):
    login(client, world.people["admin@root"])
    token = token_of(upload(client, "/orgs/import", GOOD_HUBS))
    other = app.test_client()
    login(other, world.people["admin@r1"])
    before = count(db, Organisation)

    response = confirm(other, "/orgs/import/confirm", token)

    assert response.status_code == 302
    assert count(db, Organisation) == before


def test_re_importing_the_same_file_updates_rather_than_duplicates(client, db, world):
    login(client, world.people["admin@root"])
    confirm(client, "/orgs/import/confirm", token_of(upload(client, "/orgs/import", GOOD_HUBS)))
    after_first = count(db, Organisation)

    response = upload(client, "/orgs/import", GOOD_HUBS)

    assert "0 will be created and 4 updated." in page(response)
    confirm(client, "/orgs/import/confirm", token_of(response))
    assert count(db, Organisation) == after_first
    assert count(db, Organisation, Organisation.code == "HUB-18-101") == 1


def test_an_import_can_move_an_existing_hub_to_another_parent(client, db, world):
    login(client, world.people["admin@root"])
    data = csv_file(HUB_HEADER, "HUB-18-001;TC-18;hub;Хаб у Житомирі;;;;;")

    confirm(client, "/orgs/import/confirm", token_of(upload(client, "/orgs/import", data)))

    hub = org(db, "HUB-18-001")
    assert hub.parent.code == "TC-18"
    assert hub.path == f"{org(db, 'TC-18').path}{hub.id}/"


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [("utf-8", True, ";"), ("utf-8", False, ","), ("cp1251", False, ";")],
    ids=["excel-utf8-bom", "utf8-commas", "excel-windows-1251"],
)
def test_files_saved_by_ukrainian_excel_import(client, db, world, encoding, bom, delimiter):
    login(client, world.people["admin@root"])
    rows = [
        ["Code", "Parent_Code", "KIND", "Name_UK", "Address", "Settlement"],
        ["HUB-18-201", "UA-18", "hub", "Хаб «Ґердан» у Їжакові", "вул. Лесі Українки, 7", "с. Єрківці"],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)

    confirm(client, "/orgs/import/confirm", token_of(upload(client, "/orgs/import", data)))

    hub = org(db, "HUB-18-201")
    assert hub.name["uk"] == "Хаб «Ґердан» у Їжакові"
    assert hub.address == "вул. Лесі Українки, 7"
    assert hub.settlement == "с. Єрківці"


def test_a_multi_line_address_and_an_apostrophe_survive_the_import(client, db, world):
    login(client, world.people["admin@root"])
    data = csv_file(
        "code;parent_code;kind;name_uk;address",
        'HUB-18-301;UA-18;hub;Хаб у Пʼятихатках;"вул. Надвірна, 1\nвхід з двору"',
    )

    confirm(client, "/orgs/import/confirm", token_of(upload(client, "/orgs/import", data)))

    hub = org(db, "HUB-18-301")
    assert hub.name["uk"] == "Хаб у Пʼятихатках"
    assert hub.address == "вул. Надвірна, 1\nвхід з двору"


def test_a_file_with_bad_rows_imports_nothing_and_lists_each_bad_row(client, db, world):
    login(client, world.people["admin@root"])
    data = csv_file(
        HUB_HEADER,
        "HUB-18-101;UA-18;hub;Добрий хаб;;50.1;28.1;;",
        "HUB-18-102;UA-99;hub;Хаб без області;;;;;",
        "HUB-18-103;UA-18;library;Хаб іншого виду;;;;;",
        "HUB-18-104;UA-18;hub;Хаб з поганою широтою;;пʼятдесят;28.1;;",
        "HUB-18-105;UA-18;hub;Хаб з широтою поза межами;;95;28.1;;",
        "HUB-18-106;UA-18;hub;Хаб з невідомою послугою;;;;e_services|karaoke;",
        "HUB-18-101;UA-18;hub;Той самий код ще раз;;;;;",
        "HUB-18-107;UA;hub;Хаб під міністерством;;;;;",
        "HUB-18-108;HUB-18-001;hub;Хаб під хабом;;;;;",
        "TC-18;UA-18;hub;Центр став хабом?;;;;;",
        "HUB-18-109;UA-18;hub;;;;;;",
    )
    before = count(db, Organisation)

    response = upload(client, "/orgs/import", data)

    assert response.status_code == 200
    assert TOKEN.search(response.get_data(as_text=True)) is None
    reasons = problems(response)
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
    assert "There is no organisation with the code UA-99." in reasons[3]
    assert "The kind must be region, training_centre, hub or institution." in reasons[4]
    assert "latitude must be a number of degrees." in reasons[5]
    assert "latitude must be a number of degrees." in reasons[6]
    assert "Unknown services: karaoke." in reasons[7]
    assert "The code HUB-18-101 appears twice in the file." in reasons[8]
    assert "A hub cannot be placed under a national body." in reasons[9]
    assert "A hub cannot be placed under a hub." in reasons[10]
    assert "TC-18 exists as another kind of organisation." in reasons[11]
    assert "The Ukrainian name is empty." in reasons[12]
    assert count(db, Organisation) == before
    assert org(db, "HUB-18-101") is None
    assert count(db, ImportUpload) == 0


def test_a_regional_admin_cannot_import_into_another_region(client, db, world):
    login(client, world.people["admin@r1"])
    data = csv_file(
        HUB_HEADER,
        "HUB-18-101;UA-18;hub;Свій хаб;;;;;",
        "HUB-46-101;UA-46;hub;Чужий хаб;;;;;",
        "HUB-46-001;UA-18;hub;Чужий хаб, перенесений до себе;;;;;",
    )

    response = upload(client, "/orgs/import", data)

    reasons = problems(response)
    assert set(reasons) == {3, 4}
    assert "UA-46 is outside the organisations you manage." in reasons[3]
    assert "HUB-46-001 is outside the organisations you manage." in reasons[4]
    assert org(db, "HUB-18-101") is None
    assert org(db, "HUB-46-001").parent.code == "UA-46"


def test_a_regional_admin_imports_into_their_own_region(client, db, world):
    login(client, world.people["admin@r1"])
    data = csv_file(HUB_HEADER, "HUB-18-101;TC-18;hub;Свій хаб;;;;;")

    confirm(client, "/orgs/import/confirm", token_of(upload(client, "/orgs/import", data)))

    assert org(db, "HUB-18-101").parent.code == "TC-18"


def test_managers_may_not_import_organisations(client, world):
    login(client, world.people["manager@r1"])

    assert client.get("/orgs/import").status_code == 403
    assert client.get("/orgs/import/template.csv").status_code == 403


def test_the_import_page_documents_the_columns(client, world):
    login(client, world.people["admin@root"])

    text = page(client.get("/orgs/import", headers=EN))

    for column in ORG_COLUMNS:
        assert f"<code>{column.name}</code>" in text
    assert "/orgs/import/template.csv" in text


def test_the_organisation_template_has_the_documented_columns_and_re_imports_after_filling(client, db, world):
    login(client, world.people["admin@root"])

    response = client.get("/orgs/import/template.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    _rows, errors = read_rows(response.data, ORG_COLUMNS)
    assert errors == []
    header = response.data.decode("utf-8-sig").splitlines()[0].split(";")
    assert header == [column.name for column in ORG_COLUMNS]
    # Fill in the template: the example row, and a new hub.
    filled = (
        response.data.decode("utf-8-sig").rstrip("\r\n")
        + "\r\n"
        + ";".join(
            {"code": "HUB-18-401", "parent_code": "UA-18", "kind": "hub", "name_uk": "Хаб у Чуднові"}.get(
                column.name, ""
            )
            for column in ORG_COLUMNS
        )
    )
    response = upload(client, "/orgs/import", filled.encode("utf-8-sig"))
    assert "1 will be created and 1 updated." in page(response)
    confirm(client, "/orgs/import/confirm", token_of(response))
    example = org(db, "HUB-18-001")
    assert example.name["uk"] == "Хаб цифрової освіти в Коростенській бібліотеці"
    assert example.services == ["e_services", "digital_literacy"]
    assert (example.latitude, example.longitude) == (50.95123, 28.63872)
    assert org(db, "HUB-18-401").parent.code == "UA-18"


# --- people ---------------------------------------------------------------------------------------


GOOD_PEOPLE = csv_file(
    PEOPLE_HEADER,
    "olena.koval@example.org;Коваль;Олена;Петрівна;HUB-18-001;hub_coordinator;librarians;learner;uk",
    "taras.dyachenko@example.org;Дʼяченко;Тарас;;TC-18;regional_trainer;librarians|civil_servants;trainer;en",
    "TRAINER.R1@EXAMPLE.ORG;Тренер;Оновлений;;TC-18;;;;",
)


def test_people_preview_matches_by_email_in_any_case(client, db, world):
    login(client, world.people["admin@root"])

    response = upload(client, "/people/import", GOOD_PEOPLE)

    text = page(response)
    assert "2 will be created and 1 updated." in text
    assert "<td>4</td><td>Update</td>" in text
    assert person(db, "olena.koval@example.org") is None


def test_confirming_imports_people_with_their_roles(client, db, world):
    admin = world.people["admin@root"]
    login(client, admin)
    before = count(db, User)

    response = confirm(
        client, "/people/import/confirm", token_of(upload(client, "/people/import", GOOD_PEOPLE))
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/people")
    assert count(db, User) == before + 2
    olena = person(db, "olena.koval@example.org")
    assert (olena.surname, olena.given_name, olena.patronymic) == ("Коваль", "Олена", "Петрівна")
    assert olena.organisation.code == "HUB-18-001"
    assert olena.job.code == "hub_coordinator"
    assert [group.code for group in olena.target_groups] == ["librarians"]
    assert [(grant.role, grant.organisation.code, grant.granted_by_id) for grant in olena.grants] == [
        ("learner", "HUB-18-001", admin.id)
    ]
    taras = person(db, "taras.dyachenko@example.org")
    assert taras.surname == "Дʼяченко"
    assert taras.locale == "en"
    assert {group.code for group in taras.target_groups} == {"librarians", "civil_servants"}
    assert [(grant.role, grant.organisation.code) for grant in taras.grants] == [("trainer", "TC-18")]
    updated = person(db, "trainer.r1@example.org")
    assert updated.id == world.people["trainer@r1"].id
    assert (updated.surname, updated.given_name) == ("Тренер", "Оновлений")


def test_re_importing_people_updates_rather_than_duplicates(client, db, world):
    login(client, world.people["admin@root"])
    confirm(client, "/people/import/confirm", token_of(upload(client, "/people/import", GOOD_PEOPLE)))
    people, grants = count(db, User), count(db, RoleGrant)

    response = upload(client, "/people/import", GOOD_PEOPLE)

    assert "0 will be created and 3 updated." in page(response)
    confirm(client, "/people/import/confirm", token_of(response))
    assert count(db, User) == people
    assert count(db, RoleGrant) == grants


def test_people_confirmed_twice_are_imported_once(client, db, world):
    login(client, world.people["admin@root"])
    token = token_of(upload(client, "/people/import", GOOD_PEOPLE))
    confirm(client, "/people/import/confirm", token)
    people = count(db, User)

    response = confirm(client, "/people/import/confirm", token)

    assert response.headers["Location"].endswith("/people/import")
    assert count(db, User) == people


def test_a_people_file_with_bad_rows_imports_nothing_and_lists_each_bad_row(client, db, world):
    login(client, world.people["admin@root"])
    data = csv_file(
        PEOPLE_HEADER,
        "good@example.org;Добра;Людина;;HUB-18-001;;;learner;",
        "not-an-email;Погана;Адреса;;HUB-18-001;;;;",
        "nowhere@example.org;Нема;Організації;;HUB-99-999;;;;",
        "boss@example.org;Невідома;Роль;;HUB-18-001;;;boss;",
        "GOOD@example.org;Двічі;Та сама;;HUB-18-001;;;;",
        "nojob@example.org;Невідома;Посада;;HUB-18-001;astronaut;;;",
        "nogroup@example.org;Невідома;Група;;HUB-18-001;;aliens;;",
        "noname@example.org;;;;HUB-18-001;;;;",
        "lang@example.org;Невідома;Мова;;HUB-18-001;;;;de",
    )
    before = count(db, User)

    response = upload(client, "/people/import", data)

    reasons = problems(response)
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "not-an-email is not an e-mail address." in reasons[3]
    assert "There is no organisation with the code HUB-99-999." in reasons[4]
    assert "The role must be learner, trainer, manager or admin." in reasons[5]
    assert "appears twice in the file." in reasons[6]
    assert "Unknown job: astronaut." in reasons[7]
    assert "Unknown target groups: aliens." in reasons[8]
    assert "The surname is empty." in reasons[9]
    assert "The given name is empty." in reasons[9]
    assert "The language must be uk, en, fi or sv." in reasons[10]
    assert count(db, User) == before
    assert person(db, "good@example.org") is None


def test_a_role_the_importer_may_not_grant_is_refused(client, db, world, monkeypatch):
    # A role that may add people but not grant roles (a plugin could set one up with allow()).
    monkeypatch.setitem(ROLE_ACTIONS, "trainer", ROLE_ACTIONS["trainer"] | {"user.create"})
    login(client, world.people["trainer@r1"])
    data = csv_file(
        PEOPLE_HEADER,
        "plain@example.org;Без;Ролі;;TC-18;;;;",
        "promoted@example.org;З;Роллю;;TC-18;;;admin;",
    )

    response = upload(client, "/people/import", data)

    reasons = problems(response)
    assert set(reasons) == {3}
    assert "You may not grant roles over TC-18." in reasons[3]
    assert person(db, "plain@example.org") is None


def test_a_regional_admin_cannot_import_people_into_another_region(client, db, world):
    login(client, world.people["admin@r1"])
    data = csv_file(
        PEOPLE_HEADER,
        "mine@example.org;Своя;Людина;;HUB-18-001;;;learner;",
        "theirs@example.org;Чужа;Людина;;HUB-46-001;;;learner;",
        "learner.r2@example.org;Перехоплена;Людина;;HUB-18-001;;;;",
    )

    response = upload(client, "/people/import", data)

    reasons = problems(response)
    assert set(reasons) == {3, 4}
    assert "HUB-46-001 is outside the organisations you manage." in reasons[3]
    assert "learner.r2@example.org belongs to someone outside your scope." in reasons[4]
    assert person(db, "mine@example.org") is None
    assert person(db, "learner.r2@example.org").organisation.code == "HUB-46-001"


def test_the_people_template_has_the_documented_columns_and_re_imports(client, db, world):
    from lms.accounts.importer import COLUMNS

    login(client, world.people["admin@root"])

    response = client.get("/people/import/template.csv")

    assert response.status_code == 200
    header = response.data.decode("utf-8-sig").splitlines()[0].split(";")
    assert header == [column.name for column in COLUMNS]
    assert {"email", "surname", "given_name", "organisation_code", "role"} <= set(header)
    confirm(client, "/people/import/confirm", token_of(upload(client, "/people/import", response.data)))
    olena = person(db, "olena.koval@example.org")
    assert olena.organisation.code == "HUB-18-001"
    assert [grant.role for grant in olena.grants] == ["learner"]


def test_trainers_may_not_import_people(client, world):
    login(client, world.people["trainer@r1"])

    assert client.get("/people/import").status_code == 403
