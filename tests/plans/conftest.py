"""Plans fixtures: decree tables as CSV and XLSX bytes."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def table():
    return {"csv": csv_bytes, "xlsx": xlsx_bytes}


def execution_plan(world, db, *, period="2026-H1", state="open"):
    """Region r1's plan «P-REP» (2021–2026) for the execution report, with a round for ``period``:

    - action 1 (executors tc@r1 and hub@r1): a computed indicator (certificates in the owner's region, target
      10 in 2026), and a reported one «Курси» (target 4 in 2026);
    - action 2 (executors tc@r1 and hub@r1): a reported indicator «Інструкції» without a target;
    - action 3 (executor tc@r2, in no round's submissions): a reported indicator «Кампанії».

    tc@r1 has submitted (Курси 3 with a note, Інструкції 2 «виконано»); hub@r1 has a draft
    (Курси 5, Інструкції 7) that must not count. Returns a namespace of the objects."""
    from datetime import date
    from types import SimpleNamespace

    from lms.plans import services
    from lms.plans.models import ReportingRound, Submission, SubmittedValue

    plan = services.create_plan(
        "P-REP", "План розвитку цифрових компетентностей", world.orgs["r1"], 2021, 2026
    )
    hub, centre, other = world.orgs["hub@r1"], world.orgs["tc@r1"], world.orgs["tc@r2"]
    first = services.add_action(plan, "1", "Навчання службовців", term="2021-2026", executors=[centre, hub])
    counted = services.add_indicator(
        first, "Кількість сертифікатів", "computed", "certificates.all", {"region": "owner"}, {"2026": 10}
    )
    courses = services.add_indicator(first, "Кількість курсів", targets={"2026": 4})
    second = services.add_action(plan, "2", "Видання інструкцій", term="щороку", executors=[centre, hub])
    instructions = services.add_indicator(second, "Кількість інструкцій")
    third = services.add_action(plan, "3", "Інформаційні кампанії", executors=[other])
    campaigns = services.add_indicator(third, "Кількість кампаній")
    round_ = ReportingRound(plan=plan, period=period, deadline=date(2026, 7, 15), state=state)
    db.session.add(round_)
    done = Submission(round=round_, organisation=centre, state="submitted")
    done.values = [
        SubmittedValue(indicator=courses, value=3, note="Курси «Цифрова грамотність» у Звягелі"),
        SubmittedValue(indicator=instructions, value=2, status="done"),
    ]
    draft = Submission(round=round_, organisation=hub, state="draft")
    draft.values = [
        SubmittedValue(indicator=courses, value=5, note="чернетка"),
        SubmittedValue(indicator=instructions, value=7),
    ]
    db.session.add_all([done, draft])
    db.session.commit()
    return SimpleNamespace(
        plan=plan,
        round=round_,
        actions=(first, second, third),
        counted=counted,
        courses=courses,
        instructions=instructions,
        campaigns=campaigns,
        done=done,
        draft=draft,
    )
