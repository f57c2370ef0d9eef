"""A cohort's gradebook: one row per learner with progress per module, the quiz result per competence
against its minimum, the attendance rate, the completion status and what is missing; filtered, sorted
and paginated for the page, whole for the CSV and XLSX exports.

Every figure comes from grouped queries over the whole cohort (about ten, whatever its size); the
completion verdict is :func:`courses.cohorts.completion.standings`, the same the rule uses.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from courses.cohorts import sessions, wording
from courses.cohorts.completion import Standing, standings
from courses.cohorts.models import MEMBER_STATUS_LABELS, Cohort, CohortMember, MemberStatus
from courses.models import Item, ItemCompletion, ItemKind, Module
from courses.quizzes.models import Attempt, Quiz, QuizCompetence
from lms.accounts.models import TargetGroup, User, user_target_group
from lms.extensions import db
from lms.orgs.models import Organisation

SORTS = ("name", "organisation", "progress", "attendance", "status")
STATUS_ORDER = {MemberStatus.COMPLETED: 0, MemberStatus.ENROLLED: 1, MemberStatus.WITHDRAWN: 2}


@dataclass(frozen=True)
class Filters:
    """What the gradebook shows: a member status, a home organisation (and what lies below it), a
    target group; sorted by one of :data:`SORTS`."""

    status: str = ""
    organisation_id: int | None = None
    target_group_id: int | None = None
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class ModuleColumn:
    module: Module
    required: int  # required items of the module


@dataclass(frozen=True)
class CompetenceColumn:
    """One competence tested by one quiz of the course."""

    item: Item
    quiz_id: int
    competence_id: int
    label: str
    minimum: float


@dataclass(frozen=True)
class CompetenceResult:
    percent: float
    minimum: float
    reached: bool


@dataclass
class Row:
    member: CohortMember
    target_groups: list[TargetGroup]
    modules: list[int]  # required items done, per module column
    required_done: int
    required_total: int
    competences: list[CompetenceResult | None]  # per competence column; None: no graded attempt
    attended: int
    held: int  # sessions held so far that count for her
    standing: Standing

    @property
    def user(self) -> User:
        return self.member.user

    @property
    def progress(self) -> float:
        """Share of the course's required items done, 0–1 (1 for a course without any)."""
        return self.required_done / self.required_total if self.required_total else 1.0

    @property
    def attendance(self) -> float | None:
        """attended / held so far, 0–1; None before any session was held."""
        return self.attended / self.held if self.held else None

    @property
    def missing(self) -> list[str]:
        """What she lacks, in words (empty once completed, and for a withdrawn learner)."""
        if self.member.status != MemberStatus.ENROLLED:
            return []
        return wording.missing(self.standing)


@dataclass
class Gradebook:
    cohort: Cohort
    modules: list[ModuleColumn]
    competences: list[CompetenceColumn]
    rows: list[Row]


@dataclass
class Page:
    """A page of rows, with what ``_macros.pager`` needs."""

    items: Sequence[Row]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(rows: Sequence[Row], page: int, per_page: int) -> Page:
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Page(rows[start : start + per_page], page, per_page, len(rows))


# --- the figures ----------------------------------------------------------------------------------


def _members(cohort: Cohort, filters: Filters) -> list[CohortMember]:
    query = (
        select(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(CohortMember.cohort_id == cohort.id)
        .options(contains_eager(CohortMember.user).contains_eager(User.organisation))
    )
    if filters.status:
        query = query.where(CohortMember.status == filters.status)
    if filters.organisation_id is not None:
        chosen = db.session.get(Organisation, filters.organisation_id)
        if chosen is None:
            return []
        query = query.where(Organisation.path.startswith(chosen.path, autoescape=True))
    if filters.target_group_id is not None:
        query = query.where(
            CohortMember.user_id.in_(
                select(user_target_group.c.user_id).where(
                    user_target_group.c.target_group_id == filters.target_group_id
                )
            )
        )
    return list(db.session.scalars(query.order_by(User.name_sort, User.id)).unique())


def _target_groups(cohort: Cohort) -> dict[int, list[TargetGroup]]:
    query = (
        select(user_target_group.c.user_id, TargetGroup)
        .join(TargetGroup, TargetGroup.id == user_target_group.c.target_group_id)
        .where(
            user_target_group.c.user_id.in_(
                select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
            )
        )
        .order_by(TargetGroup.position, TargetGroup.id)
    )
    groups: dict[int, list[TargetGroup]] = {}
    for user_id, group in db.session.execute(query):
        groups.setdefault(user_id, []).append(group)
    return groups


def _module_columns(cohort: Cohort) -> list[ModuleColumn]:
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == cohort.course_id)
        .options(joinedload(Module.items))
        .order_by(Module.position, Module.id)
    ).unique()
    return [ModuleColumn(module, sum(1 for item in module.items if item.is_required)) for module in modules]


def _module_done(cohort: Cohort) -> dict[tuple[int, int], int]:
    """``{(member_id, module_id): required items done}``, one grouped query."""
    query = (
        select(CohortMember.id, Item.module_id, func.count(ItemCompletion.id))
        .join(ItemCompletion, ItemCompletion.enrolment_id == CohortMember.enrolment_id)
        .join(Item, Item.id == ItemCompletion.item_id)
        .join(Module, Module.id == Item.module_id)
        .where(CohortMember.cohort_id == cohort.id, Module.course_id == cohort.course_id, Item.is_required)
        .group_by(CohortMember.id, Item.module_id)
    )
    return {(member_id, module_id): count for member_id, module_id, count in db.session.execute(query)}


def _competence_columns(cohort: Cohort) -> list[CompetenceColumn]:
    query = (
        select(Quiz, QuizCompetence)
        .join(Item, Item.id == Quiz.item_id)
        .join(Module, Module.id == Item.module_id)
        .join(QuizCompetence, QuizCompetence.quiz_id == Quiz.id)
        .where(Module.course_id == cohort.course_id, Item.kind == ItemKind.QUIZ.value)
        .options(joinedload(Quiz.item), joinedload(QuizCompetence.competence))
        .order_by(Module.position, Item.position, QuizCompetence.position, QuizCompetence.id)
    )
    return [
        CompetenceColumn(
            item=quiz.item,
            quiz_id=quiz.id,
            competence_id=row.competence_id,
            label=str(row.competence.shortname),
            minimum=row.minimum_percent,
        )
        for quiz, row in db.session.execute(query).unique()
    ]


def _best_results(cohort: Cohort, quiz_ids: set[int]) -> dict[tuple[int, int], dict[int, dict[str, Any]]]:
    """``{(user_id, quiz_id): {competence_id: result}}`` of each learner's best graded attempt at each
    quiz (passed first, then the higher score), picked by a window function."""
    if not quiz_ids:
        return {}
    ranked = (
        select(
            Attempt.user_id,
            Attempt.quiz_id,
            Attempt.results,
            func.row_number()
            .over(
                partition_by=(Attempt.user_id, Attempt.quiz_id),
                order_by=(Attempt.passed.desc(), Attempt.score.desc(), Attempt.id),
            )
            .label("rank"),
        )
        .where(
            Attempt.quiz_id.in_(quiz_ids),
            Attempt.score.is_not(None),
            Attempt.user_id.in_(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)),
        )
        .subquery()
    )
    query = select(ranked.c.user_id, ranked.c.quiz_id, ranked.c.results).where(ranked.c.rank == 1)
    best: dict[tuple[int, int], dict[int, dict[str, Any]]] = {}
    for user_id, quiz_id, results in db.session.execute(query):
        best[(user_id, quiz_id)] = {result["competence_id"]: result for result in results or []}
    return best


def gradebook(cohort: Cohort, filters: Filters | None = None) -> Gradebook:
    """The cohort's gradebook with ``filters`` applied, every row (paginate for a page)."""
    filters = filters or Filters()
    members = _members(cohort, filters)
    modules = _module_columns(cohort)
    competences = _competence_columns(cohort)
    if not members:
        return Gradebook(cohort, modules, competences, [])
    groups = _target_groups(cohort)
    done = _module_done(cohort)
    best = _best_results(cohort, {column.quiz_id for column in competences})
    rates = sessions.attendance_rates(cohort)
    rule = standings(cohort, members)
    required_modules = [column for column in modules if column.module.is_required]
    total = sum(column.required for column in required_modules)
    rows = []
    for member in members:
        per_module = [done.get((member.id, column.module.id), 0) for column in modules]
        results: list[CompetenceResult | None] = []
        for column in competences:
            result = best.get((member.user_id, column.quiz_id), {}).get(column.competence_id)
            results.append(
                None
                if result is None
                else CompetenceResult(
                    float(result["percent"]), float(result["minimum"]), bool(result["reached"])
                )
            )
        attended, held = rates.get(member.id, (0, 0))
        rows.append(
            Row(
                member=member,
                target_groups=groups.get(member.user_id, []),
                modules=per_module,
                required_done=sum(
                    count
                    for count, column in zip(per_module, modules, strict=True)
                    if column.module.is_required
                ),
                required_total=total,
                competences=results,
                attended=attended,
                held=max(held, 0),
                standing=rule[member.id],
            )
        )
    rows.sort(key=_sort_key(filters.sort), reverse=filters.descending)
    return Gradebook(cohort, modules, competences, rows)


def _sort_key(sort: str) -> Callable[[Row], Any]:
    def by_name(row: Row) -> Any:
        return (row.user.name_sort, row.user.id)

    keys: dict[str, Callable[[Row], Any]] = {
        "name": by_name,
        "organisation": lambda row: (
            row.user.organisation.name_sort if row.user.organisation else "\uffff",
            *by_name(row),
        ),
        "progress": lambda row: (row.progress, *by_name(row)),
        "attendance": lambda row: (row.attendance if row.attendance is not None else -1.0, *by_name(row)),
        "status": lambda row: (STATUS_ORDER.get(MemberStatus(row.member.status), 9), *by_name(row)),
    }
    return keys.get(sort, by_name)


def filter_choices(cohort: Cohort) -> tuple[list[Organisation], list[TargetGroup]]:
    """The home organisations of the cohort's learners, and the target groups, for the filters."""
    organisations = db.session.scalars(
        select(Organisation)
        .where(
            Organisation.id.in_(
                select(User.organisation_id)
                .join(CohortMember, CohortMember.user_id == User.id)
                .where(CohortMember.cohort_id == cohort.id)
            )
        )
        .order_by(Organisation.name_sort, Organisation.id)
    ).all()
    groups = db.session.scalars(
        select(TargetGroup).where(TargetGroup.is_active.is_(True)).order_by(TargetGroup.position)
    ).all()
    return list(organisations), list(groups)


# --- exports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """An exported value: ``kind`` says how a spreadsheet shows it (text, integer, number with
    decimals, share shown as a percentage, date)."""

    value: Any
    kind: str = "text"


def table(book: Gradebook) -> tuple[list[str], list[list[Cell]]]:
    """The export's header and rows, in the current locale."""
    header = [
        _("Surname"),
        _("Given name"),
        _("Patronymic"),
        _("E-mail"),
        _("Organisation code"),
        _("Organisation"),
        _("Target groups"),
    ]
    for module in book.modules:
        header.append(
            _(
                "%(module)s: required items done (of %(total)s)",
                module=module.module.title,
                total=module.required,
            )
        )
    for competence in book.competences:
        header.append(
            _(
                "%(quiz)s · %(competence)s: %% (minimum %(minimum)s)",
                quiz=competence.item.title,
                competence=competence.label,
                minimum=format_decimal(competence.minimum),
            )
        )
        header.append(
            _("%(quiz)s · %(competence)s: reached", quiz=competence.item.title, competence=competence.label)
        )
    header += [
        _("Sessions attended"),
        _("Sessions held"),
        _("Attendance rate"),
        _("Status"),
        _("Completed on"),
        _("What is missing"),
    ]
    yes, no = _("yes"), _("no")
    statuses = {status.value: str(label) for status, label in MEMBER_STATUS_LABELS.items()}
    rows = []
    for row in book.rows:
        user, organisation = row.user, row.user.organisation
        cells = [
            Cell(user.surname),
            Cell(user.given_name),
            Cell(user.patronymic),
            Cell(user.email),
            Cell(organisation.code if organisation else ""),
            Cell(str(organisation.name) if organisation else ""),
            Cell(", ".join(str(group.name) for group in row.target_groups)),
        ]
        cells += [Cell(count, "integer") for count in row.modules]
        for result in row.competences:
            if result is None:
                cells += [Cell(""), Cell("")]
            else:
                cells += [Cell(result.percent, "number"), Cell(yes if result.reached else no)]
        cells += [
            Cell(row.attended, "integer"),
            Cell(row.held, "integer"),
            Cell(row.attendance, "share") if row.attendance is not None else Cell(""),
            Cell(statuses[row.member.status]),
            Cell(row.member.completed_at.date(), "date") if row.member.completed_at else Cell(""),
            Cell(" ".join(row.missing)),
        ]
        rows.append(cells)
    return header, rows


def _decimal(value: float, places: int, comma: str) -> str:
    """``value`` with at most ``places`` decimals and the locale's decimal sign (no grouping)."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text.replace(".", comma)


def _csv_text(cell: Cell, comma: str) -> str:
    """A value as a spreadsheet in the current locale reads it: its decimal sign, ISO dates."""
    if cell.value is None or cell.value == "":
        return ""
    if cell.kind == "integer":
        return str(cell.value)
    if cell.kind == "number":
        return _decimal(cell.value, 2, comma)
    if cell.kind == "share":
        return _decimal(cell.value * 100, 1, comma)
    if cell.kind == "date":
        return cell.value.isoformat()
    return str(cell.value)


def to_csv(book: Gradebook) -> bytes:
    """UTF-8 with a BOM and ``;`` between fields, as Excel in a Ukrainian locale opens it."""
    header, rows = table(book)
    comma = get_decimal_symbol(get_locale() or "uk")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for cells in rows:
        writer.writerow([_csv_text(cell, comma) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(book: Gradebook, title: str) -> bytes:
    """An Excel workbook: the header frozen, numbers as numbers, dates as dates (written in openpyxl's
    write-only mode: a tenth of the time of the normal one)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    header, rows = table(book)
    workbook = Workbook(write_only=True)
    # A sheet's name: at most 31 characters, none of []:*?/\
    sheet = workbook.create_sheet("".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Gradebook")
    sheet.freeze_panes = "A2"
    for column, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(len(name), 10), 40)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.alignment = bold, wrap
        heading.append(cell)
    sheet.append(heading)
    formats = {"integer": "0", "number": "0.00", "share": "0%", "date": "DD.MM.YYYY"}
    for cells in rows:
        values: list[Any] = []
        for cell in cells:
            if cell.value == "" or cell.value is None:
                values.append(None)
            elif cell.kind in formats:
                typed = WriteOnlyCell(sheet, value=cell.value)
                typed.number_format = formats[cell.kind]
                values.append(typed)
            else:
                values.append(cell.value)
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename(cohort: Cohort, extension: str) -> str:
    """``gradebook-<course>-<cohort id>.<ext>`` (ASCII, safe in a header)."""
    code = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in cohort.course.code)
    return f"gradebook-{code}-{cohort.id}.{extension}"


def completed_on(row: Row) -> str:
    return format_date(row.member.completed_at) if row.member.completed_at else ""
