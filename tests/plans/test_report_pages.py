"""The execution report's pages: the report for a period (scoped), its downloads (CSV, XLSX with a
frozen header and numbers as numbers, PDF with the Ukrainian names intact), freezing versions that
later data leaves unchanged, and the differences between two versions."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from lms.monitoring import facts
from lms.monitoring.models import FrozenReport
from lms.testing import post
from tests.plans.conftest import execution_plan

EN = {"Accept-Language": "en"}
UK = {"Accept-Language": "uk"}
URL = "/plans/P-REP/report"


def test_the_manager_sees_every_action_with_values_statuses_and_the_rules(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])

    page = client.get(f"{URL}?period=2026-H1", headers=EN).get_data(as_text=True)

    for text in ("Навчання службовців", "Видання інструкцій", "Інформаційні кампанії"):
        assert text in page
    assert "Курси «Цифрова грамотність» у Звягелі" in page  # the executor's note
    assert "чернетка" not in page  # a draft's note is not shown
    assert "1 of 2 executors submitted" in page
    assert "Provisional: the round is not closed" in page
    assert "Status: when executors gave their word" in page
    assert 'action="/plans/P-REP/report/freeze"' in page
    assert "format=xlsx" in page


def test_an_executor_sees_only_its_own_actions_and_cannot_freeze(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["trainer@r2"])  # acts for tc@r2, the executor of action 3 only

    response = client.get(f"{URL}?period=2026-H1", headers=EN)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Інформаційні кампанії" in page and "Навчання службовців" not in page
    assert "You see the actions your organisation is responsible for." in page
    assert "/report/freeze" not in page
    data = client.get(f"{URL}?period=2026-H1&format=csv").get_data(as_text=True)
    assert [row[0] for row in csv.reader(io.StringIO(data))] == ["number", "3"]


def test_a_malformed_period_is_said_and_the_default_period_shown(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])

    page = client.get(f"{URL}?period=2026-H7", headers=EN).get_data(as_text=True)

    assert "Write the period as a half-year" in page
    assert 'value="2026-H1" selected' in page  # the round's period


def test_the_plan_page_links_the_report_for_its_rounds_period(client, login_as, world, db):
    made = execution_plan(world, db)
    login_as(world.people["manager@r1"])

    page = client.get(f"/plans/{made.plan.id}", headers=EN).get_data(as_text=True)

    assert "/plans/P-REP/report?period=2026-H1" in page


def test_the_xlsx_has_a_frozen_header_numbers_as_numbers_and_wrapped_text(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])

    response = client.get(f"{URL}?period=2026-H1&format=xlsx", headers=UK)

    assert response.headers["Content-Disposition"] == 'attachment; filename="P-REP-2026-H1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[5]]
    assert header == [
        "№",
        "Найменування заходу",
        "Відповідальні виконавці",
        "Термін виконання",
        "Індикатор виконання",
        "Значення",
        "Ціль",
        "Стан",
        "Примітки",
    ]
    assert sheet.freeze_panes == "A6"
    courses = sheet[7]
    assert courses[4].value == "Кількість курсів"
    assert courses[5].value == 3 and courses[5].data_type == "n"
    assert courses[6].value == 4 and courses[6].data_type == "n"
    assert courses[1].alignment.wrap_text is True
    assert courses[7].value == "Виконується"


def test_the_pdf_is_a4_landscape_with_the_ukrainian_names_intact(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])

    response = client.get(f"{URL}?period=2026-H1&format=pdf", headers=UK)

    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", " ", "".join(page.extract_text() for page in reader.pages))
    for words in (
        "План розвитку цифрових компетентностей",
        "Навчання службовців",
        "Найменування заходу",
        "Ціль",
    ):
        assert words in text
    assert "Курси «Цифрова грамотність» у Звягелі" in text
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Roboto" in name for name in fonts)


def test_a_frozen_version_keeps_its_numbers_and_a_later_one_shows_the_differences(
    client, login_as, world, db
):
    made = execution_plan(world, db)
    manager = world.people["manager@r1"]
    login_as(manager)

    response = post(client, f"{URL}/freeze", {"period": "2026-H1"})

    assert response.status_code == 302
    first = db.session.query(FrozenReport).filter_by(preset="plan-execution").one()
    assert first.version == 1 and first.signed_by_id == manager.id
    assert response.headers["Location"].endswith(f"/plans/P-REP/report/versions/{first.id}")

    made.draft.state = "submitted"  # later: the hub submits (courses 3 → 8)
    facts.record_certificate(
        "kaskad",
        1,
        date(2026, 3, 1),
        person=world.people["learner@r1"],
        organisation=world.people["learner@r1"].organisation,
        target_groups=("civil_servants",),
    )
    db.session.commit()

    frozen_csv = client.get(f"/plans/P-REP/report/versions/{first.id}?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(frozen_csv)))
    assert rows[1][5] == "" or rows[1][5] == "0"  # no certificate when frozen
    assert rows[2][5] == "3"
    live_csv = client.get(f"{URL}?period=2026-H1&format=csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(live_csv)))[2][5] == "8"

    post(client, f"{URL}/freeze", {"period": "2026-H1"})
    second = db.session.query(FrozenReport).filter_by(preset="plan-execution", version=2).one()
    page = client.get(f"/plans/P-REP/report/versions/{second.id}?against={first.id}", headers=EN).get_data(
        as_text=True
    )
    assert "Differences between version 1 and version 2" in page
    assert "+5" in page  # courses 3 → 8
    assert "Version 2, frozen on" in page
    report_page = client.get(f"{URL}?period=2026-H1", headers=EN).get_data(as_text=True)
    assert "Version 1</a>" in report_page and "Version 2</a>" in report_page
    assert client.get(f"/plans/P-REP/report/versions/{first.id}?format=pdf").mimetype == "application/pdf"
    assert client.get(f"/plans/P-REP/report/versions/{first.id}?format=xlsx").status_code == 200


def test_freezing_a_malformed_period_is_refused_with_a_message(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])

    response = post(client, f"{URL}/freeze", {"period": "2026-X1"}, headers=EN)

    assert response.status_code == 302
    assert db.session.query(FrozenReport).count() == 0
    assert "Write the period" in client.get(response.headers["Location"], headers=EN).get_data(as_text=True)


def test_a_version_of_another_plan_or_the_monitoring_is_not_found_here(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])
    post(client, f"{URL}/freeze", {"period": "2026-H1"})
    version = db.session.query(FrozenReport).one()

    assert client.get(f"/monitoring/reports/frozen/{version.id}").status_code == 404
    assert client.get("/plans/NOPE/report").status_code == 404
    assert client.get(f"/plans/NOPE/report/versions/{version.id}").status_code == 404


def test_the_report_page_speaks_finnish_and_swedish(client, login_as, world, db):
    execution_plan(world, db)
    login_as(world.people["manager@r1"])

    finnish = client.get(f"{URL}?period=2026-H1", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    swedish = client.get(f"{URL}?period=2026-H1", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    ukrainian = client.get(f"{URL}?period=2026-H1", headers=UK).get_data(as_text=True)

    assert "Toteutusraportti" in finnish and "Toimenpiteen nimi" in finnish and "Tavoite" in finnish
    assert "Genomföranderapport" in swedish and "Åtgärdens namn" in swedish and "Mål" in swedish
    assert (
        "Звіт про виконання" in ukrainian and "Найменування заходу" in ukrainian and "Примітки" in ukrainian
    )
