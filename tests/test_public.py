"""The public face: hub directory, a hub's page and calendar, open data, the landing page."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import jsonschema
import pytest
from icalendar import Calendar

from lms.i18n import utcnow
from lms.testing import login

# RFC 7946 as a JSON Schema, for what these files use: a FeatureCollection of Features whose geometry
# is a Point of two numbers (longitude in [-180, 180], latitude in [-90, 90]) or null (unlocated).
POINT = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"const": "Point"},
        "coordinates": {
            "type": "array",
            "minItems": 2,
            "maxItems": 3,
            "prefixItems": [
                {"type": "number", "minimum": -180, "maximum": 180},
                {"type": "number", "minimum": -90, "maximum": 90},
            ],
            "items": {"type": "number"},
        },
    },
}
RFC7946 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "features"],
    "not": {"required": ["crs"]},  # RFC 7946 removed "crs": coordinates are WGS 84
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "id": {"type": ["string", "number"]},
                    "geometry": {"oneOf": [{"type": "null"}, POINT]},
                    "properties": {"type": ["object", "null"]},
                },
            },
        },
    },
}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def hubs(world, make):
    """Three hubs in r1 (one without coordinates, one temporarily closed) besides the world's own."""
    region = world.orgs["r1"]
    made = {
        "korosten": make.org(
            "hub",
            region,
            code="HUB-18-101",
            name="Хаб цифрової освіти в Коростенській бібліотеці",
            settlement="м. Коростень",
            hromada="Коростенська міська територіальна громада",
            address="вул. Грушевського, 21",
            host_type="library",
            latitude=50.95123,
            longitude=28.63872,
            opening_hours="Mo-Fr 09:00-18:00",
            services=["e_services", "digital_literacy"],
            phone="+380 4142 5 12 34",
            email="hub@korosten.example.org",
            website="https://korosten.example.org",
        ),
        "ovruch": make.org(
            "hub",
            region,
            code="HUB-18-102",
            name="Хаб цифрової освіти в ЦНАП Овруча",
            settlement="м. Овруч",
            host_type="admin_service_centre",
            services=["e_services"],
        ),
        "oleksiivka": make.org(
            "hub",
            region,
            code="HUB-18-103",
            name="Хаб у бібліотеці с. Олексіївка",
            settlement="с. Олексіївка",
            host_type="library",
            latitude=50.1,
            longitude=28.2,
            status="temporarily_closed",
            services=["device_access"],
        ),
    }
    make.commit()
    return made


def codes_on(page: str) -> list[str]:
    return re.findall(r'href="/hubs/(HUB-[\w-]+)"', page)


# --- the directory -----------------------------------------------------------------------------------


def test_the_directory_finds_a_hub_by_its_settlement_in_any_case(client, hubs):
    response = client.get("/hubs/?q=КОРОСТЕНЬ")
    assert response.status_code == 200
    assert codes_on(text(response)) == ["HUB-18-101"]
    assert codes_on(text(client.get("/hubs/?q=коростень"))) == ["HUB-18-101"]


def test_the_directory_searches_hromada_and_name_word_by_word(client, hubs):
    assert codes_on(text(client.get("/hubs/?q=міська+громада+коростенська"))) == ["HUB-18-101"]
    assert codes_on(text(client.get("/hubs/?q=ЦНАП"))) == ["HUB-18-102"]


def test_the_directory_filters_by_region_service_host_and_status(client, world, hubs):
    assert set(codes_on(text(client.get("/hubs/?region=UA-46")))) == {"HUB-46-001"}
    assert set(codes_on(text(client.get("/hubs/?service=e_services")))) == {"HUB-18-101", "HUB-18-102"}
    assert codes_on(text(client.get("/hubs/?host_type=admin_service_centre"))) == ["HUB-18-102"]
    assert codes_on(text(client.get("/hubs/?status=temporarily_closed"))) == ["HUB-18-103"]
    # Unknown values are ignored, not an error.
    assert client.get("/hubs/?status=burnt&region=XX&page=x").status_code == 200


def test_the_directory_sorts_by_the_name_shown_in_each_language(client, db, world):
    from lms.orgs.services import create_organisation

    region = world.orgs["r1"]
    create_organisation("HUB-18-201", "hub", {"uk": "Абрикосовий хаб", "en": "Zhytomyr apricot hub"}, region)
    create_organisation("HUB-18-202", "hub", {"uk": "Яблуневий хаб", "en": "Apple orchard hub"}, region)
    db.session.commit()

    def order(language: str) -> list[str]:
        page = text(client.get("/hubs/?region=UA-18", headers={"Accept-Language": language}))
        return [code for code in codes_on(page) if code in ("HUB-18-201", "HUB-18-202")]

    assert order("uk") == ["HUB-18-201", "HUB-18-202"]  # А before Я
    assert order("en") == ["HUB-18-202", "HUB-18-201"]  # Apple before Zhytomyr
    assert order("uk") == ["HUB-18-201", "HUB-18-202"]  # each language keeps its own order


def test_the_directory_is_paginated_and_pages_keep_the_filter(app, client, world, hubs):
    app.config["LMS_PAGE_SIZE"] = 2
    page = text(client.get("/hubs/?region=UA-18"))
    assert len(codes_on(page)) == 2
    assert "page=2" in page and "region=UA-18" in page
    assert len(codes_on(text(client.get("/hubs/?region=UA-18&page=2")))) == 2  # 4 hubs in r1


def test_a_hub_page_shows_address_hours_services_contact_and_map_link(client, hubs):
    response = client.get("/hubs/HUB-18-101", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = text(response)
    for expected in (
        "вул. Грушевського, 21",
        "м. Коростень",
        "Mo-Fr 09:00-18:00",
        "Help with e-government services",
        'href="tel:+380414251234"',
        "mailto:hub@korosten.example.org",
        "https://korosten.example.org",
        "openstreetmap.org/?mlat=50.95123&amp;mlon=28.63872",
    ):
        assert expected in page


def test_a_hub_without_coordinates_has_no_map_link_and_other_organisations_have_no_page(client, world, hubs):
    assert "openstreetmap" not in text(client.get("/hubs/HUB-18-102"))
    assert client.get("/hubs/TC-18").status_code == 404
    assert client.get("/hubs/UA-18").status_code == 404
    assert client.get("/hubs/NOPE").status_code == 404


# --- open data ---------------------------------------------------------------------------------------


def geojson(client, query: str = ""):
    response = client.get("/open-data/hubs.geojson" + query)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    return json.loads(response.data)


def read_csv(client, query: str = "") -> list[dict[str, str]]:
    response = client.get("/open-data/hubs.csv" + query)
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    body = response.data.decode("utf-8-sig")
    assert "\r\n" in body
    return list(csv.DictReader(io.StringIO(body), delimiter=";"))


def test_the_geojson_is_rfc_7946_with_points_in_longitude_latitude_order(client, hubs):
    data = geojson(client)
    jsonschema.validate(data, RFC7946)
    features = {feature["properties"]["code"]: feature for feature in data["features"]}
    assert features["HUB-18-101"]["geometry"] == {"type": "Point", "coordinates": [28.63872, 50.95123]}
    assert features["HUB-18-102"]["geometry"] is None  # listed, not mapped
    properties = features["HUB-18-101"]["properties"]
    assert properties["name"] == "Хаб цифрової освіти в Коростенській бібліотеці"
    assert properties["region_code"] == "UA-18"
    assert properties["settlement"] == "м. Коростень"
    assert properties["status"] == "open"
    assert properties["services"] == ["e_services", "digital_literacy"]
    assert data["licence"] and data["data_date"]


def test_csv_and_geojson_carry_the_same_hubs(client, world, hubs):
    rows = read_csv(client)
    features = geojson(client)["features"]
    assert sorted(row["code"] for row in rows) == sorted(f["properties"]["code"] for f in features)
    assert {row["code"] for row in rows} >= {"HUB-18-101", "HUB-18-102", "HUB-18-103", "HUB-46-001"}
    assert "TC-18" not in {row["code"] for row in rows}
    korosten = next(row for row in rows if row["code"] == "HUB-18-101")
    assert korosten["name"] == "Хаб цифрової освіти в Коростенській бібліотеці"
    assert korosten["region_code"] == "UA-18"
    assert korosten["latitude"] == "50.95123" and korosten["longitude"] == "28.63872"
    assert korosten["services"] == "e_services|digital_literacy"
    assert korosten["phone"] == "'+380 4142 5 12 34"  # never a formula in a spreadsheet


@pytest.mark.parametrize(
    "query", ["?q=коростень", "?region=UA-18", "?service=e_services", "?status=open&host_type=library", ""]
)
def test_the_geojson_matches_the_lists_filter(app, client, world, hubs, query):
    app.config["LMS_PAGE_SIZE"] = 100
    listed = set(codes_on(text(client.get("/hubs/" + query))))
    assert listed == {feature["properties"]["code"] for feature in geojson(client, query)["features"]}
    assert listed == {row["code"] for row in read_csv(client, query)}


def test_the_open_data_page_states_the_licence_and_the_date(client, hubs):
    page = text(client.get("/open-data/", headers={"Accept-Language": "en"}))
    assert "CC BY 4.0" in page and "Date of the data" in page
    assert 'href="/open-data/hubs.csv"' in page and 'href="/open-data/hubs.geojson"' in page


# --- public sessions ---------------------------------------------------------------------------------


@pytest.fixture
def public_session(db, world, hubs):
    """A cohort at tc@r1 with learner@r1 in it; one public session at the Korosten hub, one private."""
    from courses.cohorts.models import Cohort, CohortMember, CohortSession
    from courses.models import Course, Item, Module
    from courses.services import enrol

    learner = world.people["learner@r1"]
    learner.surname, learner.given_name = "Неповторна", "Ядвіга"
    item = Item(key="intro", kind="text", title={"uk": "Вступ"}, body="Текст.", completion="button")
    course = Course(
        code="PUB-1",
        title={"uk": "Цифрова грамотність для всіх", "en": "Digital literacy for everyone"},
        status="published",
        modules=[Module(key="m", title={"uk": "Модуль"}, items=[item])],
    )
    cohort = Cohort(
        course=course,
        organisation=world.orgs["tc@r1"],
        starts_on=utcnow().date(),
        ends_on=utcnow().date() + timedelta(days=30),
        status="running",
    )
    cohort.trainers.append(world.people["trainer@r1"])
    cohort.members.append(CohortMember(user=learner, enrolment=enrol(learner, course)))
    start = utcnow() + timedelta(days=2)
    hub = hubs["korosten"]
    cohort.sessions.append(
        CohortSession(
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            topic="Держпослуги онлайн: Дія",
            venue_organisation=hub,
            place="Читальна зала",
            is_public=True,
        )
    )
    cohort.sessions.append(
        CohortSession(
            starts_at=start + timedelta(days=1),
            ends_at=start + timedelta(days=1, hours=2),
            topic="Закрите заняття",
            venue_organisation=hub,
        )
    )
    db.session.add(cohort)
    db.session.commit()
    return cohort


def test_a_hubs_page_lists_its_public_sessions_and_courses_only(client, public_session):
    page = text(client.get("/hubs/HUB-18-101"))
    assert "Держпослуги онлайн: Дія" in page
    assert "Цифрова грамотність для всіх" in page
    assert "Читальна зала" in page
    assert "Закрите заняття" not in page
    assert "Держпослуги" not in text(client.get("/hubs/HUB-18-102"))


def test_the_hubs_calendar_has_its_public_sessions_with_the_cohort_feeds_uid(client, public_session):
    response = client.get("/hubs/HUB-18-101/sessions.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == ["Держпослуги онлайн: Дія"]
    public = next(session for session in public_session.sessions if session.is_public)
    assert str(events[0]["UID"]) == f"{public.uid}@kaskad.test"
    assert client.get("/hubs/NOPE/sessions.ics").status_code == 404


def test_no_public_page_shows_a_learner_or_a_trainer(client, world, public_session):
    learner, trainer = world.people["learner@r1"], world.people["trainer@r1"]
    for path in (
        "/",
        "/hubs/",
        "/hubs/?q=коростень",
        "/hubs/HUB-18-101",
        "/hubs/HUB-18-001",
        "/hubs/HUB-18-101/sessions.ics",
        "/open-data/",
        "/open-data/hubs.csv",
        "/open-data/hubs.geojson",
    ):
        body = client.get(path).get_data(as_text=True)
        for person in (learner, trainer):
            for value in (person.surname, person.given_name, person.email):
                assert value not in body, f"{value} on {path}"


# --- limits and caching ------------------------------------------------------------------------------


def test_public_pages_are_rate_limited_per_address(app, client, hubs):
    app.config["LMS_PUBLIC_LIMIT"] = "3 per minute"
    app.config["LMS_OPEN_DATA_LIMIT"] = "2 per minute"
    address = {"REMOTE_ADDR": "10.9.9.9"}
    for _ in range(3):
        assert client.get("/hubs/", environ_base=address).status_code == 200
    assert client.get("/hubs/", environ_base=address).status_code == 429
    assert client.get("/hubs/", environ_base={"REMOTE_ADDR": "10.9.9.10"}).status_code == 200
    for _ in range(2):
        assert client.get("/open-data/hubs.geojson", environ_base=address).status_code == 200
    assert client.get("/open-data/hubs.geojson", environ_base=address).status_code == 429


def test_open_data_may_be_kept_by_anyone_but_pages_of_logged_in_people_are_not(client, world, hubs):
    response = client.get("/open-data/hubs.csv")
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Last-Modified"].endswith("GMT")
    login(client, world.people["learner@r1"])
    assert client.get("/hubs/").headers["Cache-Control"] == "private, no-store"


# --- the landing page and its figures ----------------------------------------------------------------


def test_the_landing_page_says_only_what_works(client, hubs):
    page = text(client.get("/", headers={"Accept-Language": "en"}))
    assert 'action="/hubs/"' in page and 'href="/open-data/"' in page
    assert "Help with e-government services" in page
    assert "Training of trainers" not in page
    assert "report" not in page.lower()  # nothing promised that is not there
    assert 'href="/verify"' in page  # the certificates plugin serves the check
    assert "The programme in figures" not in page  # nothing published yet


def test_without_a_certificate_check_the_landing_page_does_not_offer_one(client, monkeypatch):
    from lms.public import views

    monkeypatch.setattr(views, "_page_exists", lambda path: False)
    page = text(client.get("/", headers={"Accept-Language": "en"}))
    assert 'href="/verify"' not in page and "Check a certificate" not in page


def test_an_admin_publishes_headline_figures_for_visitors(app, client, world, hubs):
    from lms.testing import post

    admin = world.people["admin@root"]
    login(client, admin)
    form = text(client.get("/public-figures", headers={"Accept-Language": "en"}))
    assert 'value="lms.hubs"' in form and "Digital Education Hubs (5)" in form
    response = post(client, "/public-figures", {"published": ["lms.hubs"]})
    assert response.status_code == 302
    client.post("/logout", data={})
    visitor = app.test_client()
    page = text(visitor.get("/", headers={"Accept-Language": "en"}))
    assert "The programme in figures" in page
    assert re.search(r"<dt>Digital Education Hubs</dt><dd>5</dd>", page)
    assert "Active people" not in page


def test_a_regional_admin_may_not_publish_figures(client, world):
    login(client, world.people["admin@r1"])
    assert client.get("/public-figures").status_code == 403


# --- the map -----------------------------------------------------------------------------------------


def test_the_policy_allows_images_from_the_tile_server_only(client):
    from lms.bootstrap import tiles_source

    policy = client.get("/hubs/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert tiles_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tiles_source("http://127.0.0.1:8001/{z}/{x}/{y}.png") == "http://127.0.0.1:8001"
    with pytest.raises(ValueError):
        tiles_source("tiles/{z}/{x}/{y}.png")


def test_the_map_comes_from_kaskads_own_files_and_the_list_needs_none(client, hubs):
    page = text(client.get("/hubs/?region=UA-18"))
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/vendor/leaflet/leaflet-markercluster.js", "/static/hubs-map.js"]
    assert "<script>" not in page and " style=" not in page
    assert not re.search(r'(src|href)="(https?:)?//(?!www\.openstreetmap\.org)', page)  # no CDN
    for path in [*scripts, "/static/vendor/leaflet/leaflet-markercluster.css"]:
        assert client.get(path).status_code == 200
    # The map (hidden until its script runs) asks for the list's own filter, with its tiles and credit.
    assert 'id="hub-map-area" class="hub-map-area" hidden' in page
    assert 'data-geojson="/open-data/hubs.geojson?region=UA-18"' in page
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "OpenStreetMap contributors" in page
    assert len(codes_on(page)) == 4  # every hub is in the list, with or without coordinates


def test_the_kept_open_data_follows_every_change_of_the_hubs(client, db, world, hubs):
    from lms.orgs.services import move_organisation, update_organisation

    def korosten() -> dict:
        features = geojson(client)["features"]
        return next(f["properties"] for f in features if f["properties"]["code"] == "HUB-18-101")

    assert korosten()["status"] == "open"
    update_organisation(hubs["korosten"], status="relocated")
    db.session.commit()
    assert korosten()["status"] == "relocated"
    move_organisation(hubs["korosten"], world.orgs["r2"])
    db.session.commit()
    assert korosten()["region_code"] == "UA-46"
    assert next(row for row in read_csv(client) if row["code"] == "HUB-18-101")["region_code"] == "UA-46"


def test_every_count_can_be_published_but_a_share_is_not_offered(app, client, world, hubs):
    from lms.plugins import registry
    from lms.testing import post

    indicators = registry(app).indicators.values()
    counts = [indicator.name for indicator in indicators if indicator.unit == "count"]
    shares = [indicator.name for indicator in indicators if indicator.unit == "share"]
    login(client, world.people["admin@root"])
    form = text(client.get("/public-figures"))
    assert all(f'value="{name}"' in form for name in counts)
    assert not any(f'value="{name}"' in form for name in shares)  # a share needs its base beside it
    response = post(client, "/public-figures", {"published": counts})
    assert response.status_code == 302
    client.post("/logout", data={})
    page = text(app.test_client().get("/", headers={"Accept-Language": "en"}))
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert figures["Digital Education Hubs"] == "5"
    assert len(figures) == len(counts)


# --- a hub's contact, kept by the organisation pages and the import ----------------------------------


def test_a_hubs_contact_comes_from_the_import_which_refuses_bad_addresses(client, db, world):
    from lms.orgs.importer import OrganisationImporter
    from lms.permissions import Scope

    importer = OrganisationImporter(Scope((), is_everything=True))
    row = {"code": "HUB-18-301", "parent_code": "UA-18", "kind": "hub", "name_uk": "Хаб у Баранівці"}
    bad = importer.check([(2, {**row, "email": "not an address", "website": "www.example.org"})])
    assert [line for line, _ in bad.errors] == [2, 2]
    good = importer.check(
        [(2, {**row, "phone": "+380 4144 2 13 14", "email": "hub@baranivka.example.org", "website": ""})]
    )
    assert good.errors == []
    importer.apply(good)
    db.session.commit()
    page = text(client.get("/hubs/HUB-18-301"))
    assert "+380 4144 2 13 14" in page and "mailto:hub@baranivka.example.org" in page


def test_an_admin_edits_a_hubs_contact_and_a_wrong_address_keeps_the_form(client, db, world):
    from lms.testing import post

    hub = world.orgs["hub@r1"]
    login(client, world.people["admin@r1"])
    form = {"name_uk": "Хаб", "host_type": "library", "status": "open", "phone": "+380 1", "email": "nope"}
    response = post(client, f"/orgs/{hub.id}/edit", form, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Enter an e-mail address." in text(response) and 'value="+380 1"' in text(response)
    response = post(client, f"/orgs/{hub.id}/edit", {**form, "email": "hub@example.org"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (hub.phone, hub.email) == ("+380 1", "hub@example.org")
