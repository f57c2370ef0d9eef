"""API tokens on one's own profile, and /api/v1 within what the token's owner may see."""

from __future__ import annotations

import re
from datetime import date

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from lms.api import tokens
from lms.monitoring.models import ApiToken
from lms.testing import post

EN = {"Accept-Language": "en"}
TOKEN = re.compile(r"<code>(ksk_[^<]+)</code>")


@pytest.fixture
def quarter(world, issue, db):
    issue(world.people["learner@r1"], date(2026, 7, 3), ("civil_servants", "librarians"))
    issue(world.people["learner@r1"], date(2026, 8, 3), ("librarians",))
    issue(world.people["learner@r2"], date(2026, 9, 3), ("medical_workers",))
    db.session.commit()


def token_for(db, person) -> str:
    _row, token = tokens.create_token(person, "test")
    db.session.commit()
    return token


def get(client, path, token):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_token_is_created_once_shown_stored_hashed_and_revoked_on_ones_own_page(
    client, login_as, world, db
):
    login_as(world.people["manager@r1"])
    assert client.get("/profile/api-tokens", headers=EN).status_code == 200
    response = post(client, "/profile/api-tokens", {"name": "Звіти області"}, headers=EN)
    token = TOKEN.search(response.get_data(as_text=True)).group(1)
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == tokens.digest(token) and token not in (row.token_hash, row.prefix)
    assert "ksk_" not in client.get("/profile/api-tokens", headers=EN).get_data(as_text=True).replace(
        row.prefix, ""
    )
    assert get(client, "/api/v1/indicators?period=2026-Q3", token).status_code == 200
    assert post(client, f"/profile/api-tokens/{row.id}/revoke", headers=EN).status_code == 302
    assert get(client, "/api/v1/indicators?period=2026-Q3", token).status_code == 401


def test_nobody_revokes_another_persons_token(client, login_as, world, db):
    token_for(db, world.people["manager@r1"])
    row = db.session.scalar(select(ApiToken))
    login_as(world.people["manager@r2"])
    assert post(client, f"/profile/api-tokens/{row.id}/revoke", headers=EN).status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_indicators_grouped_by_region_and_target_group_with_totals(client, world, db, quarter):
    token = token_for(db, world.people["admin@root"])
    body = get(client, "/api/v1/indicators?period=2026-Q3&group_by=region,target_group", token).get_json()
    assert body["period"] == {"code": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert body["total"] == 3
    values = {item["name"]: item["value"] for item in body["indicators"]}
    assert values["certificates.all"] == 3 and values["certificates.kaskad"] == 3
    assert values["certificates.external"] == 0 and values["people.trained"] == 2
    groups = {(row["region"], row["target_group"]): row["certificates"] for row in body["groups"]}
    assert groups == {
        ("UA-18", "civil_servants"): 1,
        ("UA-18", "librarians"): 2,
        ("UA-46", "medical_workers"): 1,
        ("UA-18", "*"): 2,
        ("UA-46", "*"): 1,
    }
    body = get(client, "/api/v1/indicators?period=2026-Q3&group_by=quarter,source", token).get_json()
    assert body["groups"] == [{"quarter": "2026-Q3", "source": "kaskad", "certificates": 3}]


def test_a_regional_managers_token_sees_her_region_only(client, world, db, quarter):
    token = token_for(db, world.people["manager@r2"])
    body = get(client, "/api/v1/indicators?period=2026-Q3&group_by=region", token).get_json()
    assert body["total"] == 1 and body["groups"] == [{"region": "UA-46", "certificates": 1}]
    body = get(client, "/api/v1/indicators?period=2026-Q3&region=UA-18", token).get_json()
    assert body["total"] == 0
    page = get(client, "/api/v1/certificates?period=2026-Q3", token).get_json()
    assert page["total"] == 1 and {item["region"] for item in page["items"]} == {"UA-46"}
    page = get(client, "/api/v1/certificates?period=2026-Q3&by=region&key=UA-18", token).get_json()
    assert page["total"] == 0


def test_the_certificates_behind_the_figures_a_page_at_a_time(client, world, db, quarter):
    token = token_for(db, world.people["admin@root"])
    page = get(client, "/api/v1/certificates?period=2026-Q3&per_page=2", token).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
    assert page["items"][0]["issued_on"] == "2026-09-03"
    second = get(client, "/api/v1/certificates?period=2026-Q3&per_page=2&page=2", token).get_json()
    assert len(second["items"]) == 1 and second["items"][0]["target_groups"] == [
        "civil_servants",
        "librarians",
    ]
    page = get(client, "/api/v1/certificates?period=2026-Q3&by=target_group&key=librarians", token).get_json()
    assert page["total"] == 2


def test_refusals_are_json_with_a_reason(client, world, db):
    assert client.get("/api/v1/indicators").status_code == 401
    assert (
        client.get("/api/v1/indicators", headers={"Authorization": "Bearer ksk_nonsense"}).status_code == 401
    )
    learner = token_for(db, world.people["learner@r1"])
    assert get(client, "/api/v1/indicators", learner).status_code == 403
    admin = token_for(db, world.people["admin@root"])
    for query, error in (
        ("period=2026-Q9", "bad_period"),
        ("source=elsewhere", "bad_source"),
        ("region=UA-99", "bad_region"),
        ("group_by=planet", "bad_group_by"),
    ):
        response = get(client, f"/api/v1/indicators?{query}", admin)
        assert response.status_code == 400 and response.get_json()["error"] == error
    assert get(client, "/api/v1/certificates?page=x", admin).get_json()["error"] == "bad_page"
    world.people["admin@root"].is_active_account = False
    db.session.commit()
    assert get(client, "/api/v1/indicators", admin).status_code == 401


def test_the_openapi_document_is_valid_and_describes_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    routes = {
        re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert routes == set(document["paths"])
    for path, item in document["paths"].items():
        rule_methods = {
            method.lower()
            for rule in app.url_map.iter_rules()
            if re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule) == path
            for method in rule.methods - {"HEAD", "OPTIONS"}
        }
        assert set(item) == rule_methods, path
