"""The half-year execution report of a plan: for each action and each of its indicators, the value
for the period, the target for the period's year, the executors' notes and a status, in the decree's
table shape; as a page, CSV, XLSX and PDF, and frozen with sign-off like the monitoring reports.

Where the numbers come from (``row["source"]``):

- a **computed** indicator takes the value kept (:class:`~lms.plans.models.FrozenValue`) when the
  plan's round for the period was closed (``frozen``); without a closed round it is counted now
  (``live``) and the report says it is provisional;
- a **reported** indicator adds up the numbers of the round's *submitted* submissions (``reported``):
  drafts and submissions returned for correction do not count; the row says how many of the action's
  executors have submitted. Without a round for the period there is nothing reported (``none``).

The status (:data:`STATUS_RULE`, shown on the page and in the PDF): when executors gave their word on
the row, all saying done → done, all saying not started → not started, anything else → in progress;
otherwise derived from the number: the value reaches the year's target → done, a value above 0 → in
progress, else not started.

A report's *content* is plain data (codes, names, numbers): what the page shows, what the exports
write, and what a frozen version (:class:`~lms.monitoring.models.FrozenReport`, preset
:data:`PRESET`) keeps unchanged. Statuses and the period are kept as codes and put into words when
shown, so a frozen version reads in the viewer's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.monitoring import frozen
from lms.monitoring.models import FrozenReport
from lms.monitoring.periods import Period
from lms.monitoring.reports import exported, render_pdf, write_header
from lms.plans import services
from lms.plans.models import (
    ACTION_STATUS_LABELS,
    Action,
    ActionStatus,
    FrozenValue,
    Indicator,
    Plan,
    ReportingRound,
    RoundState,
    Submission,
    SubmissionState,
)

PRESET = "plan-execution"
FORMATS = ("csv", "xlsx", "pdf")
# The CSV of the issue: fixed English column names, one row per action and indicator.
CSV_COLUMNS = ("number", "action", "executors", "term", "indicator", "value", "target", "status")
WHOLE = "all"
STATUS_RULE = _l(
    "Status: when executors gave their word on a row, all saying done makes it done, all saying not "
    "started makes it not started, anything else in progress. Otherwise it follows the number: the "
    "value reaches the target for the year: done; a value above 0: in progress; else not started."
)
VALUE_RULE = _l(
    "Values counted by Kaskad are those kept when the round for the period was closed; reported "
    "values add up the submitted reports only (drafts and reports returned for correction do not count)."
)
SOURCE_LABELS = {
    "frozen": _l("counted by Kaskad, kept at the round's close"),
    "live": _l("counted by Kaskad today (provisional)"),
    "reported": _l("reported by the executors"),
    "none": _l("no round for this period"),
}


class PeriodError(ValueError):
    """The period is not a half-year or a quarter of the plan's years."""


def parse_period(text: str) -> Period:
    """A half-year (``2026-H1``) or a quarter (``2026-Q3``). Years outside the plan's are allowed:
    executors report on the last half-year after the plan's end, and a round may be opened for it."""
    try:
        period = Period.parse(text or "")
    except ValueError:
        period = None
    if period is None or period.kind not in ("half", "quarter"):
        raise PeriodError(_("Write the period as a half-year (2026-H1, 2026-H2) or a quarter (2026-Q3)."))
    return period


def default_period(plan: Plan, today: date | None = None) -> Period:
    """The half-year last reported on: the latest round's period, else the last half-year that has
    ended (within the plan's years when the plan has ended)."""
    periods = [parsed for parsed in (_parsed(round_.period) for round_ in plan.rounds) if parsed is not None]
    if periods:
        return max(periods, key=lambda period: period.end)
    day = today or date.today()
    last = Period.half(day.year, 1) if day.month > 6 else Period.half(day.year - 1, 2)
    return last if last.year <= plan.end_year else Period.half(plan.end_year, 2)


def period_choices(
    plan: Plan, chosen: Period | None = None, today: date | None = None
) -> list[tuple[str, str]]:
    """The half-years of the plan's years and up to today, the periods of its rounds and the chosen
    one, newest first."""
    last_year = max(plan.end_year, (today or date.today()).year)
    found = {
        period.code: period
        for period in (
            Period.half(year, number) for year in range(plan.start_year, last_year + 1) for number in (1, 2)
        )
    }
    for parsed in (_parsed(round_.period) for round_ in plan.rounds):
        if parsed is not None and parsed.kind in ("half", "quarter"):
            found[parsed.code] = parsed
    if chosen is not None:
        found[chosen.code] = chosen
    ordered = sorted(found.values(), key=lambda period: (period.end, period.kind == "quarter"), reverse=True)
    return [(period.code, period.label()) for period in ordered]


def report_periods(plan: Plan) -> list[Period]:
    """The periods the plan page links the report for: its rounds' periods, newest first, else the
    default period."""
    periods = [parsed for parsed in (_parsed(round_.period) for round_ in plan.rounds) if parsed is not None]
    return sorted(periods, key=lambda period: period.end, reverse=True) or [default_period(plan)]


def _parsed(code: str) -> Period | None:
    try:
        return Period.parse(code)
    except ValueError:
        return None


def round_for(plan: Plan, period: Period) -> ReportingRound | None:
    return db.session.scalar(
        select(ReportingRound).where(ReportingRound.plan_id == plan.id, ReportingRound.period == period.code)
    )


def derived_status(value: float | None, target: float | None) -> str:
    if value is not None and target is not None and target > 0 and value >= target:
        return ActionStatus.DONE.value
    if value is not None and value > 0:
        return ActionStatus.IN_PROGRESS.value
    return ActionStatus.NOT_STARTED.value


def status_of(words: Iterable[str | None], value: float | None, target: float | None) -> str:
    """The row's status: the executors' words when given, else derived from the value (STATUS_RULE)."""
    given = [word for word in words if word in {status.value for status in ActionStatus}]
    if given:
        if all(word == ActionStatus.DONE for word in given):
            return ActionStatus.DONE.value
        if all(word == ActionStatus.NOT_STARTED for word in given):
            return ActionStatus.NOT_STARTED.value
        return ActionStatus.IN_PROGRESS.value
    return derived_status(value, target)


def scope_label(organisation_ids: list[int] | None) -> str:
    return WHOLE if organisation_ids is None else "orgs=" + ",".join(str(i) for i in sorted(organisation_ids))


def report_key(plan: Plan, period: Period) -> str:
    """What makes versions of "the same report": the plan, the period and the (whole-plan) scope."""
    return f"{PRESET};plan={plan.code};period={period.code};scope={WHOLE}"[:200]


def build(
    plan: Plan, period: Period, organisation_ids: list[int] | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """The report's content: the whole plan, or (``organisation_ids``) the actions those
    organisations are executors of."""
    round_ = round_for(plan, period)
    closed = round_ is not None and round_.state == RoundState.CLOSED
    actions = list(
        db.session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id)
            .options(selectinload(Action.executors), selectinload(Action.indicators))
            .order_by(Action.position, Action.id)
        )
    )
    executor_ids = {org.id for action in actions for org in action.executors}
    if organisation_ids is not None:
        mine = set(organisation_ids)
        actions = [action for action in actions if any(org.id in mine for org in action.executors)]
    kept: dict[int, float | None] = {}
    submitted: list[Submission] = []
    if round_ is not None:
        if closed:
            kept = {
                row.indicator_id: row.value
                for row in db.session.scalars(select(FrozenValue).where(FrozenValue.round_id == round_.id))
            }
        submitted = list(
            db.session.scalars(
                select(Submission)
                .where(Submission.round_id == round_.id, Submission.state == SubmissionState.SUBMITTED.value)
                .options(selectinload(Submission.values), selectinload(Submission.organisation))
            )
        )
    submitted_by = {submission.organisation_id for submission in submitted}
    entries: dict[int, list[tuple[Submission, Any]]] = {}
    for submission in submitted:
        for entry in submission.values:
            entries.setdefault(entry.indicator_id, []).append((submission, entry))
    today = as_of or date.today()
    rows: list[dict[str, Any]] = []
    for action in actions:
        executors = [str(org.name) for org in action.executors]
        expected = len(action.executors)
        reporting = sum(1 for org in action.executors if org.id in submitted_by)
        indicators: list[Indicator | None] = list(action.indicators) or [None]
        for position, indicator in enumerate(indicators, start=1):
            target = indicator.target_for(period.year) if indicator is not None else None
            given = (
                sorted(entries.get(indicator.id, []), key=lambda pair: str(pair[0].organisation.name))
                if indicator
                else []
            )
            if indicator is None:
                value, source = None, "none"
            elif indicator.is_computed:
                if closed and indicator.id in kept:
                    value, source = kept[indicator.id], "frozen"
                else:
                    value, source = services.compute(indicator, period, as_of), "live"
            elif round_ is None:
                value, source = None, "none"
            else:
                numbers = [entry.value for _submission, entry in given if entry.value is not None]
                value, source = (float(sum(numbers)) if numbers else None), "reported"
            rows.append(
                {
                    "code": f"{action.number}/{position}",
                    "name": f"{action.number}. {indicator.text if indicator else action.name}",
                    "number": action.number,
                    "action": action.name,
                    "executors": executors,
                    "term": action.term,
                    "indicator": indicator.text if indicator else "",
                    "kind": indicator.kind if indicator else "",
                    "value": value,
                    "target": target,
                    "source": source,
                    "status": status_of((entry.status for _s, entry in given), value, target),
                    "notes": [
                        {"organisation": str(submission.organisation.name), "note": entry.note.strip()}
                        for submission, entry in given
                        if (entry.note or "").strip()
                    ],
                    "submitted": reporting,
                    "expected": expected,
                    # what frozen.differences compares between two versions
                    "cells": {"value": value or 0, "target": target or 0},
                }
            )
    return {
        "preset": PRESET,
        "plan": plan.code,
        "title": plan.title,
        "owner": str(plan.owner.name),
        "period": period.code,
        "as_of": today.isoformat(),
        "scope": scope_label(organisation_ids),
        "round": None
        if round_ is None
        else {
            "state": round_.state,
            "deadline": round_.deadline.isoformat(),
            "closed_at": round_.closed_at.isoformat() if round_.closed_at else None,
            "submitted": len(submitted_by & executor_ids),
            "executors": len(executor_ids),
        },
        "provisional": not closed,
        "columns": [{"code": "value", "name": "value"}, {"code": "target", "name": "target"}],
        "rows": rows,
        "total": {},
    }


# --- what the page and the exports show ---------------------------------------------------------


def as_of_label(content: dict[str, Any]) -> str:
    return _("as of %(date)s", date=format_date(date.fromisoformat(content["as_of"]), "medium"))


def period_label(content: dict[str, Any]) -> str:
    parsed = _parsed(content["period"])
    return parsed.label() if parsed is not None else content["period"]


def status_label(code: str) -> str:
    try:
        return str(ACTION_STATUS_LABELS[ActionStatus(code)])
    except ValueError:
        return code


def headers() -> list[str]:
    """The decree's table headers, in the viewer's language."""
    return [
        _("No."),
        _("Name of the action"),
        _("Responsible executors"),
        _("Term"),
        _("Indicator of execution"),
        _("Value"),
        _("Target"),
        _("State of execution"),
        _("Notes"),
    ]


def plain(value: float | None) -> str:
    """A number as the CSV writes it: 12 for a whole number, 12.5 otherwise, empty for none."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def notes_text(row: dict[str, Any]) -> str:
    return "\n".join(f"{note['organisation']}: {note['note']}" for note in row["notes"])


def submitted_text(row: dict[str, Any]) -> str:
    if row["source"] != "reported":
        return ""
    return _(
        "%(submitted)s of %(expected)s executors submitted",
        submitted=row["submitted"],
        expected=row["expected"],
    )


def provisional_text(content: dict[str, Any]) -> str:
    if not content["provisional"]:
        return ""
    if content["round"] is None:
        return _(
            "Provisional: there is no reporting round for this period; Kaskad's numbers are counted today."
        )
    return _("Provisional: the round is not closed; Kaskad's numbers are counted today.")


def export_csv(content: dict[str, Any]) -> bytes:
    """``number, action, executors, term, indicator, value, target, status``: one row per action and
    indicator; executors joined with "; ", the status as its code (done, in_progress, not_started)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in content["rows"]:
        writer.writerow(
            [
                row["number"],
                row["action"],
                "; ".join(row["executors"]),
                row["term"],
                row["indicator"],
                plain(row["value"]),
                plain(row["target"]),
                row["status"],
            ]
        )
    return out.getvalue().encode("utf-8")


def signature(version: FrozenReport | None) -> str:
    if version is None:
        return ""
    return _(
        "version %(number)s, signed off by %(name)s",
        number=version.version,
        name=version.signed_by.full_name if version.signed_by else "—",
    )


def export_xlsx(content: dict[str, Any], version: FrozenReport | None = None) -> bytes:
    """The decree's table: title, period and sign-off above, a frozen header row, numbers as numbers,
    wrapped text, the rules under the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = content["period"][:31]
    sheet["A1"] = content["title"]
    sheet["A1"].font = Font(bold=True, size=14)
    line = " · ".join(
        part
        for part in (
            content["owner"],
            period_label(content),
            as_of_label(content),
            provisional_text(content),
        )
        if part
    )
    sheet["A2"] = line
    sheet["A3"] = signature(version)
    header_row = 5
    write_header(sheet, header_row, headers())
    wrap = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(content["rows"], start=1):
        values: list[Any] = [
            row["number"],
            row["action"],
            "\n".join(row["executors"]),
            row["term"],
            row["indicator"],
            row["value"],
            row["target"],
            status_label(row["status"]),
            "\n".join(part for part in (submitted_text(row), notes_text(row)) if part),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + offset, column=column, value=value)
            cell.alignment = wrap
            if column in (6, 7) and value is not None:
                cell.number_format = "#,##0" if float(value).is_integer() else "#,##0.0#"
    last = header_row + len(content["rows"])
    sheet.cell(row=last + 2, column=1, value=str(VALUE_RULE)).font = Font(italic=True)
    sheet.cell(row=last + 3, column=1, value=str(STATUS_RULE)).font = Font(italic=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for letter, width in zip("ABCDEFGHI", (8, 48, 32, 14, 36, 12, 12, 14, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_pdf(content: dict[str, Any], version: FrozenReport | None = None) -> bytes:
    """A4 landscape: the plan's title and period, the decree's table, the rules and a sign-off block."""
    return render_pdf(
        "plans/report_pdf.html",
        content=content,
        version=version,
        headers=headers(),
        period_label=period_label(content),
        as_of=as_of_label(content),
        provisional=provisional_text(content),
        status_label=status_label,
        submitted_text=submitted_text,
        value_rule=str(VALUE_RULE),
        status_rule=str(STATUS_RULE),
    )


def export(content: dict[str, Any], format: str, version: FrozenReport | None = None) -> tuple[bytes, str]:
    """The report in ``format`` and its MIME type (``version``: the frozen version it is, if any)."""
    return exported(
        format,
        lambda: export_csv(content),
        lambda: export_xlsx(content, version),
        lambda: export_pdf(content, version),
    )


def filename(content: dict[str, Any], format: str, version: int | None = None) -> str:
    suffix = f"-v{version}" if version else ""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in content["plan"])
    return f"{safe}-{content['period']}{suffix}.{format}"


# --- frozen versions ------------------------------------------------------------------------------


def versions(plan: Plan, period: Period) -> list[FrozenReport]:
    return frozen.versions_of(report_key(plan, period))


def freeze(plan: Plan, period: Period, by: Any) -> FrozenReport:
    """Keep the whole plan's report for ``period`` as it stands now, signed off by ``by``."""
    content = build(plan, period)
    return frozen.keep(
        PRESET,
        report_key(plan, period),
        {"plan": plan.code, "period": period.code, "as_of": content["as_of"]},
        content,
        plan.scope_path,
        by,
    )


def version_of(plan: Plan, report_id: int) -> FrozenReport | None:
    report = db.session.get(FrozenReport, report_id)
    if report is None or report.preset != PRESET or report.parameters.get("plan") != plan.code:
        return None
    return report


def differences(old: FrozenReport, new: FrozenReport) -> list[dict[str, Any]]:
    """The numbers (value, target) and statuses that differ between two versions."""
    changes = frozen.differences(old.content, new.content)
    names = {"value": _("Value"), "target": _("Target")}
    for change in changes:
        change["column"] = names.get(change["column_code"], change["column"])
    before = {row["code"]: row for row in old.content["rows"]}
    for row in new.content["rows"]:
        was = before.get(row["code"])
        if was is not None and was["status"] != row["status"]:
            changes.append(
                {
                    "row": row["code"],
                    "row_name": row["name"],
                    "column": _("State of execution"),
                    "column_code": "status",
                    "old": status_label(was["status"]),
                    "new": status_label(row["status"]),
                    "change": None,
                }
            )
    return changes
