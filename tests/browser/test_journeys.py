"""The four journeys the platform foundation promises, walked in Chromium without JavaScript on a
320 px phone; every page on the way passes axe-core (WCAG 2.1 A/AA) and does not scroll sideways
(see conftest.py for how those checks run)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.orgs.models import Organisation
from lms.testing import TEST_PASSWORD

from .conftest import DESKTOP, REPO, Journey, log_in

SCREENSHOT = REPO / "docs" / "screenshot-home-uk.png"


def log_out(person: Journey) -> None:
    person.click('nav form[action="/logout"] button')
    assert person.path == "/"


def language(person: Journey) -> str | None:
    return person.page.get_attribute("html", "lang")


def nav_links(person: Journey) -> list[str | None]:
    links = person.page.locator("nav a")
    return [links.nth(index).get_attribute("href") for index in range(links.count())]


@pytest.mark.browser
def test_an_admin_logs_in_from_the_home_page_sees_the_menu_and_logs_out(world: Any, journey: Any) -> None:
    admin = world.people["admin@root"]
    visitor = journey()
    visitor.goto("/")
    assert language(visitor) == "uk"
    assert nav_links(visitor) == ["/login"]

    visitor.click('main a[href="/login"]')
    assert visitor.path == "/login"
    visitor.fill({"#email": admin.email, "#password": TEST_PASSWORD})
    visitor.click('main form button[type="submit"]')

    assert visitor.path == "/"
    assert admin.given_name in visitor.page.inner_text("main h1")
    assert {"/orgs/", "/people", "/target-groups", "/audit/", "/profile"} <= set(nav_links(visitor))
    log_out(visitor)
    assert nav_links(visitor) == ["/login"]
    assert visitor.page.locator("main .msg.success").count() == 1
    assert visitor.visited[0] == visitor.base_url + "/"


@pytest.mark.browser
def test_a_visitor_switches_language_and_a_user_keeps_the_choice_in_the_account(
    world: Any, journey: Any, db: Any
) -> None:
    visitor = journey()
    visitor.goto("/")
    assert language(visitor) == "uk"

    visitor.click('.langs button[value="en"]')
    assert language(visitor) == "en"
    assert visitor.page.inner_text("main h1").startswith("Digital Education Hubs: free help")
    assert visitor.page.get_attribute('.langs button[value="en"]', "aria-current") == "true"
    for code in ("fi", "sv", "uk"):
        visitor.click(f'.langs button[value="{code}"]')
        assert language(visitor) == code
        assert visitor.path == "/"

    learner = world.people["learner@r1"]
    log_in(visitor, learner.email)
    assert language(visitor) == "uk"
    visitor.click('.langs button[value="sv"]')
    assert language(visitor) == "sv"
    log_out(visitor)
    log_in(visitor, learner.email)
    assert language(visitor) == "sv"

    elsewhere = journey()  # another computer: no session, a browser asking for Ukrainian
    elsewhere.goto("/")
    assert language(elsewhere) == "uk"
    log_in(elsewhere, learner.email)
    assert language(elsewhere) == "sv"
    db.session.expire_all()
    assert db.session.get(User, learner.id).locale == "sv"


@pytest.mark.browser
def test_a_regional_admin_invites_a_person_who_sets_a_password_and_is_logged_in(
    world: Any, journey: Any, db: Any
) -> None:
    admin = world.people["admin@r1"]
    hub = world.orgs["hub@r1"]
    person = {"surname": "Мʼясоїд", "given_name": "Ґалина", "patronymic": "Її-Ярославівна"}
    email = "halyna.miasoid@example.org"

    inviter = journey()
    inviter.goto("/")
    log_in(inviter, admin.email)
    inviter.menu("/people")
    inviter.click('main a[href="/people/invite"]')
    assert inviter.path == "/people/invite"

    # Without the e-mail address: the form comes back with an error and keeps what was typed.
    inviter.fill({f"#{name}": value for name, value in person.items()} | {"#organisation": hub.code})
    inviter.click('main form button[type="submit"]')
    assert inviter.path == "/people/invite"
    assert inviter.page.get_attribute("#email", "aria-invalid") == "true"
    assert inviter.page.locator("#email-error").count() == 1
    assert inviter.page.locator('main [role="alert"]').count() == 1
    for name, value in person.items():
        assert inviter.page.input_value(f"#{name}") == value
    assert inviter.page.input_value("#organisation") == hub.code

    inviter.fill({"#email": email})
    inviter.click('main form button[type="submit"]')
    link = inviter.page.input_value("#invite-link")
    assert link.startswith(inviter.base_url + "/invitation/")
    assert "Мʼясоїд" in inviter.page.inner_text("main")

    invited = journey()
    invited.goto(link)
    assert "Ґалина" in invited.page.inner_text("main h1")
    invited.fill({"#password": "ґалина любить бібліотеку", "#confirm": "ґалина любить бібліотеку"})
    invited.click('main form button[type="submit"]')

    assert invited.path == "/"
    assert "Ґалина" in invited.page.inner_text("main h1")
    assert "Ґалина Мʼясоїд" in invited.page.inner_text("nav")
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    assert (user.surname, user.given_name, user.organisation_id) == ("Мʼясоїд", "Ґалина", hub.id)
    assert [grant.role for grant in user.grants] == ["learner"]


def write_csv(path: Path, rows: list[str]) -> Path:
    """A file as Ukrainian Excel saves "CSV UTF-8": a byte-order mark and semicolons."""
    header = "code;parent_code;kind;name_uk;latitude;longitude"
    path.write_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8"))
    return path


@pytest.mark.browser
def test_an_admin_imports_hubs_from_csv_and_a_bad_row_stops_the_whole_file(
    world: Any, journey: Any, db: Any, tmp_path: Path
) -> None:
    good = [
        "HUB-18-101;UA-18;hub;Хаб цифрової освіти в Коростенській бібліотеці;50,95123;28,63872",
        "HUB-18-102;UA-18;hub;Хаб у ЦНАП Овруча;51.32410;28.80890",
    ]
    bad = "HUB-18-103;UA-99;hub;Хаб у Бердичівській гімназії;abc;28.57"
    admin = world.people["admin@r1"]

    importer = journey()
    importer.goto("/")
    log_in(importer, admin.email)
    importer.menu("/orgs/")
    importer.click('main a[href="/orgs/import"]')
    assert importer.path == "/orgs/import"

    importer.page.set_input_files(
        "#file", write_csv(tmp_path / "hubs-with-a-bad-row.csv", [good[0], bad, good[1]])
    )
    importer.click('main form[enctype="multipart/form-data"] button[type="submit"]')
    report = importer.page.locator('main [role="alert"] tbody tr')
    assert {report.nth(index).locator("td").first.inner_text() for index in range(report.count())} == {"3"}
    assert importer.page.locator('form[action="/orgs/import/confirm"]').count() == 0
    db.session.expire_all()
    codes = {"HUB-18-101", "HUB-18-102", "HUB-18-103"}
    assert db.session.scalars(select(Organisation).where(Organisation.code.in_(codes))).all() == []

    importer.page.set_input_files("#file", write_csv(tmp_path / "hubs.csv", good))
    importer.click('main form[enctype="multipart/form-data"] button[type="submit"]')
    preview = importer.page.inner_text("main section")
    assert "HUB-18-101" in preview and "HUB-18-102" in preview
    importer.click('form[action="/orgs/import/confirm"] button[type="submit"]')

    assert importer.path == "/orgs/"
    listed = importer.page.inner_text("main table")
    assert "Хаб цифрової освіти в Коростенській бібліотеці" in listed and "Хаб у ЦНАП Овруча" in listed
    db.session.expire_all()
    imported = db.session.scalars(select(Organisation).where(Organisation.code.in_(codes))).all()
    assert sorted(org.code for org in imported) == ["HUB-18-101", "HUB-18-102"]
    assert {org.parent_id for org in imported} == {world.orgs["r1"].id}


@pytest.mark.browser
def test_the_ukrainian_home_page_of_an_admin_on_a_desktop(world: Any, journey: Any, tmp_path: Path) -> None:
    """Also the screenshot in the README: written to docs/ when LMS_SCREENSHOTS=1."""
    admin = journey(viewport=DESKTOP)
    admin.goto("/")
    log_in(admin, world.people["admin@root"].email)
    assert language(admin) == "uk"
    if os.environ.get("LMS_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        admin.page.screenshot(path=str(SCREENSHOT))
    else:
        admin.page.screenshot(path=str(tmp_path / "home.png"))
