"""External certificates: one by one, or a CSV as Ukrainian Excel saves it, checked whole first,
matched to people by e-mail, never recorded (so never counted) twice; and institutions."""

from __future__ import annotations

import html
import io
import re
from datetime import date

from sqlalchemy import func, select

from lms.monitoring import aggregates
from lms.monitoring.aggregates import Filters
from lms.monitoring.models import CertificateFact, ExternalCertificate
from lms.monitoring.periods import Period
from lms.orgs.models import Organisation
from lms.permissions import Scope
from lms.testing import post

EN = {"Accept-Language": "en"}
TOKEN = re.compile(r'name="token" value="([^"]+)"')
HEADER = (
    "source;number;course_title;issued_on;surname;given_name;email;position;institution_code;region_code;"
    "target_groups"
)


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, data: bytes):
    return post(client, "/monitoring/external/import", {"file": (io.BytesIO(data), "certs.csv")}, headers=EN)


def confirm(client, response):
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, page(response)[:3000]
    return post(client, "/monitoring/external/import/confirm", {"token": match.group(1)}, headers=EN)


def records(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ExternalCertificate))


def institution(make, region, code="INST-18-001"):
    return make.org(
        "institution", region, code=code, name="Житомирська районна рада", institution_type="local_council"
    )


def test_an_institution_is_an_employer_under_a_region(world, make, db):
    inst = institution(make, world.orgs["r1"])
    assert inst.institution_type == "local_council" and inst.path.startswith(world.orgs["r1"].path)
    import pytest

    with pytest.raises(ValueError):
        make.org("institution", world.orgs["hub@r1"], code="INST-X")
    person = make.user(inst, email="official@example.org")
    db.session.commit()
    assert person.organisation.kind == "institution"


def test_institutions_import_from_csv_as_hubs_do(world, login_as, client, db):
    login_as(world.people["admin@root"])
    data = csv_file(
        "code;parent_code;kind;name_uk;institution_type",
        "INST-18-001;UA-18;institution;Житомирська районна державна адміністрація;administration_unit",
        "INST-18-002;UA-18;institution;Лікарня № 1;hospital",
    )
    response = post(client, "/orgs/import", {"file": (io.BytesIO(data), "i.csv")}, headers=EN)
    response = post(
        client,
        "/orgs/import/confirm",
        {"token": TOKEN.search(response.get_data(as_text=True)).group(1)},
        headers=EN,
    )
    assert response.status_code == 302
    db.session.expire_all()
    hospital = db.session.scalar(select(Organisation).where(Organisation.code == "INST-18-002"))
    assert hospital.kind == "institution" and hospital.institution_type == "hospital"
    bad = csv_file(
        "code;parent_code;kind;name_uk;institution_type", "INST-18-003;UA-18;institution;Школа;castle"
    )
    response = post(client, "/orgs/import", {"file": (io.BytesIO(bad), "i.csv")}, headers=EN)
    assert "institution_type must be one of" in page(response)


def test_a_file_with_one_bad_row_is_refused_whole_then_imported_when_fixed(world, make, login_as, client, db):
    inst = institution(make, world.orgs["r1"])
    official = make.user(inst, email="Olena.Koval@example.org", surname="Коваль")
    db.session.commit()
    login_as(world.people["manager@r1"])
    good = (
        "diia;DO-1;Цифрова грамотність;15.09.2026;Коваль;Олена;olena.koval@example.org;спеціаліст;"
        "INST-18-001;;civil_servants|local_government_officials"
    )
    second = (
        "Prometheus;https://prometheus.org.ua/cert/77;Кібергігієна;2026-08-01;Бондар;Ірина;;;;UA-18;"
        "Працівники освіти"
    )
    wrong = "diia;DO-2;Кібергігієна;31.02.2026;Мельник;Петро;;;INST-18-001;;martians"
    response = upload(client, csv_file(HEADER, good, second, wrong))
    text = page(response)
    assert "Nothing was imported" in text
    assert "<td>4</td>" in response.get_data(as_text=True)  # the bad row named by its line
    assert "The date must be written as" in text and "Unknown target groups: martians" in text
    assert records(db) == 0
    fixed = wrong.replace("31.02.2026", "28.02.2026").replace("martians", "education_workers")
    response = upload(client, csv_file(HEADER, good, second, fixed))
    assert "Check before importing" in page(response)
    assert records(db) == 0  # a preview records nothing
    response = confirm(client, response)
    assert response.status_code == 302
    assert records(db) == 3
    record = db.session.scalar(select(ExternalCertificate).where(ExternalCertificate.reference == "DO-1"))
    assert record.person_id == official.id and record.source == "Дія.Цифрова освіта"
    assert record.region_id == world.orgs["r1"].id
    filters = Filters(Scope((), is_everything=True), Period.quarter(2026, 3), source="external")
    assert aggregates.count_certificates(filters) == 2  # the February one is in Q1
    groups = {row.key: row.certificates for row in aggregates.breakdown(filters, "target_group")}
    assert groups == {"civil_servants": 1, "local_government_officials": 1, "education_workers": 1}
    # the same file again: every row is already recorded, nothing is counted twice
    response = upload(client, csv_file(HEADER, good, second, fixed))
    assert page(response).count("already recorded") == 3
    assert records(db) == 3
    # a link differing only by a trailing slash or case is the same certificate
    again = second.replace("https://prometheus.org.ua/cert/77", "https://Prometheus.org.ua/cert/77/")
    assert "already recorded" in page(upload(client, csv_file(HEADER, again)))


def test_rows_repeated_within_a_file_are_refused(world, login_as, client, db):
    login_as(world.people["manager@r1"])
    row = "diia;DO-9;Курс;01.07.2026;Коваль;Олена;;;;UA-18;"
    text = page(upload(client, csv_file(HEADER, row, row.replace("DO-9", " do-9"))))
    assert "also on line 2" in text
    assert records(db) == 0


def test_windows_1251_files_from_excel_are_read(world, login_as, client, db):
    login_as(world.people["manager@r1"])
    data = csv_file(
        HEADER, "Дія;DO-5;Цифрові навички;01.07.2026;Ґалаґан;Мар'яна;;;;UA-18;", encoding="cp1251"
    )
    response = confirm(client, upload(client, data))
    assert response.status_code == 302
    record = db.session.scalar(select(ExternalCertificate))
    assert record.surname == "Ґалаґан" and record.given_name == "Мар'яна" and record.source_key == "diia"


def test_a_manager_cannot_record_certificates_of_another_region(world, login_as, client, db):
    login_as(world.people["manager@r2"])
    text = page(upload(client, csv_file(HEADER, "diia;DO-7;Курс;01.07.2026;Коваль;Олена;;;;UA-18;")))
    assert "outside the organisations you manage" in text
    assert records(db) == 0


def test_one_external_certificate_by_the_form(world, make, login_as, client, db):
    institution(make, world.orgs["r1"])
    db.session.commit()
    login_as(world.people["manager@r1"])
    form = {
        "source": "diia",
        "reference": "DO-100",
        "course_title": "Цифрова грамотність",
        "issued_on": "2026-07-15",
        "surname": "Коваль",
        "given_name": "Олена",
        "institution": "INST-18-001",
        "target_groups": ["civil_servants"],
    }
    response = post(client, "/monitoring/external/new", {**form, "issued_on": "2099-01-01"}, headers=EN)
    assert "The date is in the future." in page(response) and 'value="DO-100"' in page(response)
    response = post(client, "/monitoring/external/new", form, headers=EN)
    assert response.status_code == 302
    response = post(client, "/monitoring/external/new", form, headers=EN)
    assert "already recorded" in page(response)
    assert records(db) == 1
    fact = db.session.scalar(select(CertificateFact))
    assert fact.source == "external" and fact.institution_id is not None
    record = db.session.scalar(select(ExternalCertificate))
    response = post(client, f"/monitoring/external/{record.id}/delete", headers=EN)
    assert response.status_code == 302 and records(db) == 0
    assert db.session.scalar(select(func.count()).select_from(CertificateFact)) == 0


def test_the_template_names_every_column(world, login_as, client):
    login_as(world.people["manager@r1"])
    response = client.get("/monitoring/external/import/template.csv")
    header = response.get_data().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("source;number;course_title;issued_on;surname;given_name")
    assert date.today().year > 2000
