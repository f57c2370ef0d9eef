"""``lms certificates``: issue, revoke, show, export, rotate-key and verify from the command line.

Commands act as the system (an admin of the whole programme), one transaction each.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from lms.extensions import db

certificates_group = click.Group(
    "certificates", help="Certificates: issue, revoke, show, export; the signing key; verify a credential."
)


def _certificate(number: str) -> Any:
    from certificates import numbers, services

    parsed = numbers.parse(number)
    if parsed.number is None:
        raise click.ClickException(f"{number} is mistyped: its check character does not match.")
    certificate = services.by_number(parsed.number)
    if certificate is None:
        raise click.ClickException(f"There is no certificate {parsed.number}.")
    return certificate


@certificates_group.command("issue")
@click.option("--email", required=True, help="E-mail of the learner.")
@click.option("--course", "course_code", required=True, help="Code of the course, e.g. DEH-COORD.")
@click.option("--reason", required=True, help="Why it is issued by hand (kept in the audit log).")
@with_appcontext
def issue_command(email: str, course_code: str, reason: str) -> None:
    """Issue a certificate by hand, outside any cohort; prints its number on the last line."""
    from certificates import services
    from courses.services import by_code
    from lms.accounts.services import find_by_email

    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"Nobody has the e-mail address {email}.")
    course = by_code(course_code)
    if course is None:
        raise click.ClickException(f"There is no course with the code {course_code}.")
    try:
        issued = services.issue_manually(person, course, reason, actor=None)
    except services.CertificateError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if not issued.created:
        click.echo(f"{person.email} already holds a valid certificate of {course.code}:")
    click.echo(issued.certificate.number)


@certificates_group.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Why it is revoked (shown on the verification page).")
@with_appcontext
def revoke_command(number: str, reason: str) -> None:
    """Revoke a certificate; the record stays and verification shows the revocation."""
    from certificates import services

    certificate = _certificate(number)
    try:
        services.revoke(certificate, reason, actor=None)
    except services.CertificateError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{certificate.number} revoked.")


@certificates_group.command("show")
@click.argument("number")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, writable=True), help="Save the PDF here.")
@click.option(
    "--credential",
    "credential_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Save the signed Open Badges 3.0 credential (VC-JWT) here.",
)
@with_appcontext
def show_command(number: str, pdf_path: str | None, credential_path: str | None) -> None:
    """Show a certificate's record; optionally save its stored PDF and its signed credential."""
    from certificates import credentials, services

    certificate = _certificate(number)
    record = services.public_record(certificate)
    rows = {
        **record,
        "cohort": certificate.cohort_title or None,
        "trainers": ", ".join(certificate.trainers) or None,
        "holder_latin": certificate.holder_name_latin,
        "source": certificate.source,
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "revoke_reason": certificate.revoke_reason or None,
        "pdf_sha256": certificate.pdf_sha256,
    }
    for key, value in rows.items():
        if value is not None:
            click.echo(f"{key}: {value}")
    if pdf_path:
        Path(pdf_path).write_bytes(certificate.pdf)
        click.echo(f"PDF saved to {pdf_path}")
    if credential_path:
        Path(credential_path).write_text(credentials.signed(certificate) + "\n")
        click.echo(f"Credential saved to {credential_path}")


@certificates_group.command("export")
@click.option("--cohort", "cohort_id", type=int, required=True, help="Id of the cohort.")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(cohort_id: int, path: str) -> None:
    """Write every certificate of a cohort into one ZIP of PDFs (with a progress bar)."""
    from certificates import bulk
    from courses.cohorts.models import Cohort

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort {cohort_id}.")
    ids = bulk.cohort_certificate_ids(cohort)
    if not ids:
        raise click.ClickException(f"The cohort {cohort_id} has no certificates.")
    with click.progressbar(length=len(ids), label="Certificates", file=sys.stderr) as bar:
        written = bulk.write_zip(ids, Path(path), progress=bar.update)
    click.echo(f"{written} certificates written to {path}")


@certificates_group.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Sign new credentials with a new key; the old public key stays in the JWKS."""
    from certificates import credentials

    credentials.signing_key()  # the first key, when there was none yet
    kid = credentials.rotate_key()
    click.echo(f"New signing key {kid}; earlier keys stay in /.well-known/jwks.json.")


def _jwks(source: str | None) -> dict[str, Any]:
    if source is None:
        from certificates import credentials

        return credentials.public_jwks()
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310 (the user's own URL)
            return json.loads(response.read())
    return json.loads(Path(source).read_text())


@certificates_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--jwks", "jwks_source", help="The issuer's public keys: a JWKS file or URL (default: this instance's)."
)
@with_appcontext
def verify_command(file: str, jwks_source: str | None) -> None:
    """Check a signed credential offline: signature, schema and dates. Exit 0 and "valid", or non-zero
    naming what failed."""
    from certificates import credentials

    try:
        jwks = _jwks(jwks_source)
    except (OSError, ValueError) as error:
        click.echo(f"not valid: the key set cannot be read: {error}", err=True)
        sys.exit(2)
    try:
        verified = credentials.verify(Path(file).read_text(encoding="utf-8", errors="replace"), jwks)
    except credentials.CredentialProblem as error:
        click.echo(f"not valid: {error}", err=True)
        sys.exit(1)
    click.echo(f"{verified.claims['jti']} (key {verified.header.get('kid')})")
    click.echo("valid")
