"""The execution report's data: values (computed frozen at a round's close or counted live, reported
sums of submitted submissions only), the status rule, the CSV of the issue and ``lms plans report``."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from lms.monitoring import facts
from lms.monitoring.periods import Period
from lms.plans import report
from lms.plans.models import FrozenValue
from tests.plans.conftest import execution_plan

H1 = Period.half(2026, 1)


def certificate(number, person, on, groups=("civil_servants",)):
    facts.record_certificate(
        "kaskad", number, on, person=person, organisation=person.organisation, target_groups=groups
    )


def rows_by_indicator(content):
    return {row["indicator"]: row for row in content["rows"]}


def test_rows_follow_the_plan_one_per_action_and_indicator(world, db):
    made = execution_plan(world, db)

    content = report.build(made.plan, H1)

    assert [(row["number"], row["indicator"]) for row in content["rows"]] == [
        ("1", "Кількість сертифікатів"),
        ("1", "Кількість курсів"),
        ("2", "Кількість інструкцій"),
        ("3", "Кількість кампаній"),
    ]
    first = content["rows"][0]
    assert first["action"] == "Навчання службовців" and first["term"] == "2021-2026"
    assert sorted(first["executors"]) == sorted(
        [str(world.orgs["tc@r1"].name), str(world.orgs["hub@r1"].name)]
    )
    assert first["target"] == 10
    assert content["period"] == "2026-H1" and content["plan"] == "P-REP"


def test_reported_values_add_up_submitted_submissions_only(world, db):
    made = execution_plan(world, db)

    rows = rows_by_indicator(report.build(made.plan, H1))

    courses = rows["Кількість курсів"]
    assert courses["value"] == 3  # the hub's draft (5) does not count
    assert (courses["submitted"], courses["expected"]) == (1, 2)
    assert courses["notes"] == [
        {"organisation": str(world.orgs["tc@r1"].name), "note": "Курси «Цифрова грамотність» у Звягелі"}
    ]
    assert rows["Кількість кампаній"]["value"] is None  # nobody submitted
    assert rows["Кількість кампаній"]["submitted"] == 0

    made.draft.state = "submitted"
    db.session.commit()
    rows = rows_by_indicator(report.build(made.plan, H1))
    assert rows["Кількість курсів"]["value"] == 8
    assert {note["note"] for note in rows["Кількість курсів"]["notes"]} == {
        "Курси «Цифрова грамотність» у Звягелі",
        "чернетка",
    }
    assert rows["Кількість курсів"]["submitted"] == 2

    made.done.state = "returned"  # sent back for correction: out until submitted again
    db.session.commit()
    assert rows_by_indicator(report.build(made.plan, H1))["Кількість курсів"]["value"] == 5


def test_computed_values_are_live_and_provisional_until_the_round_is_closed(world, db):
    made = execution_plan(world, db)
    certificate(1, world.people["learner@r1"], date(2026, 3, 1))
    certificate(2, world.people["learner@r2"], date(2026, 3, 1))  # another region
    certificate(3, world.people["learner@r1"], date(2026, 8, 1))  # another half-year

    content = report.build(made.plan, H1)

    row = rows_by_indicator(content)["Кількість сертифікатів"]
    assert (row["value"], row["source"]) == (1, "live")
    assert content["provisional"] is True


def test_a_closed_round_gives_the_value_kept_at_its_close_whatever_came_later(world, db):
    made = execution_plan(world, db)
    certificate(1, world.people["learner@r1"], date(2026, 3, 1))
    made.round.state = "closed"
    db.session.add(FrozenValue(round=made.round, indicator=made.counted, value=1))
    db.session.commit()
    certificate(2, world.people["learner@r1"], date(2026, 4, 1))  # recorded after the close

    content = report.build(made.plan, H1)

    row = rows_by_indicator(content)["Кількість сертифікатів"]
    assert (row["value"], row["source"]) == (1, "frozen")
    assert content["provisional"] is False
    assert report.build(made.plan, Period.half(2026, 2))["provisional"] is True  # no round for H2


def test_without_a_round_nothing_is_reported(world, db):
    made = execution_plan(world, db)

    rows = rows_by_indicator(report.build(made.plan, Period.half(2025, 2)))

    assert rows["Кількість курсів"]["value"] is None and rows["Кількість курсів"]["source"] == "none"
    assert rows["Кількість курсів"]["target"] is None  # the target is for 2026


@pytest.mark.parametrize(
    ("words", "value", "target", "expected"),
    [
        (["done", "done"], 0, 10, "done"),
        (["done", "in_progress"], 20, 10, "in_progress"),
        (["done", None], 0, None, "done"),  # those who gave no word do not count
        (["not_started"], 5, 10, "not_started"),
        (["not_started", "done"], 5, 10, "in_progress"),
        ([], 10, 10, "done"),
        ([], 12.5, 10, "done"),
        ([], 3, 10, "in_progress"),
        ([], 3, None, "in_progress"),
        ([], 0, 10, "not_started"),
        ([], None, 10, "not_started"),
        ([None], None, None, "not_started"),
    ],
)
def test_the_status_rule(words, value, target, expected):
    assert report.status_of(words, value, target) == expected


def test_statuses_in_the_report(world, db):
    made = execution_plan(world, db)

    rows = rows_by_indicator(report.build(made.plan, H1))

    assert rows["Кількість інструкцій"]["status"] == "done"  # the centre's word, the draft's none
    assert rows["Кількість курсів"]["status"] == "in_progress"  # 3 of 4
    assert rows["Кількість сертифікатів"]["status"] == "not_started"  # nothing counted
    assert rows["Кількість кампаній"]["status"] == "not_started"


def test_an_executor_sees_only_the_rows_of_its_actions(world, db):
    made = execution_plan(world, db)

    content = report.build(made.plan, H1, [world.orgs["tc@r2"].id])

    assert [row["number"] for row in content["rows"]] == ["3"]


def test_the_csv_has_the_issues_columns_exactly(world, db):
    made = execution_plan(world, db)

    data = report.export_csv(report.build(made.plan, H1))

    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["number", "action", "executors", "term", "indicator", "value", "target", "status"]
    assert rows[2] == [
        "1",
        "Навчання службовців",
        rows[2][2],
        "2021-2026",
        "Кількість курсів",
        "3",
        "4",
        "in_progress",
    ]
    assert set(rows[2][2].split("; ")) == {str(world.orgs["tc@r1"].name), str(world.orgs["hub@r1"].name)}
    assert rows[4][5:] == ["", "", "not_started"]
    assert len(rows) == 5


@pytest.mark.parametrize("text", ["2026", "2026-H3", "2026-Q5", "H1-2026", "", "2026-01-01..2026-03-31"])
def test_a_period_must_be_a_half_year_or_a_quarter(text):
    with pytest.raises(report.PeriodError):
        report.parse_period(text)


def test_a_quarter_is_a_period_too(world, db):
    made = execution_plan(world, db, period="2026-Q2")
    rows = rows_by_indicator(report.build(made.plan, report.parse_period("2026-Q2")))
    assert rows["Кількість курсів"]["value"] == 3


# --- lms plans report -------------------------------------------------------------------------


def test_lms_plans_report_writes_the_csv(runner, world, db, tmp_path):
    execution_plan(world, db)
    output = tmp_path / "report.csv"

    result = runner.invoke(
        args=["plans", "report", "P-REP", "--period", "2026-H1", "--format", "csv", "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    assert "provisional, round not closed" in result.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "number,action,executors,term,indicator,value,target,status"
    assert len(lines) == 5


def test_lms_plans_report_writes_xlsx_and_pdf(runner, world, db, tmp_path):
    from openpyxl import load_workbook

    execution_plan(world, db)
    for export_format in ("xlsx", "pdf"):
        output = tmp_path / f"report.{export_format}"
        result = runner.invoke(
            args=[
                "plans",
                "report",
                "P-REP",
                "--period",
                "2026-H1",
                "--format",
                export_format,
                "--output",
                str(output),
            ]
        )
        assert result.exit_code == 0, result.output
    assert (
        load_workbook(tmp_path / "report.xlsx").active["A1"].value == "План розвитку цифрових компетентностей"
    )
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "--period", "2026-H1"], "There is no plan with the code NOPE"),
        (["P-REP", "--period", "2026-H9"], "2026-H1"),
        (["P-REP", "--period", "2026"], "2026-Q3"),
    ],
)
def test_lms_plans_report_refuses_an_unknown_plan_or_a_malformed_period(
    runner, world, db, tmp_path, args, message
):
    execution_plan(world, db)
    output = tmp_path / "report.csv"

    result = runner.invoke(args=["plans", "report", *args, "--format", "csv", "--output", str(output)])

    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()


def test_lms_plans_report_refuses_an_unknown_format(runner, world, db, tmp_path):
    execution_plan(world, db)
    result = runner.invoke(
        args=[
            "plans",
            "report",
            "P-REP",
            "--period",
            "2026-H1",
            "--format",
            "doc",
            "--output",
            str(tmp_path / "x"),
        ]
    )
    assert result.exit_code != 0


def test_the_rounds_close_freezes_what_the_report_shows(world, db):
    from lms.plans import rounds, services

    made = execution_plan(world, db)
    certificate(1, world.people["learner@r1"], date(2026, 3, 1))
    rounds.close_round(made.round, world.people["manager@r1"])
    db.session.commit()
    certificate(2, world.people["learner@r1"], date(2026, 5, 1))  # after the close

    row = rows_by_indicator(report.build(made.plan, H1))["Кількість сертифікатів"]

    assert (row["value"], row["source"]) == (1, "frozen")
    assert services.compute(made.counted, H1) == 2  # what a live count would say now


def test_an_action_without_indicators_still_has_its_row(world, db):
    from lms.plans import services

    made = execution_plan(world, db)
    services.add_action(made.plan, "4", "Захід без індикатора")
    db.session.commit()

    last = report.build(made.plan, H1)["rows"][-1]

    assert (last["number"], last["indicator"], last["value"], last["status"]) == (
        "4",
        "",
        None,
        "not_started",
    )
