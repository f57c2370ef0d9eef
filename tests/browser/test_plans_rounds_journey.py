"""A reporting round of the shipped Zhytomyr plan on a 320 px phone with JavaScript off: the regional
manager opens the round of the second half of 2025; the executor (the regional administration's
digital development department, a structural subdivision) sees it on her home page and reports her
numbers with a note; the manager sees the other executors late, reminds them by e-mail (received by
a local SMTP sink), returns the department's report for correction (she corrects and submits it
again), closes the round, which freezes what Kaskad counted, and downloads the period's execution
report as PDF and XLSX. Every page passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.demo.loader import DEMO_PASSWORD
from lms.plans import demo, rounds
from lms.plans.models import FrozenValue, ReportingRound, Submission
from tests.smtp_sink import body

from .conftest import log_in


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "LMS_SMTP_HOST": smtp_server.host, "LMS_SMTP_PORT": smtp_server.port}


@pytest.mark.browser
def test_a_manager_runs_a_reporting_round_of_the_zhytomyr_plan(
    world, journey, db, make, smtp_server, tmp_path
):
    smtp_server.clear()
    demo.load_demo()  # the shipped plan of the world's UA-18, and its executor's person
    db.session.commit()
    plan = demo.services.by_code(demo.CODE)
    department = plan.actions[0].executors[0]
    # Another executor, the education department, has a person to remind (the import made it empty).
    education = next(org for org in rounds.executors_of(plan) if "освіти" in org.name["uk"])
    make.user(education, (), email="osvita.zhytomyr@example.org")
    make.commit()

    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.menu("/plans/")
    manager.click(f'main a[href="/plans/{plan.id}"]')
    manager.click(f'main a[href="/plans/{plan.id}/rounds"]')
    manager.click(f'main a[href="/plans/{plan.id}/rounds/new"]')
    manager.fill({"#period": "2025-H2", "#deadline": "2026-01-15"})
    manager.click('main form button[type="submit"]')
    db.session.expire_all()
    round_ = db.session.scalar(select(ReportingRound))
    assert (round_.period, round_.deadline) == ("2025-H2", date(2026, 1, 15))
    assert manager.path == f"/plans/{plan.id}/rounds/{round_.id}"

    executor = journey()
    executor.goto("/")
    log_in(executor, demo.EXECUTOR_EMAIL, DEMO_PASSWORD)
    report = f"/plans/{plan.id}/rounds/{round_.id}/report/{department.id}"
    executor.click(f'main a[href="{report}"]')  # her home page lists what she must report
    numbers = executor.page.locator('main input[name^="value-"]')
    assert numbers.count() >= 2
    for index in range(numbers.count()):
        numbers.nth(index).fill(str(index + 3))
    executor.page.locator('main textarea[name^="note-"]').first.fill("Дані за друге півріччя 2025 року")
    executor.click('main button[value="submit"]')
    db.session.expire_all()
    submission = db.session.scalar(select(Submission))
    assert submission.state == "submitted" and submission.organisation_id == department.id
    assert "Дані за друге півріччя 2025 року" in [value.note for value in submission.values]

    manager.goto(f"/plans/{plan.id}/rounds/{round_.id}")
    own = manager.page.locator(f"#executor-{department.id}")
    late = manager.page.locator("main tbody tr", has=manager.page.locator("strong.badge"))
    assert own.locator("strong.badge").count() == 0
    assert late.count() >= 1  # another executor has not reported by the deadline: marked in words
    manager.page.check('main input[name="which"][value="late"]')
    manager.click('main form[action$="/remind"] button[type="submit"]')
    (reminder,) = smtp_server.messages  # to the one late executor's person there is
    assert reminder["To"] == "osvita.zhytomyr@example.org"
    assert f"/plans/{plan.id}/rounds/{round_.id}/report/{education.id}" in body(reminder)
    manager.click(f'main a[href="/plans/{plan.id}/rounds/{round_.id}/submissions/{submission.id}"]')
    manager.fill({"#comment": "Уточніть кількість курсів"})
    manager.click('main form[action$="/return"] button[type="submit"]')
    db.session.expire_all()
    assert submission.state == "returned"

    executor.goto("/")
    executor.click(f'main a[href="{report}"]')
    assert "Уточніть кількість курсів" in executor.page.inner_text("main")
    executor.page.locator('main input[name^="value-"]').first.fill("7")
    executor.click('main button[value="submit"]')
    db.session.expire_all()
    assert submission.state == "submitted"

    manager.goto(f"/plans/{plan.id}/rounds/{round_.id}")
    manager.click('main form[action$="/close"] button[type="submit"]')
    db.session.expire_all()
    assert round_.state == "closed"
    (frozen,) = db.session.scalars(select(FrozenValue))
    assert frozen.indicator.is_computed

    # The execution report of the period, from the closed round, as PDF and XLSX.
    manager.click(f'main a[href^="/plans/{plan.code}/report?period=2025-H2"]')
    saved = {}
    for export_format in ("pdf", "xlsx"):
        with manager.page.expect_download() as download:
            manager.page.click(f'main a[href*="format={export_format}"]')
        saved[export_format] = tmp_path / f"report.{export_format}"
        download.value.save_as(saved[export_format])
    assert saved["pdf"].read_bytes().startswith(b"%PDF-")
    cells = [
        str(cell) for row in load_workbook(saved["xlsx"]).active.iter_rows(values_only=True) for cell in row
    ]
    assert any("Дані за друге півріччя 2025 року" in cell for cell in cells)  # the executor's note
