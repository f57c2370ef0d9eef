"""The command line (its contracts exactly), managers' search and revocation, trainers' cohort ZIPs,
and the trainer licence that follows valid certificates."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from sqlalchemy import select

from certificates import services
from certificates.models import Certificate, Status
from courses.cohorts import licences
from lms.testing import login, post
from tests.certificates.conftest import complete


def test_cli_issue_prints_the_number_on_its_last_line(app, runner, db, make_course, learner):
    make_course("CLI-COURSE")
    result = runner.invoke(
        args=[
            "certificates",
            "issue",
            "--email",
            learner.email,
            "--course",
            "CLI-COURSE",
            "--reason",
            "Папір",
        ]
    )
    assert result.exit_code == 0, result.output
    number = result.output.strip().splitlines()[-1]
    db.session.expire_all()
    certificate = services.by_number(number)
    assert certificate is not None and certificate.source == "manual" and certificate.reason == "Папір"
    again = runner.invoke(
        args=["certificates", "issue", "--email", learner.email, "--course", "CLI-COURSE", "--reason", "Ще"]
    )
    assert again.exit_code == 0 and again.output.strip().splitlines()[-1] == number
    unknown = runner.invoke(
        args=[
            "certificates",
            "issue",
            "--email",
            "nobody@example.org",
            "--course",
            "CLI-COURSE",
            "--reason",
            "x",
        ]
    )
    assert unknown.exit_code != 0 and "nobody@example.org" in unknown.output


def test_cli_revoke_and_show_with_pdf_and_credential(app, runner, db, certificate, tmp_path):
    result = runner.invoke(args=["certificates", "revoke", certificate.number, "--reason", "Помилка"])
    assert result.exit_code == 0, result.output
    pdf, credential = tmp_path / "c.pdf", tmp_path / "c.jwt"
    result = runner.invoke(
        args=[
            "certificates",
            "show",
            certificate.number.lower(),
            "--pdf",
            str(pdf),
            "--credential",
            str(credential),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "status: revoked" in result.output and "revoke_reason: Помилка" in result.output
    db.session.expire_all()
    assert pdf.read_bytes() == services.by_number(certificate.number).pdf
    assert credential.read_text().count(".") == 2
    again = runner.invoke(args=["certificates", "revoke", certificate.number, "--reason", "Ще"])
    assert again.exit_code != 0
    mistyped = runner.invoke(args=["certificates", "show", "KSK-2222-2222-2"])
    assert mistyped.exit_code != 0 and "mistyped" in mistyped.output


def test_cli_export_writes_the_cohorts_zip(app, runner, db, certificate, cohort, tmp_path):
    path = tmp_path / "cohort.zip"
    result = runner.invoke(args=["certificates", "export", "--cohort", str(cohort.id), str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == f"1 certificates written to {path}"
    with zipfile.ZipFile(path) as archive:
        (name,) = archive.namelist()
        assert name.startswith(certificate.number) and "Gudz Mariana" in name
        assert archive.read(name) == certificate.pdf
    assert list(tmp_path.glob(".certificates-*")) == []  # no temporary file left


def test_cli_rotate_key(app, runner):
    result = runner.invoke(args=["certificates", "rotate-key"])
    assert result.exit_code == 0 and "New signing key" in result.output


def test_a_manager_finds_and_revokes_within_her_scope(app, db, client, certificate, world):
    login(client, world.people["manager@r1"])
    page = client.get("/certificates/manage", query_string={"q": "ґудзь"}).get_data(as_text=True)
    assert certificate.number in page
    page = client.get("/certificates/manage", query_string={"q": certificate.number.lower()}).get_data(
        as_text=True
    )
    assert certificate.number in page
    page = client.get("/certificates/manage", query_string={"course": "NOPE"}).get_data(as_text=True)
    assert certificate.number not in page
    response = post(client, f"/certificates/{certificate.number}/revoke", {"reason": ""})
    assert response.status_code == 200  # the reason is required
    response = post(client, f"/certificates/{certificate.number}/revoke", {"reason": "Дані підроблено"})
    assert response.status_code == 302
    db.session.expire_all()
    assert services.by_number(certificate.number).status == Status.REVOKED
    other = app.test_client()
    login(other, world.people["manager@r2"])
    assert other.get("/certificates/manage").status_code == 200
    assert certificate.number not in other.get("/certificates/manage").get_data(as_text=True)
    assert other.get(f"/certificates/{certificate.number}").status_code == 403


def test_a_trainer_downloads_her_cohorts_certificates_as_one_zip(app, client, certificate, cohort, world):
    login(client, world.people["trainer@r1"])
    assert f"/certificates/cohorts/{cohort.id}.zip" in client.get("/certificates/cohorts").get_data(
        as_text=True
    )
    response = client.get(f"/certificates/cohorts/{cohort.id}.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert len(archive.namelist()) == 1
    other = app.test_client()
    login(other, world.people["trainer@r2"])
    assert other.get(f"/certificates/cohorts/{cohort.id}.zip").status_code == 403


def test_the_trainer_licence_follows_valid_certificates(app, db, make_course, make_cohort, world):
    tot, deh = make_course("TOT"), make_course("DEH")
    tot.qualifies_for.append(deh)
    db.session.commit()
    regional = world.people["trainer@r1"]
    tot_cohort = make_cohort(
        tot, world.orgs["root"], trainers=[world.people["admin@root"]], learners=[regional]
    )
    assert licences.licence_of(regional, deh) is None
    complete(app, tot_cohort, regional)
    db.session.commit()
    licence = licences.licence_of(regional, deh)
    assert licence is not None and licence.source == licences.RULE
    deh_cohort = make_cohort(deh, world.orgs["tc@r1"], trainers=[regional])
    certificate = services.current_certificate(regional, tot, tot_cohort)
    services.revoke(certificate, "Помилка", world.people["admin@root"])
    db.session.commit()
    assert licences.licence_of(regional, deh) is None  # at once, although she completed the cohort
    db.session.refresh(deh_cohort)
    assert deh_cohort.flagged_at is not None
    # A new, valid certificate gives it back; its expiry takes it away again.
    issued = services.issue(regional, tot, tot_cohort)
    db.session.commit()
    assert licences.licence_of(regional, deh) is not None
    issued.certificate.expires_on = issued.certificate.issued_on - timedelta(days=1)
    db.session.commit()
    assert licences.licence_of(regional, deh) is None
    assert db.session.scalar(select(Certificate.id).where(Certificate.status == "revoked")) is not None
