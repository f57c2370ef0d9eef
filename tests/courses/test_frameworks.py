"""Competence frameworks: trees of any depth imported from and exported to Moodle's competency
framework CSV (tool_lpimportcsv) in either header spelling, bad files refused whole with every row's
problem, per-language updates; the shipped DigComp 2.2, DigComp 3.0 and Цифрограм data; minimum
profiles selected by a person's job; competences taught by modules and items, in the authoring forms
and in course packages."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from courses.frameworks import moodle_csv, services
from courses.frameworks.models import (
    Competence,
    Framework,
    MinimumProfile,
    ProficiencyLevel,
    competence_crossref,
    item_competence,
    module_competence,
)
from courses.frameworks.services import FrameworkImportError, import_framework
from courses.models import Course, Item, Module
from courses.packages import PackageError, export_course, import_packages
from courses.services import by_code
from lms.accounts.models import Job
from lms.testing import login, post

DATA = Path(__file__).parent / "data" / "frameworks"
SAMPLE = DATA / "moodle-3.1-digital-support.csv"
EN = {"Accept-Language": "en"}
FRAMEWORKS = "/courses/frameworks"

# The header of Moodle 3.2 and later (its English language pack), in another case and with a BOM.
NEW_HEADER = (
    "\ufeffPARENT ID NUMBER;ID number;Short name;Description;Description format;Scale values;"
    "Scale configuration;Rule type (optional);Rule outcome (optional);Rule config (optional);"
    "Cross-referenced competency ID numbers;Exported ID (optional);Is framework;Taxonomy\n"
)


# --- helpers ----------------------------------------------------------------------------------------


def rows_of(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return moodle_csv.read_rows(io.BytesIO(data))


def import_text(db, text: str | bytes, lang: str = "en") -> Framework:
    framework = import_framework(rows_of(text), lang)
    db.session.commit()
    return framework


def problems_of(text: str, lang: str = "en") -> list[tuple[int, str]]:
    with pytest.raises(FrameworkImportError) as raised:
        import_framework(rows_of(text), lang)
    return raised.value.problems


def shape(db, idnumber: str, lang: str = "en") -> list[tuple]:
    """The tree of a framework: (depth, id number, parent id number, position, short name, related
    within the framework)."""
    db.session.expire_all()
    framework = services.by_idnumber(idnumber)
    related = services.related_of([competence.id for competence in framework.competences])
    return [
        (
            competence.depth,
            competence.idnumber,
            competence.parent.idnumber if competence.parent else "",
            competence.position,
            competence.shortname.in_locale(lang),
            sorted(o.idnumber for o in related.get(competence.id, []) if o.framework_id == framework.id),
        )
        for competence in framework.competences
    ]


def export_text(framework: Framework, lang: str = "en") -> str:
    out = io.StringIO()
    services.export_framework(framework, lang, out)
    return out.getvalue()


def csv_line(*values: str) -> str:
    return moodle_csv.csv_line(values)


def framework_line(idnumber: str = "FW", shortname: str = "Framework") -> str:
    return csv_line("", idnumber, shortname, "", "1", "", "", "", "", "", "", "", "1", "competency")


def competence_line(parent: str, idnumber: str, shortname: str, related: str = "", fmt: str = "1") -> str:
    return csv_line(parent, idnumber, shortname, "", fmt, "", "", "", "0", "null", related, "", "", "")


OLD_HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0] + "\n"


@pytest.fixture(autouse=True)
def english(app):
    """Messages of services and commands in English (pages get it from Accept-Language)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def shipped(db):
    services.load_shipped()
    db.session.commit()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- Moodle CSV import ------------------------------------------------------------------------------


def test_a_moodle_export_with_the_old_header_spelling_imports_the_whole_tree(app, db):
    framework = import_text(db, SAMPLE.read_bytes())

    assert framework.idnumber == "DIGITUKI-2024"
    assert framework.shortname == {"en": "Digital support at the library"}
    assert framework.taxonomy == "domain,competency,behaviour"
    assert framework.description_format == 1
    # A quoted HTML description over several lines keeps its lines.
    assert framework.description["en"].startswith("<p>What a library's digital supporter needs")
    assert "\n<p>Three areas" in framework.description["en"]
    # The framework's scale becomes its proficiency levels; its configuration is kept as Moodle wrote it.
    assert [(level.number, level.name["en"]) for level in framework.levels] == [
        (1, "Not yet competent"),
        (2, "Competent"),
    ]
    assert json.loads(framework.scale_configuration)[2] == {"id": 2, "scaledefault": 0, "proficient": 1}
    assert shape(db, "DIGITUKI-2024") == [
        (1, "DS", "", 0, "Digital skills", []),
        (2, "DS-1", "DS", 0, "E-identification and e-services", ["ETH-1", "GS-2"]),
        (2, "DS-2", "DS", 1, "Devices and connections", []),
        (1, "GS", "", 1, "Guidance skills", []),
        (2, "GS-1", "GS", 0, "Finding out what the customer needs", []),
        (2, "GS-2", "GS", 1, "Guiding without taking over", ["DS-1"]),
        (1, "ETH", "", 2, "Ethical guidelines", []),
        (2, "ETH-1", "ETH", 0, "Privacy and confidentiality", ["DS-1"]),
        (3, "ETH-1.1", "ETH-1", 0, "Recognises fraud attempts", []),
    ]
    competences = services.competences_of(framework)
    assert "<li>explains one step at a time</li>\n<li>checks" in competences["GS-2"].description["en"]
    assert competences["DS-2"].scale_values == "Not yet competent,Competent,Can teach others"
    assert json.loads(competences["DS-2"].scale_configuration)[0] == {"scaleid": "3"}
    assert competences["DS"].rule_type == "core_competency\\competency_rule_all"
    assert (competences["DS"].rule_outcome, competences["DS"].rule_config) == ("1", "")  # "null" is none
    assert json.loads(competences["GS"].rule_config)["base"] == {"points": 2}


def test_the_newer_header_spelling_in_any_case_with_a_bom_and_semicolons_is_accepted(app, db):
    # The same rows as the sample, with semicolons: re-written by the csv module.
    rows = list(moodle_csv.read_rows(io.BytesIO(SAMPLE.read_bytes())))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for row in rows:
        writer.writerow(
            [
                row.parent,
                row.idnumber,
                row.shortname,
                row.description,
                row.description_format,
                row.scale_values,
                row.scale_configuration,
                row.rule_type,
                row.rule_outcome,
                row.rule_config or "null",
                moodle_csv.related_cell(row.related),
                row.exported_id,
                "1" if row.is_framework else "",
                row.taxonomy,
            ]
        )
    import_text(db, NEW_HEADER + out.getvalue())

    assert shape(db, "DIGITUKI-2024") == [
        (1, "DS", "", 0, "Digital skills", []),
        (2, "DS-1", "DS", 0, "E-identification and e-services", ["ETH-1", "GS-2"]),
        (2, "DS-2", "DS", 1, "Devices and connections", []),
        (1, "GS", "", 1, "Guidance skills", []),
        (2, "GS-1", "GS", 0, "Finding out what the customer needs", []),
        (2, "GS-2", "GS", 1, "Guiding without taking over", ["DS-1"]),
        (1, "ETH", "", 2, "Ethical guidelines", []),
        (2, "ETH-1", "ETH", 0, "Privacy and confidentiality", ["DS-1"]),
        (3, "ETH-1.1", "ETH-1", 0, "Recognises fraud attempts", []),
    ]


def test_children_may_come_before_their_parents_and_ids_may_hold_commas(app, db):
    import_text(
        db,
        OLD_HEADER
        + competence_line("A", "A.1", "Child", related="B%2C2")
        + framework_line()
        + competence_line("", "A", "Area")
        + competence_line("", "B,2", "Another area, with a comma"),
    )

    assert shape(db, "FW") == [
        (1, "A", "", 0, "Area", []),
        (2, "A.1", "A", 0, "Child", ["B,2"]),
        (1, "B,2", "", 1, "Another area, with a comma", ["A.1"]),
    ]
    assert "B%2C2" in export_text(services.by_idnumber("FW"))


def test_a_bad_file_is_rejected_whole_with_every_rows_problem(app, db):
    bad = (
        OLD_HEADER  # line 1
        + framework_line()  # 2
        + competence_line("", "A", "Area")  # 3
        + competence_line("NOPE", "B", "Orphan")  # 4: missing parent
        + competence_line("A", "A", "Again")  # 5: duplicate id number
        + competence_line("A", "C", "Refers", related="A,GHOST")  # 6: unknown cross-reference
        + competence_line("A", "D", "", fmt="7")  # 7: no short name, bad format
        + competence_line("F", "E", "Loop one")  # 8: E and F are each other's parent
        + competence_line("E", "F", "Loop two")  # 9
        + competence_line("A", "", "No id")  # 10
        + competence_line("A", "G", "Self", related="G")  # 11
        + csv_line("", "FW2", "Second", "", "1", "", "", "", "", "", "", "", "1", "")  # 12
        + csv_line("A", "H", "Scale", "", "1", "a,b", "not json", "", "0", "null", "", "", "", "")  # 13
    )

    problems = problems_of(bad)

    lines = [line for line, _problem in problems]
    assert lines == sorted(lines)
    text_of = {line: " | ".join(problem for number, problem in problems if number == line) for line in lines}
    assert "parent ID number “NOPE” is not in the file" in text_of[4]
    assert "“A” is already used on line 3" in text_of[5]
    assert "cross-referenced ID number “GHOST” is not in the file" in text_of[6]
    assert "short name is empty" in text_of[7] and "Description format must be" in text_of[7]
    assert "loop" in text_of[8] and "loop" in text_of[9]
    assert "ID number is empty" in text_of[10]
    assert "cannot be cross-referenced to itself" in text_of[11]
    assert "second framework row (the framework is on line 2)" in text_of[12]
    assert "scale configuration is not valid JSON" in text_of[13]
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 0
    assert db.session.scalar(select(func.count()).select_from(Competence)) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OLD_HEADER + competence_line("", "A", "Area"), "No row describes the framework"),
        ("Id number,Shortname\n,FW\n", "Missing columns: Parent ID number, Is framework."),
        (OLD_HEADER.replace("Taxonomy", "Taxonomie"), "Unknown column: “Taxonomie”."),
        ("", "The file is empty"),
        (OLD_HEADER, "header but no rows"),
        (OLD_HEADER + framework_line() + 'A,"B\n', "not valid CSV"),
    ],
    ids=["no framework row", "missing columns", "unknown column", "empty", "no rows", "broken quotes"],
)
def test_a_file_that_is_not_a_framework_is_rejected(app, db, text, expected):
    problems = problems_of(text)

    assert any(expected in problem for _line, problem in problems), problems
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 0


def test_windows_1251_text_is_read(app, db):
    data = (OLD_HEADER + framework_line("UA", "Рамка") + competence_line("", "1", "Безпека")).encode("cp1251")

    import_framework(rows_of(data), "uk")

    assert [competence.shortname["uk"] for competence in services.by_idnumber("UA").competences] == [
        "Безпека"
    ]


# --- export, and importing onto an existing framework ------------------------------------------------


def test_export_then_import_gives_the_same_tree(app, db):
    framework = import_text(db, SAMPLE.read_bytes())
    first = export_text(framework)
    before = shape(db, "DIGITUKI-2024")

    import_text(db, first)  # onto itself: nothing changes
    assert shape(db, "DIGITUKI-2024") == before
    assert export_text(services.by_idnumber("DIGITUKI-2024")) == first

    copy = first.replace(",DIGITUKI-2024,", ",COPY,", 1)  # the same file, as another framework
    import_text(db, copy)
    assert shape(db, "COPY") == before
    again = export_text(services.by_idnumber("COPY"))
    assert [line.split(",")[:3] for line in again.splitlines()[2:]] == [
        line.split(",")[:3] for line in first.splitlines()[2:]
    ]
    header = first.lstrip("\ufeff").splitlines()[0]
    assert header.split(",") == list(moodle_csv.COLUMNS.values())


def test_the_shipped_framework_exports_and_imports_back_to_the_same_tree(app, db, shipped):
    exported = export_text(services.by_idnumber("DIGCOMP-2.2"), "uk")

    import_text(db, exported.replace(",DIGCOMP-2.2,", ",DIGCOMP-COPY,", 1), lang="uk")

    assert shape(db, "DIGCOMP-COPY", "uk") == shape(db, "DIGCOMP-2.2", "uk")
    copy = services.by_idnumber("DIGCOMP-COPY")
    assert [level.name for level in copy.levels] == [
        {"uk": level.name["uk"]} for level in services.by_idnumber("DIGCOMP-2.2").levels
    ]


def test_the_export_has_moodles_layout(app, db, shipped):
    exported = export_text(services.by_idnumber("DIGCOMP-2.2"), "en")
    rows = list(moodle_csv.read_rows(io.StringIO(exported, newline="")))

    framework_row, *competences = rows
    assert framework_row.is_framework and framework_row.idnumber == "DIGCOMP-2.2"
    assert framework_row.scale_values.split(",") == [
        "Foundation 1", "Foundation 2", "Intermediate 3", "Intermediate 4",
        "Advanced 5", "Advanced 6", "Highly specialised 7", "Highly specialised 8",
    ]  # fmt: skip
    configuration = json.loads(framework_row.scale_configuration)
    assert configuration[0] == {"scaleid": "0"} and configuration[1]["scaledefault"] == 1
    assert [row.idnumber for row in competences][:4] == ["1", "1.1", "1.2", "1.3"]
    assert competences[1].parent == "1" and competences[1].shortname.startswith("Browsing, searching")
    assert all(not row.is_framework and row.rule_outcome == "0" for row in competences)
    area = services.competences_of(services.by_idnumber("DIGCOMP-2.2"))["1"]
    assert exported.splitlines()[2] == f",1,Information and data literacy,,1,,,,0,null,,{area.id},,"


def test_a_file_in_another_language_updates_that_language_only(app, db, shipped):
    digcomp = services.by_idnumber("DIGCOMP-2.2")
    swedish = export_text(digcomp, "sv")
    assert "Skydda miljön" in swedish
    edited = swedish.replace('"Skydda miljön"', '"Miljöskydd"').replace(",Skydda miljön,", ",Miljöskydd,")
    assert edited != swedish

    import_text(db, edited, lang="sv")

    db.session.expire_all()
    competences = services.competences_of(services.by_idnumber("DIGCOMP-2.2"))
    assert competences["4.4"].shortname == {
        "uk": "Захист довкілля",
        "en": "Protecting the environment",
        "fi": "Ympäristönsuojelu",
        "sv": "Miljöskydd",
    }
    # The Swedish title is no longer the team's translation; its Ukrainian one still is.
    assert competences["4.4"].translated_by == {"uk": "kaskad"}
    assert competences["4.3"].translated_by == {"uk": "kaskad"}  # unchanged text keeps its marks
    assert competences["4.3"].shortname["sv"] == "Skydda hälsa och välbefinnande"
    assert len(competences) == 26


def test_an_export_in_a_language_without_texts_does_not_copy_others_into_it(app, db, shipped):
    tsyfrohram = services.by_idnumber("TSYFROHRAM")
    finnish = export_text(tsyfrohram, "fi")  # no Finnish titles: English ones stand in (then Ukrainian)

    assert "Creating digital content" in finnish
    import_text(db, finnish, lang="fi")

    db.session.expire_all()
    areas = services.areas(services.by_idnumber("TSYFROHRAM"))
    assert all("fi" not in area.shortname for area in areas)
    # Cross-references to another framework are not in the file, and are kept.
    related = services.related_of([area.id for area in areas])
    assert [services.reference(other) for other in related[areas[4].id]] == ["DIGCOMP-2.2/4"]


def test_competences_missing_from_the_file_are_removed_with_their_links(app, db):
    framework = import_text(db, SAMPLE.read_bytes())
    shorter = "".join(
        line for line in export_text(framework).splitlines(keepends=True) if ",ETH-1.1," not in line
    )
    plan = services.check_framework(rows_of(shorter), "en")
    assert (plan.removed, len(plan.updated), plan.created) == (["ETH-1.1"], 8, [])

    import_text(db, shorter)

    assert "ETH-1.1" not in services.competences_of(services.by_idnumber("DIGITUKI-2024"))


# --- shipped data -----------------------------------------------------------------------------------


def test_the_shipped_frameworks_have_their_areas_competences_and_levels(app, db, shipped):
    digcomp = services.by_idnumber("DIGCOMP-2.2")
    assert len(services.areas(digcomp)) == 5
    assert len(services.leaves(digcomp)) == 21
    assert [level.name["en"] for level in digcomp.levels] == [
        "Foundation 1", "Foundation 2", "Intermediate 3", "Intermediate 4",
        "Advanced 5", "Advanced 6", "Highly specialised 7", "Highly specialised 8",
    ]  # fmt: skip
    assert all(
        level.translated_by == {"uk": "kaskad", "fi": "kaskad", "sv": "kaskad"} for level in digcomp.levels
    )
    competences = services.competences_of(digcomp)
    assert competences["4.2"].shortname == {
        "uk": "Захист персональних даних і приватності",
        "en": "Protecting personal data and privacy",
        "fi": "Henkilötietojen ja yksityisyyden suojaaminen",
        "sv": "Skydda personuppgifter och privatliv",
    }
    assert competences["4.2"].translated_by == {"uk": "kaskad"}  # Finnish and Swedish as found
    assert competences["4.4"].translated_by == {"sv": "kaskad", "uk": "kaskad"}
    assert competences["1.1"].translated_by == {"fi": "kaskad", "uk": "kaskad"}
    assert digcomp.shortname["fi"] == "Kansalaisten digitaalisen osaamisen viitekehys (DigComp)"
    assert all(competence.shortname.keys() == {"uk", "en", "fi", "sv"} for competence in competences.values())

    digcomp3 = services.by_idnumber("DIGCOMP-3.0")
    assert (len(services.areas(digcomp3)), len(services.leaves(digcomp3)), len(digcomp3.levels)) == (5, 21, 8)
    assert [level.name["en"] for level in digcomp3.levels][::2] == [
        "Basic 1", "Intermediate 3", "Advanced 5", "Highly advanced 7"
    ]  # fmt: skip
    assert (
        services.competences_of(digcomp3)["3.4"].shortname["en"] == "Computational thinking and programming"
    )

    tsyfrohram = services.by_idnumber("TSYFROHRAM")
    areas = services.areas(tsyfrohram)
    assert areas[0].shortname["uk"] == "Основи комп'ютерної грамотності"
    assert len(areas) == 6 and services.leaves(tsyfrohram) == areas and tsyfrohram.levels == []
    mapped = {
        area.idnumber: [services.reference(other) for other in others]
        for area, others in ((area, services.related_of([area.id]).get(area.id, [])) for area in areas)
    }
    assert mapped == {
        "1": [],
        "2": ["DIGCOMP-2.2/1"],
        "3": ["DIGCOMP-2.2/3"],
        "4": ["DIGCOMP-2.2/2"],
        "5": ["DIGCOMP-2.2/4"],
        "6": ["DIGCOMP-2.2/5"],
    }


def test_loading_the_shipped_data_twice_changes_nothing(app, db, shipped):
    profile = services.profile_by_code("HUB-COORDINATOR")
    services.set_requirements(profile, {services.competences_of(profile.framework)["1.1"].id: 6})
    db.session.commit()
    before = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Framework, Competence, ProficiencyLevel, MinimumProfile)
    }

    loaded = services.load_shipped()

    assert (loaded.frameworks, loaded.competences, loaded.levels, loaded.profiles) == (0, 0, 0, 0)
    assert before == {"Framework": 3, "Competence": 26 + 26 + 6, "ProficiencyLevel": 16, "MinimumProfile": 2}
    assert {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Framework, Competence, ProficiencyLevel, MinimumProfile)
    } == before
    assert db.session.scalar(select(func.count()).select_from(competence_crossref)) == 10  # both ways
    assert services.requirements_of(profile)[services.competences_of(profile.framework)["1.1"].id] == 6


# --- minimum profiles -------------------------------------------------------------------------------


def job(db, code: str) -> Job:
    return db.session.scalar(select(Job).where(Job.code == code))


def levels_by_idnumber(profile: MinimumProfile) -> dict[str, int]:
    idnumbers = {
        competence.id: idnumber for idnumber, competence in services.competences_of(profile.framework).items()
    }
    return {
        idnumbers[competence_id]: level for competence_id, level in services.requirements_of(profile).items()
    }


def test_a_persons_job_selects_her_minimum_profile(app, db, make, shipped):
    coordinator = make.user(job=job(db, "hub_coordinator"))
    trainer = make.user(job=job(db, "regional_trainer"))
    manager = make.user(job=job(db, "manager"))
    nobody = make.user()

    hub = services.profile_for(coordinator)
    assert hub.code == "HUB-COORDINATOR" and hub.name["en"] == "Hub coordinator minimum"
    levels = levels_by_idnumber(hub)
    assert len(levels) == 21 and set(levels) == {c.idnumber for c in services.leaves(hub.framework)}
    assert {code for code, level in levels.items() if level == 4} == {"2.3", "4.1", "4.2"}
    assert {level for code, level in levels.items() if code not in {"2.3", "4.1", "4.2"}} == {3}

    regional = services.profile_for(trainer)
    assert regional.code == "REGIONAL-TRAINER" and regional.name["sv"] == "Minimikrav för regional utbildare"
    levels = levels_by_idnumber(regional)
    assert len(levels) == 21
    assert {code for code, level in levels.items() if level == 5} == {"2.4", "3.1", "3.3", "4.2", "5.4"}
    assert set(levels.values()) == {4, 5}
    assert services.profile_for(manager) is None
    assert services.profile_for(nobody) is None
    assert services.profile_for(None) is None
    assert services.profile_for(make.user(job=job(db, "librarian"))).code == "HUB-COORDINATOR"


# --- the command line -------------------------------------------------------------------------------


def test_lms_frameworks_import_and_export(app, db, runner, tmp_path):
    result = runner.invoke(args=["frameworks", "import", str(SAMPLE), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "DIGITUKI-2024: imported (en), 9 competences, 2 levels." in result.output

    target = tmp_path / "out.csv"
    result = runner.invoke(args=["frameworks", "export", "DIGITUKI-2024", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\xef\xbb\xbfParent ID number,ID number,Short name,")
    assert "Recognises fraud attempts" in target.read_text(encoding="utf-8")

    result = runner.invoke(args=["frameworks", "export", "NOPE", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "No framework has the ID number NOPE." in result.output


def test_lms_frameworks_import_prints_every_problem_and_imports_nothing(app, db, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        OLD_HEADER
        + framework_line()
        + competence_line("X", "A", "Area")
        + competence_line("", "B", "B", "Z"),
        encoding="utf-8",
    )

    result = runner.invoke(args=["frameworks", "import", str(bad)])

    assert result.exit_code != 0
    assert f"{bad}:3: The parent ID number “X” is not in the file." in result.output
    assert f"{bad}:4: The cross-referenced ID number “Z” is not in the file." in result.output
    assert "Nothing was imported: 2 problems to fix." in result.output
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 0

    result = runner.invoke(args=["frameworks", "import", str(SAMPLE), "--lang", "xx"])
    assert result.exit_code != 0 and "--lang" in result.output


def test_lms_frameworks_load_shipped_is_idempotent(app, db, runner):
    first = runner.invoke(args=["frameworks", "load-shipped"])
    second = runner.invoke(args=["frameworks", "load-shipped"])

    assert first.exit_code == 0 and "Loaded 3 frameworks, 58 competences, 16 levels and 2" in first.output
    assert second.exit_code == 0 and "Loaded 0 frameworks, 0 competences, 0 levels and 0" in second.output


# --- pages ------------------------------------------------------------------------------------------


def test_admins_see_the_frameworks_and_their_trees_others_may_not(client, db, world, shipped):
    login(client, world.people["trainer@r1"])
    assert client.get(f"{FRAMEWORKS}/").status_code == 403

    post(client, "/logout")
    login(client, world.people["admin@r1"])
    page = text(client.get(f"{FRAMEWORKS}/", headers=EN))
    assert "DIGCOMP-2.2" in page and "TSYFROHRAM" in page

    digcomp = services.by_idnumber("DIGCOMP-2.2")
    page = text(client.get(f"{FRAMEWORKS}/{digcomp.id}", headers=EN))
    assert '<h1 lang="en">DigComp 2.2: The Digital Competence Framework for Citizens</h1>' in page
    assert "Protecting personal data and privacy" in page and "Highly specialised 8" in page
    assert "translated by Kaskad" not in page  # English titles are the facts themselves
    assert "Hub coordinator minimum" in page

    page = text(client.get(f"{FRAMEWORKS}/{digcomp.id}", headers={"Accept-Language": "uk"}))
    # The team's own Ukrainian titles are marked as such.
    assert '<span lang="uk">Захист персональних даних і приватності</span> <span class="muted">(' in page

    tsyfrohram = services.by_idnumber("TSYFROHRAM")
    page = text(client.get(f"{FRAMEWORKS}/{tsyfrohram.id}", headers=EN))
    assert f'href="/courses/frameworks/{digcomp.id}#competence-' in page  # cross-references link


def test_the_csv_is_downloaded_in_the_chosen_language(client, db, world, shipped):
    login(client, world.people["admin@root"])
    digcomp = services.by_idnumber("DIGCOMP-2.2")

    response = client.get(f"{FRAMEWORKS}/{digcomp.id}/export.csv?lang=sv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=DIGCOMP-2.2-sv.csv"
    body = response.get_data().decode("utf-8")
    assert body == export_text(digcomp, "sv")
    assert "Skydda enheter" in body
    assert client.get(f"{FRAMEWORKS}/{digcomp.id}/export.csv?lang=xx").status_code == 404


def test_uploading_a_framework_previews_it_then_imports_it_on_confirmation(client, db, world):
    login(client, world.people["admin@r1"])

    response = post(
        client,
        f"{FRAMEWORKS}/import",
        {"file": (io.BytesIO(SAMPLE.read_bytes()), "digital-support.csv"), "lang": "en"},
        content_type="multipart/form-data",
        headers=EN,
    )

    page = text(response)
    assert response.status_code == 200 and "Check before importing" in page
    assert "9 created, 0 updated, 0 removed." in page and "— — Recognises fraud attempts" in page
    assert "You chose “digital-support.csv”" in page
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 0
    token = page.split('name="token" value="')[1].split('"')[0]

    response = post(client, f"{FRAMEWORKS}/import/confirm", {"token": token, "lang": "en"})

    assert response.status_code == 302
    framework = services.by_idnumber("DIGITUKI-2024")
    assert response.location == f"{FRAMEWORKS}/{framework.id}"
    assert len(framework.competences) == 9
    again = post(client, f"{FRAMEWORKS}/import/confirm", {"token": token, "lang": "en"})
    assert again.status_code == 302 and again.location == f"{FRAMEWORKS}/import"


def test_a_bad_upload_lists_every_rows_problem_and_imports_nothing(client, db, world):
    login(client, world.people["admin@root"])
    bad = (
        OLD_HEADER + framework_line() + competence_line("X", "A", "Area") + competence_line("A", "A", "Twice")
    )

    response = post(
        client,
        f"{FRAMEWORKS}/import",
        {"file": (io.BytesIO(bad.encode()), "bad.csv"), "lang": "uk"},
        content_type="multipart/form-data",
        headers=EN,
    )

    page = text(response)
    assert "Nothing was imported: 2 problems" in page
    assert "<td>3</td><td>The parent ID number “X” is not in the file.</td>" in page
    assert "<td>4</td>" in page and "You chose “bad.csv”" in page and 'name="token"' not in page
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 0


def test_a_minimum_profile_is_edited_with_a_level_per_competence_and_its_jobs(client, db, world, shipped):
    login(client, world.people["admin@root"])
    profile = services.profile_by_code("HUB-COORDINATOR")
    competences = services.competences_of(profile.framework)
    page = text(client.get(f"{FRAMEWORKS}/profiles/{profile.id}", headers=EN))
    assert f'<label for="level-{competences["4.2"].id}">' in page
    assert '<option value="4" selected>4 — Intermediate 4</option>' in page

    manager, coordinator = job(db, "manager"), job(db, "hub_coordinator")
    form = {
        "name_uk": "Мінімум координатора хабу",
        "name_en": "Hub coordinator minimum (2025)",
        f"level-{competences['4.2'].id}": "5",
        f"level-{competences['5.4'].id}": "",
        "jobs": [str(coordinator.id), str(manager.id)],
        "jobs_shown": "1",
    }
    response = post(client, f"{FRAMEWORKS}/profiles/{profile.id}", form)

    assert response.status_code == 302
    db.session.expire_all()
    requirements = services.requirements_of(profile)
    assert requirements[competences["4.2"].id] == 5
    assert competences["5.4"].id not in requirements and len(requirements) == 20
    assert profile.name["en"] == "Hub coordinator minimum (2025)"
    assert [j.code for j in services.jobs_of(profile)] == ["hub_coordinator", "manager"]  # librarian left

    # An error keeps every value typed.
    form.update({"name_uk": "", f"level-{competences['4.2'].id}": "6"})
    page = text(post(client, f"{FRAMEWORKS}/profiles/{profile.id}", form, headers=EN))
    assert "Please correct the marked fields" in page
    assert f'name="level-{competences["4.2"].id}"' in page
    chunk = page.split(f'name="level-{competences["4.2"].id}"')[1].split("</select>")[0]
    assert '<option value="6" selected>' in chunk
    db.session.expire_all()
    assert services.requirements_of(profile)[competences["4.2"].id] == 5

    listing = text(client.get(f"{FRAMEWORKS}/profiles/", headers=EN))
    assert "Hub coordinator minimum (2025)" in listing and "Regional trainer minimum" in listing


def test_a_new_minimum_profile_is_created_then_its_levels_are_set(client, db, world, shipped):
    login(client, world.people["admin@root"])
    digcomp = services.by_idnumber("DIGCOMP-2.2")

    response = post(
        client,
        f"{FRAMEWORKS}/profiles/new",
        {
            "code": "librarian",
            "name_uk": "Мінімум бібліотекаря",
            "framework": str(digcomp.id),
            "jobs_shown": "1",
        },
    )

    profile = services.profile_by_code("LIBRARIAN")
    assert response.status_code == 302 and response.location == f"{FRAMEWORKS}/profiles/{profile.id}"
    assert profile.requirements == [] and profile.framework_id == digcomp.id
    again = post(
        client,
        f"{FRAMEWORKS}/profiles/new",
        {"code": "LIBRARIAN", "name_uk": "Ще раз", "framework": str(digcomp.id)},
        headers=EN,
    )
    assert "Another minimum profile has this code." in text(again)


# --- tagging modules and items ----------------------------------------------------------------------


def test_modules_and_items_are_tagged_in_the_authoring_forms(client, db, world, shipped, make_course):
    course = make_course("TAG-TEST", layout=(("basics", True, [("welcome", "text", "next", True)]),))
    module, item = course.modules[0], course.items[0]
    competences = services.competences_of(services.by_idnumber("DIGCOMP-2.2"))
    login(client, world.people["admin@root"])

    page = text(client.get(f"/courses/author/TAG-TEST/modules/{module.id}/edit", headers=EN))
    assert "Competences taught" in page and f'value="{competences["4.2"].id}"' in page

    response = post(
        client,
        f"/courses/author/TAG-TEST/modules/{module.id}/edit",
        {"title_uk": "Модуль", "competences": [str(competences["4.2"].id), str(competences["4"].id)]},
    )
    assert response.status_code == 302
    response = post(
        client,
        f"/courses/author/TAG-TEST/items/{item.id}/edit",
        {
            "title_uk": "Урок",
            "body": "Текст.",
            "completion": "next",
            "competences": [str(competences["4.1"].id)],
        },
    )
    assert response.status_code == 302

    db.session.expire_all()
    module, item = db.session.get(Module, module.id), db.session.get(Item, item.id)
    assert [c.idnumber for c in module.competences] == ["4", "4.2"]
    assert [c.idnumber for c in item.competences] == ["4.1"]
    page = text(client.get(f"/courses/author/TAG-TEST/items/{item.id}/edit", headers=EN))
    assert f'value="{competences["4.1"].id}" checked' in page and "<details open>" in page

    response = post(
        client,
        f"/courses/author/TAG-TEST/items/{item.id}/edit",
        {"title_uk": "Урок", "body": "Текст.", "competences": ["999999"]},
        headers=EN,
    )
    assert response.status_code == 200 and "not a valid choice" in text(response).lower()


# --- course packages --------------------------------------------------------------------------------


MANIFEST = """\
code: TAGGED
version: 1
language: uk
title: {uk: "Курс"}
hours: 1
modules:
  - id: safety
    title: {uk: "Безпека"}
    competences: [DIGCOMP-2.2/4.2, DIGCOMP-2.2/4]
    items:
      - id: passwords
        kind: text
        title: {uk: "Паролі"}
        body: safety/passwords.md
        competences: [DIGCOMP-2.2/4.1, TSYFROHRAM/5]
"""


def write_package(root: Path, manifest: str = MANIFEST) -> Path:
    (root / "safety").mkdir(parents=True)
    (root / "course.yaml").write_text(manifest, encoding="utf-8")
    (root / "safety" / "passwords.md").write_text("Довгі паролі.\n", encoding="utf-8")
    return root


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_package_competences_round_trip_byte_for_byte(app, db, shipped, tmp_path):
    import_packages([write_package(tmp_path / "pkg")])
    db.session.commit()
    course = by_code("TAGGED")
    assert [services.reference(c) for c in course.modules[0].competences] == [
        "DIGCOMP-2.2/4",
        "DIGCOMP-2.2/4.2",
    ]

    export_course(course, tmp_path / "first")
    db.session.delete(course)
    db.session.commit()
    import_packages([tmp_path / "first"])
    db.session.commit()
    export_course(by_code("TAGGED"), tmp_path / "second")

    first, second = files_of(tmp_path / "first"), files_of(tmp_path / "second")
    assert first == second
    manifest = yaml.safe_load(first["course.yaml"])
    assert manifest["modules"][0]["competences"] == ["DIGCOMP-2.2/4", "DIGCOMP-2.2/4.2"]
    assert list(manifest["modules"][0]) == ["id", "title", "required", "competences", "items"]
    assert manifest["modules"][0]["items"][0]["competences"] == ["DIGCOMP-2.2/4.1", "TSYFROHRAM/5"]
    assert db.session.scalar(select(func.count()).select_from(module_competence)) == 2
    assert db.session.scalar(select(func.count()).select_from(item_competence)) == 2


def test_a_package_naming_an_unknown_competence_is_refused_with_file_line_and_field(
    app, db, shipped, tmp_path
):
    manifest = MANIFEST.replace("TSYFROHRAM/5", "TSYFROHRAM/9").replace("[DIGCOMP-2.2/4.2,", "[NOPE/1,")

    with pytest.raises(PackageError) as raised:
        import_packages([write_package(tmp_path / "pkg", manifest)])

    problems = [str(problem) for _package, problem in raised.value.problems]
    assert problems == [
        "course.yaml:9: modules[0].competences[0]: no competence NOPE/1 is installed "
        "(check framework NOPE and the id number; "
        "`lms frameworks load-shipped` installs the frameworks Kaskad ships)",
        "course.yaml:15: modules[0].items[0].competences[1]: no competence TSYFROHRAM/9 is installed "
        "(check framework TSYFROHRAM and the id number; "
        "`lms frameworks load-shipped` installs the frameworks Kaskad ships)",
    ]
    assert by_code("TAGGED") is None
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_a_package_competence_must_name_its_framework(app, db, tmp_path):
    manifest = MANIFEST.replace("[DIGCOMP-2.2/4.2, DIGCOMP-2.2/4]", '["4.2", "4.2"]')

    with pytest.raises(PackageError) as raised:
        import_packages([write_package(tmp_path / "pkg", manifest)])

    problems = [str(problem) for _package, problem in raised.value.problems]
    assert any("modules[0].competences[0]: '4.2' is not a competence named by" in p for p in problems), (
        problems
    )
    assert any("modules[0].competences: lists a value twice" in p for p in problems), problems
