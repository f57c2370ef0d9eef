"""Monitoring on a 320 px phone with JavaScript off: a regional manager uploads external certificates
from a CSV with one bad row and sees it refused whole, fixes the row and imports the file, opens the
dashboard, filters it to a quarter, follows a number to its certificates, downloads the quarterly report
as XLSX and freezes it. Every page passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.monitoring.models import ExternalCertificate, FrozenReport
from tests.courses.conftest import CourseFactory
from tests.courses.test_quiz_indicators import QUIZ, build_assessed

from .conftest import log_in

HEADER = "source;number;course_title;issued_on;surname;given_name;email;position;region_code;target_groups\n"
GOOD = "diia;DO-2026-1;Цифрова грамотність;15.08.2026;Коваль;Олена;;спеціалістка;UA-18;civil_servants\n"
SECOND = "Prometheus;P-77;Кібергігієна;02.09.2026;Бондар;Мар’яна;;;UA-18;civil_servants|medical_workers\n"
BAD = "diia;DO-2026-2;Кібергігієна;31.09.2026;Мельник;Петро;;;UA-18;civil_servants\n"


def _upload(person: Any, text: str) -> None:
    person.page.set_input_files(
        "#file", files=[{"name": "dia.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}]
    )
    person.click('main form[enctype] button[type="submit"]')


@pytest.mark.browser
def test_a_regional_manager_counts_external_certificates_and_freezes_the_quarter(
    world, journey, db, tmp_path
):
    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.menu("/monitoring/external")
    manager.click('a[href="/monitoring/external/import"]')
    _upload(manager, HEADER + GOOD + SECOND + BAD)
    content = manager.page.content()
    assert "<td>4</td>" in content  # the bad row, by its line
    assert db.session.scalar(select(func.count()).select_from(ExternalCertificate)) == 0

    _upload(manager, HEADER + GOOD + SECOND + BAD.replace("31.09.2026", "30.09.2026"))
    manager.click('main form input[name="token"] ~ button[type="submit"]')
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExternalCertificate)) == 3

    manager.menu("/monitoring/")
    manager.page.select_option("#f-period", "2026-Q3")
    manager.click('form.filters button[type="submit"]')
    assert "period=2026-Q3" in manager.path
    table = manager.page.locator("section", has=manager.page.locator("#groups-h"))
    assert table.locator("tfoot a").inner_text().strip() == "3"
    # the civil servants' number leads to their three certificates
    manager.click('a[href*="by=target_group"][href*="key=civil_servants"]')
    rows = manager.page.locator("main table tbody tr")
    assert rows.count() == 3

    manager.goto("/monitoring/reports/quarterly?period=2026-Q3")
    with manager.page.expect_download() as download:
        manager.page.click('a[href*="format=xlsx"]')
    saved = tmp_path / "quarterly.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet.freeze_panes == "C5"
    manager.click('main form[action$="/freeze"] button[type="submit"]')
    assert "/monitoring/reports/frozen/" in manager.path
    db.session.expire_all()
    report = db.session.scalar(select(FrozenReport))
    assert report.signed_by_id == world.people["manager@r1"].id and report.content["total"]["*"] == 3


@pytest.mark.browser
def test_the_competence_gap_map_reads_on_a_phone_without_javascript(world, journey, db, make):
    build_assessed(db, world, make, CourseFactory()("GAP-1", layout=QUIZ))
    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.goto("/monitoring/?period=2026-Q3")
    section = manager.page.locator("section", has=manager.page.locator("#quizzes-competence-gaps-h"))
    assert section.locator("svg.heat-map title").count() == 1
    cells = section.locator("table tbody tr")
    assert cells.count() == 2  # two competences, one region (hers)
    assert "33,3% (1 з 3)" in cells.nth(0).inner_text() and "66,7% (2 з 3)" in cells.nth(1).inner_text()
