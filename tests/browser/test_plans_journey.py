"""Action plans on a 320 px phone with JavaScript off: a regional manager imports a decree's table
from Excel with a bad row and sees it refused whole, fixes it and imports the plan (its executors
created as institutions), opens it and gives an indicator targets; the executor (a training centre's
trainer) sees only her own action. Every page passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.plans.models import Plan

from .conftest import log_in

HEADER = ("№", "Найменування заходу", "Відповідальні виконавці", "Термін виконання", "Індикатор виконання")


def _workbook(*rows: tuple[str, ...]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["План заходів щодо розвитку цифрових компетентностей"])
    for row in (HEADER, *rows):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(person: Any, data: bytes) -> None:
    person.fill({"#code": "ZHY-T", "#title": "План області", "#owner": "UA-18"})
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    person.page.set_input_files("#file", files=[{"name": "plan.xlsx", "mimeType": mime, "buffer": data}])
    person.click('main form[enctype] button[type="submit"]')


@pytest.mark.browser
def test_a_manager_imports_a_plan_and_its_executor_sees_her_task(world, journey, db):
    good = (
        "1",
        "Моніторинг сертифікатів",
        "Тренінговий центр",
        "2021-2025",
        "Кількість отриманих сертифікатів",
    )
    second = ("2", "Інструкції для жителів", "Відділ цифрового розвитку", "2021-2025", "Кількість інструкцій")
    world.orgs["tc@r1"].set_name({"uk": "Тренінговий центр"})
    db.session.commit()
    manager = journey()
    manager.goto("/")
    log_in(manager, world.people["manager@r1"].email)
    manager.menu("/plans/")
    manager.click('a[href="/plans/import"]')
    _upload(manager, _workbook(good, ("", "Без номера", "", "", "")))
    assert "<td>4</td>" in manager.page.content()  # the bad row, by its line in the sheet
    assert db.session.scalar(select(Plan)) is None

    _upload(manager, _workbook(good, second))
    assert "Відділ цифрового розвитку" in manager.page.inner_text("main ul")  # to be created
    manager.click('main form input[name="token"] ~ button[type="submit"]')
    assert manager.path.startswith("/plans/")
    db.session.expire_all()
    plan = db.session.scalar(select(Plan))
    assert [a.executors[0].code for a in plan.actions] == [world.orgs["tc@r1"].code, "UA-18-EX-001"]

    indicator = plan.actions[1].indicators[0]
    manager.click(f'a[href="/plans/{plan.id}/indicators/{indicator.id}/edit"]')
    manager.fill({"#target_2025": "12"})
    manager.click('main form button[type="submit"]')
    db.session.expire_all()
    assert plan.actions[1].indicators[0].targets == {"2025": 12.0}

    trainer = journey()
    trainer.goto("/")
    log_in(trainer, world.people["trainer@r1"].email)
    trainer.menu("/plans/")
    trainer.click(f'a[href="/plans/{plan.id}"]')
    text = trainer.page.inner_text("main")
    assert "Моніторинг сертифікатів" in text and "Інструкції для жителів" not in text
