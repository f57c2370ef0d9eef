"""The verification desk: many numbers at once, as a table, CSV and XLSX; each use logged."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from certificates import desk, numbers
from lms.audit.models import AuditEntry
from lms.testing import login, post


def _mistype(number: str) -> str:
    return number[:4] + ("3" if number[4] != "3" else "4") + number[5:]


def test_every_status_comes_back_in_order(app, db, certificate):
    unknown = numbers.new_number()
    text = f"number\n{certificate.number.lower()}\n\n{_mistype(certificate.number)}\nx;{unknown}\n"
    rows = desk.check(text)
    assert [(row.line, row.status) for row in rows] == [(2, "valid"), (4, "mistyped"), (5, "not_found")]
    assert rows[0].holder == "Ґудзь Марʼяна Євгенівна" and rows[0].number == certificate.number


def test_more_than_five_thousand_are_refused(app):
    text = "\n".join(numbers.new_number() for _ in range(desk.LIMIT + 1))
    try:
        desk.check(text)
    except desk.TooMany:
        pass
    else:
        raise AssertionError("5,001 numbers were accepted")


def test_the_page_answers_a_table_csv_and_xlsx_and_logs_each_use(app, db, client, certificate, world):
    login(client, world.people["manager@r2"])  # statuses are public: any manager may check any number
    page = post(client, "/certificates/desk", {"numbers": certificate.number, "check": "1"})
    assert page.status_code == 200 and "Ґудзь Марʼяна Євгенівна" in page.get_data(as_text=True)
    csv = post(client, "/certificates/desk", {"numbers": certificate.number, "csv": "1"})
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert certificate.number in csv.data.decode("utf-8-sig")
    upload = (io.BytesIO(f"number\n{certificate.number}\n".encode()), "list.csv")
    xlsx = post(
        client, "/certificates/desk", {"file": upload, "xlsx": "1"}, content_type="multipart/form-data"
    )
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [cell.value for cell in sheet[2]][2:4] == [certificate.number, "valid"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "certificates.desk-used")
    )
    assert len(list(actions)) == 3


def test_learners_have_no_desk(app, client, world):
    login(client, world.people["learner@r1"])
    assert client.get("/certificates/desk").status_code == 403
