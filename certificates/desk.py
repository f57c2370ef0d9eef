"""The verification desk: the status of many numbers at once (up to 5,000), as rows, CSV or XLSX."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import select

from certificates import numbers
from certificates.models import Certificate
from lms.extensions import db
from lms.i18n import utcnow

LIMIT = 5000
_CELLS = re.compile(r"[,;\t]")
HEADER_WORDS = {"number", "номер", "numero", "nummer", "certificate", "сертифікат"}
HEADERS = (
    "line",
    "typed",
    "number",
    "status",
    "holder",
    "course",
    "issued_on",
    "expires_on",
    "superseded_by",
)


@dataclass(frozen=True)
class Row:
    line: int
    typed: str
    number: str  # formatted, or "" when mistyped
    status: str  # valid, expired, revoked, superseded, not_found, mistyped
    holder: str = ""
    course: str = ""
    issued_on: str = ""
    expires_on: str = ""
    superseded_by: str = ""

    def cells(self) -> list[str | int]:
        return [getattr(self, name) for name in HEADERS]


class TooMany(ValueError):
    pass


def entries(text: str) -> list[tuple[int, str, str | None]]:
    """(line, what was typed, the formatted number or None) of every non-empty line; in a CSV line
    the first cell that holds a number counts, else the first cell is reported as mistyped."""
    found: list[tuple[int, str, str | None]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip().strip('"').strip() for cell in _CELLS.split(line)]
        cells = [cell for cell in cells if cell]
        if not cells:
            continue
        parsed = [(cell, numbers.parse(cell).number) for cell in cells]
        typed, number = next(((cell, number) for cell, number in parsed if number), (cells[0], None))
        if number is None and not found and typed.casefold() in HEADER_WORDS:
            continue  # a header row
        found.append((line_number, typed, number))
        if len(found) > LIMIT:
            raise TooMany(len(found))
    return found


def check(text: str) -> list[Row]:
    """The status of every number in ``text``, in its order (one query for all of them)."""
    listed = entries(text)
    wanted = {number for _, _, number in listed if number}
    today = utcnow().date()
    known: dict[str, Certificate] = {}
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), 500):
        chunk = wanted_list[start : start + 500]
        for certificate in db.session.scalars(select(Certificate).where(Certificate.number.in_(chunk))):
            known[certificate.number] = certificate
    rows = []
    for line, typed, number in listed:
        if number is None:
            rows.append(Row(line, typed, "", "mistyped"))
            continue
        found = known.get(number)
        if found is None:
            rows.append(Row(line, typed, number, "not_found"))
            continue
        certificate = found
        rows.append(
            Row(
                line,
                typed,
                number,
                certificate.status_on(today).value,
                certificate.holder_name,
                certificate.course_title.in_locale(certificate.language),
                certificate.issued_on.isoformat(),
                certificate.expires_on.isoformat() if certificate.expires_on else "",
                certificate.superseded_by.number if certificate.superseded_by else "",
            )
        )
    return rows


def as_csv(rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(row.cells() for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def as_xlsx(rows: list[Row]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("certificates")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row.cells())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
