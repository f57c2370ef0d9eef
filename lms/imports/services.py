"""CSV imports: read files from Ukrainian Excel, check every row, then import all or nothing.

An importer (organisations, people) says which columns it takes and turns checked rows into a
:class:`Plan`; :func:`read_rows` does the reading every importer shares.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import delete, select

from lms.extensions import db
from lms.i18n import utcnow
from lms.imports.models import ImportUpload

DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Any
    example: str = ""


@dataclass
class RowAction:
    """What one valid row will do: ``create`` or ``update`` the thing described by ``label``."""

    line: int
    action: str
    label: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    actions: list[RowAction] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.actions)

    def count(self, action: str) -> int:
        return sum(1 for row in self.actions if row.action == action)


class Importer(Protocol):
    kind: str

    @property
    def columns(self) -> Sequence[Column]: ...

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> Plan: ...

    def apply(self, plan: Plan) -> None: ...


def decode(data: bytes) -> str:
    """UTF-8 with or without a BOM, else Windows-1251 (what Ukrainian Excel saves as "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def sniff_delimiter(header_line: str) -> str:
    return max(DELIMITERS, key=header_line.count)


def _csv_reader(data: bytes) -> tuple[Any, list[tuple[int, str]]]:
    """A CSV reader over the decoded text (its delimiter sniffed from the first line), or None and the
    problem that stops the file being read at all."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return None, [(1, _("The file is not text in UTF-8 or Windows-1251."))]
    text = text.lstrip("\ufeff")
    if not text.strip():
        return None, [(1, _("The file is empty."))]
    return csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.splitlines()[0])), []


def read_rows(
    data: bytes, columns: Sequence[Column]
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """Rows as (line number, {column: text}); or the problems that stop the file being read at all."""
    reader, problems = _csv_reader(data)
    if reader is None:
        return [], problems
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        return [], [(1, _("The file is not valid CSV: %(error)s", error=str(error)))]
    known = {column.name for column in columns}
    unknown = [name for name in header if name and name not in known]
    if unknown:
        problems.append((1, _("Unknown columns: %(names)s.", names=", ".join(unknown))))
    missing = [column.name for column in columns if column.required and column.name not in header]
    if missing:
        problems.append((1, _("Missing columns: %(names)s.", names=", ".join(missing))))
    if problems:
        return [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        next_line = reader.line_num + 1
        for values in reader:
            # A row's line is where it starts (a quoted field may run over several lines).
            line, next_line = next_line, reader.line_num + 1
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                problems.append((line, _("This row has more values than the header has columns.")))
                continue
            rows.append((line, {name: value.strip() for name, value in zip(header, values, strict=False)}))
    except csv.Error as error:
        problems.append((reader.line_num, _("The file is not valid CSV: %(error)s", error=str(error))))
    if not rows and not problems:
        problems.append((1, _("The file has a header but no rows.")))
    return rows, problems


XLSX_MAGIC = b"PK\x03\x04"


def is_xlsx(data: bytes) -> bool:
    """An Excel workbook (a ZIP) rather than CSV text."""
    return data.startswith(XLSX_MAGIC)


def read_sheet(data: bytes) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """Every row of a CSV file or of an XLSX workbook's first sheet as (line, cells as text), with
    blank rows left out; or the problem that stops the file being read at all. For importers whose
    header is not one fixed row of known names (see :func:`read_rows` for those that are)."""
    if is_xlsx(data):
        return _xlsx_rows(data)
    reader, problems = _csv_reader(data)
    if reader is None:
        return [], problems
    rows: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for values in reader:
            if any(value.strip() for value in values):
                rows.append((line, [value.strip() for value in values]))
            line = reader.line_num + 1
    except csv.Error as error:
        return [], [(reader.line_num, _("The file is not valid CSV: %(error)s", error=str(error)))]
    return rows, []


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign ZIP: openpyxl raises many kinds
        return [], [(1, _("The file is not an Excel workbook (.xlsx) that can be read."))]
    sheet = workbook.worksheets[0]
    rows: list[tuple[int, list[str]]] = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(value) for value in values]
        if any(cells):
            rows.append((line, cells))
    workbook.close()
    if not rows:
        return [], [(1, _("The file is empty."))]
    return rows, []


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def template_csv(columns: Sequence[Column]) -> bytes:
    """A template with the header and one example row, as Excel opens it (BOM, semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerow([column.example for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def check_file(importer: Importer, data: bytes) -> Plan:
    rows, problems = read_rows(data, importer.columns)
    if problems:
        return Plan(errors=problems)
    return importer.check(rows)


def keep_upload(kind: str, user_id: int, filename: str, data: bytes) -> str:
    """Store a previewed file until it is confirmed; drop uploads older than a day."""
    db.session.execute(delete(ImportUpload).where(ImportUpload.created_at < utcnow() - timedelta(days=1)))
    token = secrets.token_urlsafe(24)
    db.session.add(ImportUpload(token=token, kind=kind, user_id=user_id, filename=filename, content=data))
    db.session.flush()
    return token


def take_upload(kind: str, user_id: int, token: str) -> ImportUpload | None:
    return db.session.scalar(
        select(ImportUpload).where(
            ImportUpload.token == token, ImportUpload.kind == kind, ImportUpload.user_id == user_id
        )
    )
