"""Frozen reports keep what they said; later versions can be frozen and compared."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.monitoring import facts
from lms.monitoring.models import FrozenReport
from lms.testing import post

EN = {"Accept-Language": "en"}


@pytest.fixture
def quarter(world, issue, db):
    first = issue(world.people["learner@r1"], date(2026, 7, 3), ("civil_servants", "librarians"))
    issue(world.people["learner@r1"], date(2026, 8, 3), ("librarians",))
    issue(world.people["learner@r2"], date(2026, 9, 3), ("medical_workers",))
    db.session.commit()
    return first


def freeze(client, **args):
    response = post(client, "/monitoring/reports/quarterly/freeze", {"period": "2026-Q3", **args}, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/frozen/(\d+)", response.location).group(1))


def content_of(db, report_id):
    db.session.expire_all()
    return db.session.get(FrozenReport, report_id).content


def test_a_frozen_report_stays_unchanged_after_new_certificates_and_a_revocation(
    client, login_as, world, quarter, issue, db
):
    login_as(world.people["admin@root"])
    first = freeze(client)
    kept = content_of(db, first)
    assert kept["total"]["*"] == 3
    issue(world.people["learner@r2"], date(2026, 9, 20), ("medical_workers",))
    facts.revoke_certificate("kaskad", quarter.source_id, date(2026, 10, 1))
    db.session.commit()
    assert content_of(db, first) == kept
    page = html.unescape(client.get(f"/monitoring/reports/frozen/{first}", headers=EN).get_data(as_text=True))
    assert "Version 1" in page and world.people["admin@root"].full_name in page
    sheet = load_workbook(
        io.BytesIO(client.get(f"/monitoring/reports/frozen/{first}?format=xlsx").data)
    ).active
    assert "version 1" in str(sheet["A3"].value).lower() or "версія 1" in str(sheet["A3"].value).lower()
    csv_lines = (
        client.get(f"/monitoring/reports/frozen/{first}?format=csv").get_data(as_text=True).splitlines()
    )
    assert "UA-18,*,2" in csv_lines and "UA-46,*,1" in csv_lines
    # today's report has moved on; a second version keeps the new numbers
    second = freeze(client)
    now = content_of(db, second)
    assert now["total"]["*"] == 3 and now["total"]["medical_workers"] == 2
    assert db.session.get(FrozenReport, second).version == 2
    page = html.unescape(
        client.get(f"/monitoring/reports/frozen/{second}?against={first}", headers=EN).get_data(as_text=True)
    )
    assert "Differences between version 1 and version 2" in page
    table = page.split("Differences between")[1]
    assert "+1" in table and "-1" in table


def test_versions_are_kept_per_scope_and_another_region_cannot_see_them(client, login_as, world, quarter, db):
    login_as(world.people["manager@r1"])
    mine = freeze(client)
    kept = content_of(db, mine)
    assert {row["name"] for row in kept["rows"]} == {"Not at an institution"}
    assert kept["total"]["*"] == 2
    post(client, "/logout")
    login_as(world.people["manager@r2"])
    assert client.get(f"/monitoring/reports/frozen/{mine}", headers=EN).status_code == 403
    assert client.get(f"/monitoring/reports/frozen/{mine}?format=csv", headers=EN).status_code == 403
    page = client.get("/monitoring/reports/quarterly?period=2026-Q3", headers=EN).get_data(as_text=True)
    assert f"/frozen/{mine}" not in page
    theirs = freeze(client)
    assert db.session.get(FrozenReport, theirs).version == 1  # another scope: its own versions
    post(client, "/logout")
    login_as(world.people["admin@root"])
    assert client.get(f"/monitoring/reports/frozen/{mine}", headers=EN).status_code == 200
    assert db.session.scalar(select(FrozenReport.signed_by_id).where(FrozenReport.id == mine)) == (
        world.people["manager@r1"].id
    )
