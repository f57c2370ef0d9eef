"""Importing a plan from a CSV or XLSX file laid out like the decree's table.

The columns are found by the decrees' own Ukrainian headers and their variants, or by English ones
(:data:`HEADERS`), compared with case, spaces and apostrophes folded; rows above the header (the
table's title) are skipped, columns nobody asked for are ignored and named in the preview. A row
without a number takes it from a leading "1." of its action. Executors are separated by new lines
or semicolons (then commas belong to the names); in a cell with neither, commas separate them,
unless the name of a known organisation (or one the file separates so elsewhere) holds the comma.
Executors are matched to organisations by name; those not found are created as institutions of the
owner's region on confirm. Every row is checked first; the plan is imported whole or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import search_text
from lms.imports.services import Column, Plan, RowAction, read_sheet
from lms.orgs.models import InstitutionType, Kind, Organisation
from lms.orgs.services import by_code as org_by_code
from lms.orgs.services import create_organisation
from lms.plans import services
from lms.plans.models import IndicatorKind
from lms.plans.models import Plan as ActionPlan
from lms.plugins import registry

KIND = "plans"
# field -> the headers that name it (folded as :func:`fold` folds them)
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("№", "№ з/п", "№з/п", "n", "no", "no.", "номер", "number", "#"),
    "action": (
        "найменування заходу",
        "найменування заходів",
        "найменування заходу плану реалізації концепції",
        "назва заходу",
        "захід",
        "заходи",
        "action",
        "name",
    ),
    "content": ("зміст заходу", "зміст заходів", "зміст", "content"),
    "executors": (
        "відповідальні виконавці",
        "відповідальні за виконання",
        "відповідальний виконавець",
        "виконавці",
        "виконавець",
        "executors",
        "executor",
    ),
    "term": (
        "термін виконання",
        "строк виконання заходів",
        "термін виконання заходу",
        "термін виконання заходів",
        "строк виконання",
        "строк виконання заходу",
        "термін",
        "строк",
        "term",
    ),
    "indicator": (
        "індикатор виконання",
        "індикатор виконання заходів",
        "індикатор виконання заходу",
        "індикатори виконання",
        "індикатор",
        "indicator",
    ),
}
COLUMNS = (
    Column("number", False, _l("The action's number (№); else taken from a leading «1.» of the action"), "1"),
    Column("action", True, _l("The action's name (Найменування заходу)"), "Впровадження моніторингу"),
    Column("content", False, _l("What is done (Зміст заходу)"), "Збір інформації про сертифікати"),
    Column(
        "executors",
        False,
        _l("Responsible executors, one per line or separated by semicolons (Відповідальні виконавці)"),
        "Відділ цифрового розвитку облдержадміністрації",
    ),
    Column("term", False, _l("The term as the decree writes it (Термін виконання)"), "2021-2025"),
    Column(
        "indicator",
        False,
        _l("The indicator of execution (Індикатор виконання)"),
        "Кількість отриманих сертифікатів",
    ),
)
NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3}){0,3}\.?$")
LEADING_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,3})[.)]\s+(\S.*)$", re.S)
BY_CONSENT = re.compile(r"\(\s*за\s+згодою\s*\)", re.I)
QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"'})
# An indicator counted by a registered figure, when its words say so plainly: (pattern, registry key).
COMPUTED_WORDS = (
    (re.compile(r"сертифікат|certificate", re.I), "certificates.all"),
    (re.compile(r"навчених осіб|people trained", re.I), "people.trained"),
)


def fold(text: str) -> str:
    """Case, spaces, apostrophes and quotes folded: how headers and names are compared."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTES)
    return re.sub(r"\s+", " ", search_text(text)).strip().rstrip(":*").strip()


HEADER_FIELDS = {fold(name): key for key, names in HEADERS.items() for name in names}


def fold_name(name: str) -> str:
    """An executor's name folded for matching: also without «(за згодою)» and end punctuation."""
    return fold(BY_CONSENT.sub("", name)).strip(" .,;")


def clean_name(name: str) -> str:
    """An executor's name as it will be shown: spaces collapsed, «(за згодою)» dropped."""
    name = re.sub(r"\s+", " ", BY_CONSENT.sub("", name)).strip(" .,;")
    return name[:1].upper() + name[1:]


def computed_key(text: str) -> str | None:
    """The registered indicator that plainly counts what ``text`` names, or None (a reported one)."""
    known = registry().indicators
    for pattern, key in COMPUTED_WORDS:
        if pattern.search(text) and key in known:
            return key
    return None


@dataclass
class Header:
    line: int
    columns: dict[int, str]  # cell index -> field
    ignored: list[str] = field(default_factory=list)


def find_header(rows: list[tuple[int, list[str]]]) -> Header | None:
    """The first of the first ten rows that names the action column and one more known column."""
    for line, cells in rows[:10]:
        columns = {
            index: HEADER_FIELDS[fold(cell)]
            for index, cell in enumerate(cells)
            if fold(cell) in HEADER_FIELDS
        }
        if "action" in columns.values() and len(columns) >= 2:
            # The decree's table often leaves the number column's header empty.
            if "number" not in columns.values() and 0 not in columns and cells and not cells[0]:
                columns[0] = "number"
            ignored = [cell for index, cell in enumerate(cells) if cell and index not in columns]
            return Header(line, columns, ignored)
    return None


class PlanImporter:
    """Checks a decree's table for a new plan ``code`` of ``owner`` and creates it on :meth:`apply`."""

    kind = KIND

    def __init__(
        self,
        code: str,
        title: str,
        owner: Organisation,
        start_year: int | None = None,
        end_year: int | None = None,
    ) -> None:
        self.code, self.title, self.owner = code.strip(), title.strip(), owner
        self.start_year, self.end_year = start_year, end_year
        self.ignored: list[str] = []
        self.new_executors: list[str] = []  # names to create as institutions, as first written
        self._known = self._organisations_by_name()
        self._learned: set[str] = set()  # names the file itself separates by lines or semicolons

    @property
    def columns(self) -> Sequence[Column]:
        return COLUMNS

    def _organisations_by_name(self) -> dict[str, list[Organisation]]:
        """Organisations an executor may be: the owner's subtree and the national bodies."""
        found: dict[str, list[Organisation]] = {}
        query = select(Organisation).where(
            or_(
                Organisation.path.startswith(self.owner.path, autoescape=True),
                Organisation.kind == Kind.NATIONAL.value,
            ),
            Organisation.kind != Kind.HUB.value,
        )
        for organisation in db.session.scalars(query):
            for name in set((organisation.name or {}).values()):
                found.setdefault(fold_name(name), []).append(organisation)
        return found

    def split_executors(self, text: str) -> list[str]:
        names: list[str] = []
        if re.search(r"[;\n]", text):  # separated by lines or semicolons: commas are in the names
            return [name.strip() for name in re.split(r"[;\n]+", text) if fold_name(name)]
        for piece in (text,):
            parts = [part.strip() for part in piece.split(",") if part.strip()]
            start = 0
            while start < len(parts):
                # The longest run of comma-separated parts that is a known organisation's name.
                for end in range(len(parts), start, -1):
                    joined = fold_name(", ".join(parts[start:end]))
                    if end - start == 1 or joined in self._known or joined in self._learned:
                        names.append(", ".join(parts[start:end]))
                        start = end
                        break
        return [name for name in names if fold_name(name)]

    def read(self, data: bytes) -> Plan:
        rows, problems = read_sheet(data)
        if problems:
            return Plan(errors=problems)
        return self.check_sheet(rows)

    def check_sheet(self, rows: list[tuple[int, list[str]]]) -> Plan:
        header = find_header(rows)
        if header is None:
            return Plan(
                errors=[
                    (
                        1,
                        _(
                            "No header row names the action column (%(names)s) and another known column.",
                            names="«Найменування заходу», «action»",
                        ),
                    )
                ]
            )
        self.ignored = header.ignored
        records = []
        for line, cells in rows:
            if line <= header.line:
                continue
            record = {name: "" for name in HEADERS}
            for index, key in header.columns.items():
                if index < len(cells):
                    record[key] = cells[index]
            records.append((line, record))
        return self.check(records)

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> Plan:
        plan = Plan()
        if services.by_code(self.code) is not None:
            plan.errors.append((1, _("A plan with the code %(code)s already exists.", code=self.code)))
        numbers: dict[str, int] = {}
        new: dict[str, str] = {}
        for _line, row in rows:
            if re.search(r"[;\n]", row["executors"]):
                self._learned.update(fold_name(name) for name in self.split_executors(row["executors"]))
        for line, row in rows:
            action = self._row(line, row, numbers, new, plan.errors)
            if action is not None:
                plan.actions.append(action)
        if not plan.actions and not plan.errors:
            plan.errors.append((1, _("The file has a header but no rows.")))
        if new and self.owner.kind != Kind.REGION:
            plan.errors.append(
                (
                    1,
                    _(
                        "These executors are not organisations of Kaskad: %(names)s. Only a region's plan "
                        "creates them as its institutions; add them first.",
                        names="; ".join(new.values()),
                    ),
                )
            )
        self.new_executors = list(new.values())
        return plan

    def _row(
        self,
        line: int,
        row: dict[str, str],
        numbers: dict[str, int],
        new: dict[str, str],
        errors: list[tuple[int, str]],
    ) -> RowAction | None:
        name = re.sub(r"[ \t]+", " ", row["action"]).strip()
        number = row["number"].strip().rstrip(".")
        leading = LEADING_NUMBER.match(name)
        if leading and (not number or number == leading[1]):
            number, name = leading[1], leading[2].strip()
        if not name:
            errors.append((line, _("The action has no name.")))
            return None
        if not number:
            errors.append((line, _("The action has no number: fill in «№» or start the action with «1.».")))
            return None
        if not NUMBER.match(number):
            errors.append((line, _("«%(number)s» is not an action's number (1, 2, 2.1).", number=number)))
            return None
        if number in numbers:
            errors.append(
                (
                    line,
                    _("Action %(number)s is already on line %(line)s.", number=number, line=numbers[number]),
                )
            )
            return None
        numbers[number] = line
        if len(row["term"]) > 200:
            errors.append((line, _("The term is longer than 200 characters.")))
            return None
        executors: list[int] = []
        names: list[str] = []
        for executor in self.split_executors(row["executors"]):
            key = fold_name(executor)
            matches = self._known.get(key, [])
            if len(matches) > 1:
                errors.append(
                    (
                        line,
                        _(
                            "«%(name)s» is the name of several organisations: %(codes)s.",
                            name=executor,
                            codes=", ".join(sorted(m.code for m in matches)),
                        ),
                    )
                )
                return None
            if matches:
                executors.append(matches[0].id)
                names.append(str(matches[0].name))
            else:
                new.setdefault(key, clean_name(executor))
                names.append(new[key])
        indicator = re.sub(r"\s+", " ", row["indicator"]).strip()
        registry_key = computed_key(indicator) if indicator else None
        return RowAction(
            line,
            "create",
            f"{number}. {name}",
            {
                "number": number,
                "name": name,
                "content": row["content"].strip(),
                "term": re.sub(r"\s+", " ", row["term"]).strip(),
                "executor_ids": executors,
                "new_executors": [fold_name(e) for e in self.split_executors(row["executors"])],
                "executor_names": names,
                "indicator": indicator,
                "registry_key": registry_key,
            },
        )

    def apply(self, plan: Plan, by: User | None = None) -> ActionPlan:
        """Create the plan, its new institutions, actions and indicators (flushes, never commits)."""
        created: dict[str, Organisation] = {}
        for name in self.new_executors:
            created[fold_name(name)] = create_organisation(
                self._free_code(),
                Kind.INSTITUTION.value,
                {"uk": name},
                self.owner,
                institution_type=institution_type_of(name),
            )
        start, end = self.years(plan)
        result = services.create_plan(self.code, self.title, self.owner, start, end, by)
        for position, row in enumerate(plan.actions, start=1):
            data = row.data
            executors = [db.session.get(Organisation, id) for id in data["executor_ids"]]
            executors += [created[key] for key in data["new_executors"] if key in created]
            action = services.add_action(
                result,
                data["number"],
                data["name"],
                content=data["content"],
                term=data["term"],
                executors=list(dict.fromkeys(e for e in executors if e is not None)),
                position=position,
            )
            if data["indicator"]:
                kind = IndicatorKind.COMPUTED if data["registry_key"] else IndicatorKind.REPORTED
                filters = {"region": "owner"} if data["registry_key"] else {}
                services.add_indicator(action, data["indicator"], kind.value, data["registry_key"], filters)
        return result

    def years(self, plan: Plan) -> tuple[int, int]:
        """The years given, else those of the code, the title or the actions' terms, else this year."""
        if self.start_year and self.end_year:
            return self.start_year, self.end_year
        terms = [row.data["term"] for row in plan.actions]
        found = years_of(self.code, self.title, terms=terms)
        return found or (date.today().year, date.today().year)

    def _free_code(self) -> str:
        number = 1
        while org_by_code(f"{self.owner.code}-EX-{number:03d}") is not None:
            number += 1
        return f"{self.owner.code}-EX-{number:03d}"


YEARS = re.compile(r"(20\d\d)\s*[-–—]\s*(20\d\d)")
YEAR = re.compile(r"\b(20\d\d)\b")


def years_of(*texts: str, terms: Sequence[str] = ()) -> tuple[int, int] | None:
    """The plan's years: a «2021-2025» in its code or title, else the span of its actions' terms."""
    for text in texts:
        match = YEARS.search(text)
        if match and int(match[1]) <= int(match[2]):
            return int(match[1]), int(match[2])
    found = sorted({int(year) for term in terms for year in YEAR.findall(term)})
    return (found[0], found[-1]) if found else None


def institution_type_of(name: str) -> str:
    folded = fold(name)
    if "адміністрац" in folded:
        return InstitutionType.ADMINISTRATION_UNIT.value
    if "самоврядування" in folded or "рада" in folded or "виконавч" in folded:
        return InstitutionType.LOCAL_COUNCIL.value
    if "бібліотек" in folded:
        return InstitutionType.LIBRARY.value
    return InstitutionType.OTHER.value


def summary(plan: Plan, importer: PlanImporter) -> dict[str, Any]:
    """What the preview and the command line say about a checked file."""
    indicators = [row.data for row in plan.actions if row.data["indicator"]]
    return {
        "actions": len(plan.actions),
        "indicators": len(indicators),
        "computed": sum(1 for data in indicators if data["registry_key"]),
        "new_executors": importer.new_executors,
        "ignored": importer.ignored,
    }
