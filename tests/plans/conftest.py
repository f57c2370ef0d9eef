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
