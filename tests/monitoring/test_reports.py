"""The quarterly report: `lms reports quarterly` exactly as written, the exports, and the pages."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.accounts.services import target_groups
from lms.monitoring import facts

EN = {"Accept-Language": "en"}


@pytest.fixture
def quarter(world, issue, db):
    """Q3 2026: two certificates in r1 (one under two groups), one in r2, one revoked, one external."""
    learner1, learner2 = world.people["learner@r1"], world.people["learner@r2"]
    issue(learner1, date(2026, 7, 3), ("civil_servants", "librarians"))
    issue(learner1, date(2026, 8, 3), ("librarians",))
    issue(learner2, date(2026, 9, 3), ("medical_workers",))
    revoked = issue(learner2, date(2026, 9, 4), ("medical_workers",))
    facts.revoke_certificate("kaskad", revoked.source_id, date(2026, 10, 1))
    facts.record_certificate(
        "external",
        1,
        date(2026, 7, 9),
        region=world.orgs["r2"],
        course_title="Дія",
        target_groups=["civil_servants"],
    )
    issue(learner2, date(2026, 10, 4), ("medical_workers",))  # Q4
    db.session.commit()


def rows_of(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_quarterly_csv_has_a_row_per_region_and_group_and_a_total_per_region(runner, quarter, tmp_path):
    out = tmp_path / "q.csv"
    result = runner.invoke(
        args=[
            "reports",
            "quarterly",
            "--year",
            "2026",
            "--quarter",
            "3",
            "--format",
            "csv",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    assert rows[0] == ["region_code", "target_group", "certificates"]
    table = {(region, group): int(count) for region, group, count in rows[1:]}
    groups = [group.code for group in target_groups()]
    assert {region for region, _g in table} == {"UA-18", "UA-46"}
    assert len(rows) - 1 == 2 * (len(groups) + 1)
    assert table[("UA-18", "civil_servants")] == 1 and table[("UA-18", "librarians")] == 2
    assert table[("UA-18", "*")] == 2
    assert table[("UA-46", "medical_workers")] == 1  # the revoked one no longer counts
    assert table[("UA-46", "civil_servants")] == 1 and table[("UA-46", "*")] == 2
    # each region's rows end with its total
    assert [row[1] for row in rows[1:] if row[0] == "UA-18"][-1] == "*"


def test_the_quarterly_csv_by_source_and_region(runner, quarter, tmp_path):
    out = tmp_path / "q.csv"
    base = [
        "reports",
        "quarterly",
        "--year",
        "2026",
        "--quarter",
        "3",
        "--format",
        "csv",
        "--output",
        str(out),
    ]
    assert runner.invoke(args=[*base, "--source", "kaskad", "--region", "UA-46"]).exit_code == 0
    table = {(region, group): int(count) for region, group, count in rows_of(out)[1:]}
    assert {region for region, _g in table} == {"UA-46"}
    assert table[("UA-46", "*")] == 1 and table[("UA-46", "civil_servants")] == 0
    assert runner.invoke(args=[*base, "--source", "external"]).exit_code == 0
    table = {(region, group): int(count) for region, group, count in rows_of(out)[1:]}
    assert table[("UA-46", "*")] == 1 and table[("UA-18", "*")] == 0
    result = runner.invoke(args=[*base, "--region", "UA-99"])
    assert result.exit_code != 0 and "no region" in result.output


def test_the_xlsx_is_formatted_with_numbers_as_numbers_and_the_rule(runner, quarter, tmp_path):
    out = tmp_path / "q.xlsx"
    args = [
        "reports",
        "quarterly",
        "--year",
        "2026",
        "--quarter",
        "3",
        "--format",
        "xlsx",
        "--output",
        str(out),
    ]
    assert runner.invoke(args=args).exit_code == 0
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "C5"
    header = [cell.value for cell in sheet[4]]
    assert header[0] == "Code" or header[0] == "Код"
    values = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
    ua18 = values["UA-18"]
    assert all(isinstance(cell.value, int) for cell in ua18[2:])
    assert ua18[-1].value == 2
    notes = [
        row[0].value
        for row in sheet.iter_rows(min_row=5)
        if (row[0].value and "rule" in str(row[0].value).lower())
        or (row[0].value and "Правило" in str(row[0].value))
    ]
    assert notes


def test_the_pdf_keeps_ukrainian_letters(runner, quarter, tmp_path, world):
    out = tmp_path / "q.pdf"
    args = [
        "reports",
        "quarterly",
        "--year",
        "2026",
        "--quarter",
        "3",
        "--format",
        "pdf",
        "--output",
        str(out),
    ]
    assert runner.invoke(args=args).exit_code == 0
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Область" in text and "UA-18" in text and "UA-46" in text and "Бібліотекарі" in text


def test_the_report_page_and_its_exports_for_a_regional_manager(client, login_as, world, quarter):
    login_as(world.people["manager@r1"])
    response = client.get("/monitoring/reports/quarterly?period=2026-Q3", headers=EN)
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "UA-46" not in text and "Not at an institution" in text
    # The page's title is the report's name alone: the freeze form once sat inside the title block.
    title = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)
    assert "<" not in title and "Freeze" not in title
    assert text.count("Freeze this report") == 1
    response = client.get("/monitoring/reports/quarterly?period=2026-Q3&format=csv&source=all", headers=EN)
    assert response.status_code == 200
    assert "UA-46" not in response.get_data(as_text=True)
    response = client.get("/monitoring/reports/quarterly?period=2026-Q3&format=xlsx", headers=EN)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert not any("UA-46" in str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert client.get("/monitoring/reports/nothing", headers=EN).status_code == 404


def test_the_dashboard_shows_a_managers_region_only_and_links_to_the_certificates(
    client, login_as, world, quarter
):
    login_as(world.people["manager@r1"])
    response = client.get("/monitoring/?period=2026-Q3&by=region", headers=EN)
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    r1, r2 = world.orgs["r1"].name["en"], world.orgs["r2"].name["en"]
    assert f">{r1}<" in text and f">{r2}<" not in text
    assert "<svg" in text and '<title id="trend-title">' in text
    response = client.get(
        f"/monitoring/certificates?period=2026-Q3&by=region&key={world.orgs['r1'].id}", headers=EN
    )
    text = html.unescape(response.get_data(as_text=True))
    assert "2 certificates" in text
    response = client.get(
        f"/monitoring/certificates?period=2026-Q3&by=region&key={world.orgs['r2'].id}", headers=EN
    )
    assert "0 certificates" in html.unescape(response.get_data(as_text=True))
    response = client.get("/monitoring/certificates?period=2026-Q3&format=csv", headers=EN)
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 2 + 1  # header, two certificates, the rule


def test_the_dashboard_for_a_national_admin_and_each_breakdown(client, login_as, world, quarter):
    login_as(world.people["admin@root"])
    for by in (
        "region",
        "institution",
        "hub",
        "target_group",
        "course",
        "trainer",
        "cascade_level",
        "quarter",
    ):
        response = client.get(f"/monitoring/?period=2026-Q3&by={by}", headers=EN)
        assert response.status_code == 200, by
    for period in ("2026-H2", "2026", "nonsense"):
        assert client.get(f"/monitoring/?period={period}", headers=EN).status_code == 200
    response = client.get("/monitoring/?start=2026-07-01&end=2026-07-31", headers=EN)
    assert response.status_code == 200
    response = client.get("/monitoring/?start=2026-08-01&end=2026-07-31", headers=EN)
    assert "before its start" in html.unescape(response.get_data(as_text=True))


def test_a_trend_labels_each_column_on_two_lines_so_eight_quarters_do_not_run_into_each_other():
    from lms.monitoring.charts import Bar, column_chart

    svg = str(column_chart("t", "Trend", "Certificates per quarter", [Bar("4 квартал 2025", 3, "3")]))
    assert '">4 квартал</tspan>' in svg and 'dy="14">2025</tspan>' in svg
