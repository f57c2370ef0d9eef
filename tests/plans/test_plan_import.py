"""Importing a plan from a decree's table: headers in their variants, CSV and XLSX, executors matched
or created, computed indicators recognised, every bad row named and nothing imported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.orgs.models import Organisation
from lms.plans.importer import PlanImporter, find_header, fold
from lms.plans.models import Action, Plan
from tests.plans.conftest import csv_bytes, xlsx_bytes

ZHYTOMYR_HEADER = (
    "№",
    "Найменування заходу плану реалізації Концепції",
    "Зміст заходу",
    "Відповідальні виконавці",
    "Термін виконання заходу",
    "Індикатор виконання заходів",
)
KHMELNYTSKYI_HEADER = (
    "Найменування заходів",
    "Відповідальні за виконання",
    "Строк виконання заходів",
    "Індикатор виконання",
)
KHMELNYTSKYI_ROWS = [
    KHMELNYTSKYI_HEADER,
    (
        "1. Проведення дослідження для оцінки потенціалу",
        "ХМКП «Хмельницький інфоцентр», виконавчий комітет",
        "2021-2022",
        "В процесі вивчення питання",
    ),
    (
        "2. Організувати безкоштовний курс базового рівня цифрової грамотності",
        "Виконавчий комітет, централізована бібліотечна система",
        "2021-2025",
        "Кількість отриманих сертифікатів",
    ),
]


def check(world, data, code="P-1", owner="r1"):
    importer = PlanImporter(code, "План", world.orgs[owner])
    return importer, importer.read(data)


def imported(world, db, data, code="P-1"):
    importer, checked = check(world, data, code)
    assert checked.errors == []
    plan = importer.apply(checked)
    db.session.commit()
    return importer, plan


@pytest.mark.parametrize("form", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_the_zhytomyr_header_with_its_numbers_imports_every_action(world, db, form):
    data = form(
        [
            ZHYTOMYR_HEADER,
            (
                "1",
                "Моніторинг",
                "Збір інформації",
                "Відділ цифрового розвитку, цифрових трансформацій; Департамент освіти",
                "2021-2025",
                "Щоквартальна інформація",
            ),
            (
                "2",
                "Курси",
                "",
                "Відділ цифрового розвитку, цифрових трансформацій",
                "щокварталу",
                "Кількість проведених курсів",
            ),
        ]
    )

    importer, plan = imported(world, db, data)

    assert [(a.number, a.name, a.term) for a in plan.actions] == [
        ("1", "Моніторинг", "2021-2025"),
        ("2", "Курси", "щокварталу"),
    ]
    assert plan.actions[0].content == "Збір інформації"
    assert (plan.start_year, plan.end_year) == (2021, 2025)  # from the terms
    # Row 1 separates executors by semicolons, so its commas are in a name; row 2 names it the same.
    assert sorted(importer.new_executors) == [
        "Відділ цифрового розвитку, цифрових трансформацій",
        "Департамент освіти",
    ]
    first, second = plan.actions
    assert {str(o.name) for o in first.executors} == {
        "Відділ цифрового розвитку, цифрових трансформацій",
        "Департамент освіти",
    }
    assert second.executors[0] in first.executors  # one institution, named twice
    assert all(o.kind == "institution" and o.parent is world.orgs["r1"] for o in first.executors)
    assert [i.kind for i in first.indicators] == ["reported"]


@pytest.mark.parametrize("form", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_the_khmelnytskyi_header_takes_numbers_from_the_actions_and_splits_executors_by_commas(
    world, db, form
):
    importer, plan = imported(world, db, form(KHMELNYTSKYI_ROWS))

    assert [(a.number, a.name) for a in plan.actions] == [
        ("1", "Проведення дослідження для оцінки потенціалу"),
        ("2", "Організувати безкоштовний курс базового рівня цифрової грамотності"),
    ]
    assert sorted(importer.new_executors) == [
        "Виконавчий комітет",
        "ХМКП «Хмельницький інфоцентр»",
        "Централізована бібліотечна система",
    ]
    assert len(plan.actions[1].executors) == 2
    (certificates,) = plan.actions[1].indicators
    assert certificates.kind == "computed" and certificates.registry_key == "certificates.all"
    assert certificates.filters == {"region": "owner"}
    assert plan.actions[0].indicators[0].kind == "reported"


def test_english_headers_in_windows_1251_with_commas_and_a_title_row_above(world, db):
    data = csv_bytes(
        [
            ("План заходів", "", "", "", "", ""),
            (" Number ", "ACTION", "content", "executors", "term", "indicator"),
            ("1", "Дія", "Зміст", "Хмельницький інфоцентр", "2022", "Кількість навчених осіб"),
        ],
        delimiter=",",
        encoding="cp1251",
    )

    _importer, plan = imported(world, db, data)

    assert [a.name for a in plan.actions] == ["Дія"]
    assert plan.actions[0].indicators[0].registry_key == "people.trained"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("№", "number"),
        ("Найменування заходу", "action"),
        ("Найменування заходів", "action"),
        ("Найменування заходу плану реалізації Концепції", "action"),
        ("Зміст заходу", "content"),
        ("Відповідальні виконавці", "executors"),
        ("Відповідальні за виконання", "executors"),
        ("Термін виконання", "term"),
        ("Строк виконання заходів", "term"),
        ("Термін виконання заходу", "term"),
        ("Індикатор виконання", "indicator"),
        ("Індикатор виконання заходів", "indicator"),
        *((name, name) for name in ("number", "action", "content", "executors", "term", "indicator")),
    ],
)
def test_each_header_of_the_decrees_names_its_column(header, field):
    found = find_header([(1, ["Найменування заходу", header.upper().center(len(header) + 4)])])
    assert found is not None and found.columns[1] == field


def test_header_variants_fold_case_spaces_and_apostrophes():
    assert fold("  ТЕРМІН   виконання ") == "термін виконання"
    assert fold("Об’єкт") == fold("Обʼєкт") == fold("об'єкт")


def test_an_empty_number_header_in_the_first_column_is_the_number(world, db):
    rows = [("", "Найменування заходу", "Термін виконання", "Індикатор виконання"), ("3", "Дія", "2021", "")]

    _importer, plan = imported(world, db, xlsx_bytes(rows))

    assert [(a.number, a.indicators) for a in plan.actions] == [("3", [])]


def test_executors_are_matched_to_organisations_by_folded_name(world, make, db):
    department = make.org(
        "institution", world.orgs["r1"], code="DEP-1", name="Департамент цифрової трансформаціï"
    )
    department.set_name({"uk": "Департамент обʼєктів, цифрової трансформації"})
    db.session.commit()
    rows = [
        ("number", "action", "executors"),
        ("1", "Дія", "департамент  ОБ'ЄКТІВ, цифрової трансформації (за згодою)"),
    ]

    importer, plan = imported(world, db, csv_bytes(rows))

    assert importer.new_executors == []
    assert plan.actions[0].executors == [department]


@pytest.mark.parametrize("form", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_bad_file_names_every_bad_row_and_imports_nothing(world, db, form):
    organisations = db.session.scalar(select(func.count()).select_from(Organisation))
    rows = [
        ZHYTOMYR_HEADER,
        ("1", "Добра дія", "", "Новий відділ", "2021", ""),
        ("", "Дія без номера", "", "", "", ""),
        ("1", "Той самий номер", "", "", "", ""),
        ("2", "", "Зміст без назви", "", "", ""),
        ("два", "Номер словом", "", "", "", ""),
    ]

    _importer, checked = check(world, form(rows))

    assert [line for line, _problem in checked.errors] == [3, 4, 5, 6]
    assert "рядку 2" in checked.errors[1][1]
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == organisations


def test_a_file_without_a_known_header_or_with_an_existing_code_is_refused(world, db):
    _importer, checked = check(world, csv_bytes([("a", "b"), ("1", "2")]))
    assert checked.errors and "заголовка" in checked.errors[0][1]

    imported(world, db, csv_bytes(KHMELNYTSKYI_ROWS), code="SAME")
    _importer, again = check(world, csv_bytes(KHMELNYTSKYI_ROWS), code="SAME")
    assert any("SAME" in problem for _line, problem in again.errors)


def test_a_national_plan_does_not_create_executors(world, db):
    _importer, checked = check(world, csv_bytes(KHMELNYTSKYI_ROWS), owner="root")
    assert checked.errors and "Хмельницький" in checked.errors[-1][1]


def test_a_damaged_workbook_is_refused(world, db):
    _importer, checked = check(world, b"PK\x03\x04 not really a workbook")
    assert checked.errors[0][0] == 1


# --- the command line ---------------------------------------------------------------------------------


def test_lms_plans_import_prints_what_it_imported(runner, world, db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes(KHMELNYTSKYI_ROWS))

    result = runner.invoke(
        args=["plans", "import", str(path), "--code", "KHM-2021-2025", "--owner", "UA-18", "--title", "План"]
    )

    assert result.exit_code == 0, result.output
    assert "Imported plan KHM-2021-2025 (2021-2025, owner UA-18): 2 actions, 2 indicators (1 computed)" in (
        result.output
    )
    assert "new institution: Виконавчий комітет" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Action)) == 2


def test_lms_plans_import_of_a_bad_file_lists_each_row_on_stderr_and_imports_nothing(
    runner, world, db, tmp_path
):
    path = tmp_path / "plan.csv"
    path.write_bytes(
        csv_bytes([ZHYTOMYR_HEADER, ("", "Без номера", "", "", "", ""), ("x", "Так", "", "", "", "")])
    )

    result = runner.invoke(
        args=["plans", "import", str(path), "--code", "P", "--owner", "UA-18", "--title", "T"]
    )

    assert result.exit_code != 0
    assert f"{path}:2:" in result.stderr and f"{path}:3:" in result.stderr
    assert "Nothing was imported: 2 problems" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_lms_plans_import_needs_a_known_owner(runner, world, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(KHMELNYTSKYI_ROWS))
    result = runner.invoke(
        args=["plans", "import", str(path), "--code", "P", "--owner", "NOPE", "--title", "T"]
    )
    assert result.exit_code != 0 and "NOPE" in result.output
