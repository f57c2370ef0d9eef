"""The half-year execution report of the shipped Zhytomyr plan on a 320 px phone with JavaScript off:
after the round of the second half of 2025 is closed, the regional manager opens the report from the
plan page, sees the executor's number and note, freezes a version with her sign-off, opens it and
downloads it as PDF and XLSX; the executor sees only her own actions' rows. Every page passes
axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.services import find_by_email
from lms.demo.loader import DEMO_PASSWORD
from lms.monitoring.models import FrozenReport
from lms.monitoring.periods import Period
from lms.plans import demo, rounds

from .conftest import log_in


def closed_round(db, world):
    """The plan's 2025-H2 round: the digital development department reported 4 with a note on each of
    its reported indicators and submitted; the round is closed."""
    demo.load_demo()
    db.session.commit()
    plan = demo.services.by_code(demo.CODE)
    department = plan.actions[0].executors[0]
    manager = world.people["manager@r1"]
    round_ = rounds.open_round(plan, Period.half(2025, 2), date(2026, 1, 15), manager)
    submission = rounds.start_submission(round_, department)
    entries = {
        indicator.id: rounds.Entry(value=Decimal(4), note="Дані департаменту за друге півріччя")
        for _action, indicators in rounds.tasks(plan, department)
        for indicator in indicators
    }
    executor = find_by_email(demo.EXECUTOR_EMAIL)
    rounds.save_entries(submission, entries, executor)
    rounds.submit(submission, executor)
    rounds.close_round(round_, manager)
    db.session.commit()
    return plan, department


@pytest.mark.browser
def test_a_manager_freezes_and_downloads_the_execution_report(world, journey, db, tmp_path):
    plan, department = closed_round(db, world)
    report_url = f"/plans/{plan.code}/report?period=2025-H2"

    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.goto(f"/plans/{plan.id}")
    manager.click(f'main a[href="{report_url}"]')
    main = manager.page.inner_text("main")
    assert "Дані департаменту за друге півріччя" in main
    assert "Попередні дані" not in main  # the round is closed: nothing provisional

    manager.click('main form[action$="/report/freeze"] button[type="submit"]')
    db.session.expire_all()
    version = db.session.scalar(select(FrozenReport).where(FrozenReport.preset == "plan-execution"))
    assert version.signed_by_id == world.people["manager@r1"].id
    assert manager.path == f"/plans/{plan.code}/report/versions/{version.id}"

    with manager.page.expect_download() as download:
        manager.page.click('main a[href$="format=pdf"]')
    pdf = PdfReader(download.value.path())
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Житомирськ" in text and "Найменування заходу" in text
    with manager.page.expect_download() as download:
        manager.page.click('main a[href$="format=xlsx"]')
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet.freeze_panes == "A6" and sheet["A1"].value == plan.title
    assert 4 in [cell.value for cell in sheet["F"]]

    manager.goto(report_url)  # a second version, compared with the first
    manager.click('main form[action$="/report/freeze"] button[type="submit"]')
    manager.click('main form.filters button[type="submit"]')
    assert f"against={version.id}" in manager.path
    assert "Обидві версії мають однакові числа." in manager.page.inner_text("main")

    executor = journey()
    executor.goto("/")
    log_in(executor, demo.EXECUTOR_EMAIL, DEMO_PASSWORD)
    executor.goto(report_url)
    rows = executor.page.locator("main table.plan tbody tr")
    mine = {action.number for action in plan.actions if department in action.executors}
    assert {rows.nth(i).locator("th").inner_text().strip() for i in range(rows.count())} == mine
    assert executor.page.locator('main form[action$="/freeze"]').count() == 0
