"""Report presets that match the regional plans, and their exports (CSV, XLSX, PDF).

A report's *content* is plain data (codes, names, numbers): what the pages show, what the exports
write, and what a frozen version keeps unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.services import target_groups
from lms.extensions import db
from lms.monitoring import aggregates
from lms.monitoring.aggregates import COUNTING_RULE, Filters
from lms.monitoring.models import SOURCE_LABELS
from lms.orgs.models import Organisation
from lms.pdf import FONTS, html_to_pdf

PRESETS = {
    "quarterly": _l("Quarterly information on digital literacy"),
    "courses": _l("Courses held"),
}
FORMATS = ("csv", "xlsx", "pdf")


class ReportError(RuntimeError):
    """The PDF could not be made."""


def quarterly(filters: Filters, rows_by: str | None = None) -> dict[str, Any]:
    """Certificates by target group × region (× institution for a viewer within one region)."""
    if rows_by is None:
        rows_by = "region" if filters.scope.is_everything else "institution"
    groups = target_groups(active_only=False)
    cells = aggregates.matrix(filters, rows_by)
    if rows_by == "region":
        organisations = aggregates.region_rows(filters)
    else:
        keys = {key for key, _group in cells if key is not None}
        organisations = (
            list(
                db.session.scalars(
                    select(Organisation).where(Organisation.id.in_(keys)).order_by(Organisation.code)
                )
            )
            if keys
            else []
        )
    used = {group for _key, group in cells}
    columns = [group for group in groups if group.is_active or group.code in used]
    entries: list[tuple[Any, str, str]] = [(org.id, org.code, str(org.name)) for org in organisations]
    if rows_by == "institution" and (None, "*") in cells:
        entries.append((None, "—", _("Not at an institution")))
    rows: list[dict[str, Any]] = []
    for key, code, name in entries:
        row_cells = {group.code: cells.get((key, group.code), 0) for group in columns}
        row_cells["*"] = cells.get((key, "*"), 0)
        rows.append({"code": code, "name": name, "cells": row_cells})
    total = {group.code: sum(row["cells"][group.code] for row in rows) for group in columns}
    total["*"] = sum(row["cells"]["*"] for row in rows)
    return {
        "preset": "quarterly",
        "title": str(PRESETS["quarterly"]),
        "period": filters.period.code,
        "period_label": filters.period.label(),
        "source": filters.source,
        "source_label": str(SOURCE_LABELS[filters.source]),
        "rows_by": rows_by,
        "rows_label": str(aggregates.DIMENSION_LABELS[rows_by]),
        "as_of": filters.on().isoformat(),
        "columns": [{"code": group.code, "name": str(group.name)} for group in columns],
        "rows": rows,
        "total": total,
        "rule": str(COUNTING_RULE),
    }


def courses_held(filters: Filters) -> dict[str, Any]:
    """Per region and course: cohorts that issued counted certificates, and those certificates."""
    rows = aggregates.courses_by_region(filters)
    return {
        "preset": "courses",
        "title": str(PRESETS["courses"]),
        "period": filters.period.code,
        "period_label": filters.period.label(),
        "source": filters.source,
        "source_label": str(SOURCE_LABELS[filters.source]),
        "as_of": filters.on().isoformat(),
        "columns": [
            {"code": "cohorts", "name": _("Cohorts")},
            {"code": "certificates", "name": _("Certificates")},
        ],
        "rows": rows,
        "total": {
            "cohorts": sum(row["cells"]["cohorts"] for row in rows),
            "certificates": sum(row["cells"]["certificates"] for row in rows),
        },
        "rule": str(COUNTING_RULE),
    }


def build(preset: str, filters: Filters) -> dict[str, Any]:
    return quarterly(filters) if preset == "quarterly" else courses_held(filters)


# --- exports ---------------------------------------------------------------------------------------


def quarterly_csv(content: dict[str, Any]) -> bytes:
    """One row per (region, target group): ``region_code, target_group, certificates``, and a row per
    region with ``target_group`` ``*`` for its de-duplicated total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            f"{content['rows_by']}_code" if content["rows_by"] != "region" else "region_code",
            "target_group",
            "certificates",
        ]
    )
    for row in content["rows"]:
        for column in content["columns"]:
            writer.writerow([row["code"], column["code"], row["cells"][column["code"]]])
        writer.writerow([row["code"], "*", row["cells"]["*"]])
    return out.getvalue().encode("utf-8")


def table_csv(content: dict[str, Any]) -> bytes:
    """Any report as the table the page shows (for people opening it in Excel: BOM and semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Code"),
            _("Name"),
            *[column["name"] for column in content["columns"]],
            *([_("Total (each certificate once)")] if content["preset"] == "quarterly" else []),
        ]
    )
    keys = [column["code"] for column in content["columns"]] + (
        ["*"] if content["preset"] == "quarterly" else []
    )
    for row in content["rows"]:
        writer.writerow([row["code"], row["name"], *[row["cells"][key] for key in keys]])
    writer.writerow(["", _("Total"), *[content["total"][key] for key in keys]])
    writer.writerow([content["rule"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_csv(content: dict[str, Any]) -> bytes:
    return quarterly_csv(content) if content["preset"] == "quarterly" else table_csv(content)


def export_xlsx(content: dict[str, Any], version: Any = None) -> bytes:
    """A formatted workbook: title and period above, a frozen header row, numbers as numbers, the
    counting rule in a note row under the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = content["period"][:31]
    is_quarterly = content["preset"] == "quarterly"
    keys = [column["code"] for column in content["columns"]] + (["*"] if is_quarterly else [])
    names = [column["name"] for column in content["columns"]] + (
        [_("Total (each certificate once)")] if is_quarterly else []
    )
    sheet["A1"] = content["title"]
    sheet["A1"].font = Font(bold=True, size=14)
    as_of = _("as of %(date)s", date=content["as_of"])
    sheet["A2"] = f"{content['period_label']} · {content['source_label']} · {as_of}"
    if version is not None:
        sheet["A3"] = _(
            "version %(number)s, signed off by %(name)s",
            number=version.version,
            name=version.signed_by.full_name if version.signed_by else "—",
        )
    header_row = 4
    write_header(sheet, header_row, [_("Code"), content.get("rows_label") or _("Region"), *names])
    line = header_row
    for row in content["rows"]:
        line += 1
        sheet.cell(row=line, column=1, value=row["code"])
        sheet.cell(row=line, column=2, value=row["name"])
        for offset, key in enumerate(keys, start=3):
            cell = sheet.cell(row=line, column=offset, value=int(row["cells"][key]))
            cell.number_format = "#,##0"
    line += 1
    sheet.cell(row=line, column=2, value=_("Total")).font = Font(bold=True)
    for offset, key in enumerate(keys, start=3):
        cell = sheet.cell(row=line, column=offset, value=int(content["total"][key]))
        cell.number_format = "#,##0"
        cell.font = Font(bold=True)
    note = sheet.cell(row=line + 2, column=1, value=content["rule"])
    note.font = Font(italic=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 40
    for offset in range(3, 3 + len(keys)):
        sheet.column_dimensions[get_column_letter(offset)].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_header(sheet: Any, row: int, texts: list[str]) -> None:
    """A workbook's header row as every report writes it: bold on a light fill, wrapped, underlined."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="888888")
    for index, text in enumerate(texts, start=1):
        cell = sheet.cell(row=row, column=index, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF4")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(bottom=thin)


def render_pdf(template: str, **context: Any) -> bytes:
    """A PDF from an HTML template with the Cyrillic font (``fonts.regular``/``fonts.bold`` in it),
    read through the policy that lets xhtml2pdf open the font files."""
    html = render_template(template, fonts={name: path.as_posix() for name, path in FONTS.items()}, **context)
    pdf = html_to_pdf(html)
    if pdf is None:
        raise ReportError("the report could not be made")
    return pdf


def export_pdf(content: dict[str, Any], version: Any = None) -> bytes:
    return render_pdf("monitoring/report_pdf.html", content=content, version=version)


MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def exported(
    format: str,
    csv_of: Callable[[], bytes],
    xlsx_of: Callable[[], bytes],
    pdf_of: Callable[[], bytes],
) -> tuple[bytes, str]:
    """A report's bytes in ``format`` (csv, xlsx, anything else: pdf) and their MIME type."""
    if format == "csv":
        return csv_of(), MIME_TYPES["csv"]
    if format == "xlsx":
        return xlsx_of(), MIME_TYPES["xlsx"]
    return pdf_of(), MIME_TYPES["pdf"]


def export(content: dict[str, Any], format: str, version: Any = None) -> tuple[bytes, str]:
    """The report in ``format`` and its MIME type (``version``: the frozen version it is, if any)."""
    return exported(
        format,
        lambda: export_csv(content),
        lambda: export_xlsx(content, version),
        lambda: export_pdf(content, version),
    )


def filename(content: dict[str, Any], format: str, version: int | None = None) -> str:
    suffix = f"-v{version}" if version else ""
    return f"{content['preset']}-{content['period']}{suffix}.{format}".replace("..", "_")
