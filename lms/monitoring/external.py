"""External certificates: recording them one by one or from CSV, and their facts.

A record is kept apart from Kaskad's own certificates (it cannot be verified here) and is counted
under the source ``external``. One source and one number (or link) make one record: a second
upload of the same certificate is refused, so nothing is ever counted twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select, tuple_

from lms.accounts.models import TargetGroup, User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import casefold_email
from lms.imports.services import Column, Plan, RowAction
from lms.monitoring import facts
from lms.monitoring.models import DIIA, DIIA_LABEL, ExternalCertificate, Source, external_target_group
from lms.orgs.models import Kind, Organisation
from lms.permissions import Scope, scope

# What people type for Diia.Osvita, all meaning the one platform.
DIIA_NAMES = {
    "diia",
    "дія",
    "дія.цифрова освіта",
    "дія.освіта",
    "diia.osvita",
    "diia.education",
    "osvita.diia.gov.ua",
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")

COLUMNS = (
    Column("source", True, _l("diia for Diia.Osvita, or the name of the other platform."), "diia"),
    Column("number", True, _l("The certificate's number, or a link to it."), "DO-2026-0012345"),
    Column(
        "course_title", True, _l("The course the certificate is for."), "Цифрова грамотність держслужбовця"
    ),
    Column("issued_on", True, _l("Date of the certificate: 2026-09-15 or 15.09.2026."), "15.09.2026"),
    Column("surname", True, _l("Surname."), "Коваль"),
    Column("given_name", True, _l("Given name."), "Олена"),
    Column("patronymic", False, _l("Patronymic."), "Петрівна"),
    Column(
        "email",
        False,
        _l("E-mail address; when someone in Kaskad has it, the record is linked to that person."),
        "olena.koval@example.org",
    ),
    Column("position", False, _l("The person's position."), "головний спеціаліст"),
    Column(
        "institution_code",
        False,
        _l("Code of the institution (employer) in Kaskad; its region is taken from it."),
        "INST-18-001",
    ),
    Column("institution_name", False, _l("The employer's name, when it has no code in Kaskad."), ""),
    Column(
        "region_code", False, _l("Code of the region; required when no institution code is given."), "UA-18"
    ),
    Column(
        "target_groups",
        False,
        _l("Target group codes, separated by |, e.g. civil_servants|local_government_officials."),
        "civil_servants",
    ),
)


def source_key(source: str) -> str:
    text = source.strip().casefold()
    return DIIA if text in DIIA_NAMES else re.sub(r"\s+", " ", text)


def reference_key(reference: str) -> str:
    text = reference.strip()
    if text.startswith(("https://", "http://")):
        return text.split("://", 1)[1].rstrip("/").casefold()
    return re.sub(r"[\s\u00a0]+", "", text).casefold()


def parse_date(text: str) -> date:
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise ValueError(text)


def create_external(
    *,
    source: str,
    reference: str,
    course_title: str,
    issued_on: date,
    surname: str,
    given_name: str,
    patronymic: str = "",
    email: str = "",
    position: str = "",
    institution: Organisation | None = None,
    institution_name: str = "",
    region: Organisation,
    target_groups: Iterable[str] = (),
    created_by: Any = None,
) -> ExternalCertificate:
    """Record one external certificate and its fact. The caller has checked it is not a duplicate."""
    key = source_key(source)
    email = email.strip()
    person = (
        db.session.scalar(select(User).where(User.email_casefold == casefold_email(email))) if email else None
    )
    certificate = ExternalCertificate(
        source=DIIA_LABEL if key == DIIA else source.strip(),
        source_key=key,
        reference=reference.strip(),
        reference_key=reference_key(reference),
        course_title=course_title.strip(),
        issued_on=issued_on,
        surname=surname.strip(),
        given_name=given_name.strip(),
        patronymic=patronymic.strip(),
        email=email,
        position=position.strip(),
        institution=institution,
        institution_name=institution_name.strip() or (str(institution.name) if institution else ""),
        region=region,
        scope_path=(institution or region).path,
        person=person,
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(certificate)
    db.session.flush()
    codes = sorted(set(target_groups))
    if codes:
        db.session.execute(
            external_target_group.insert(),
            [{"certificate_id": certificate.id, "target_group": c} for c in codes],
        )
    facts.record_certificate(
        Source.EXTERNAL,
        certificate.id,
        issued_on,
        person=person,
        person_key=f"u{person.id}" if person else (f"e{casefold_email(email)}" if email else None),
        organisation=institution,
        region=region,
        course_title=certificate.course_title,
        target_groups=codes,
    )
    record(
        "external_certificate.created",
        certificate,
        certificate.scope_path,
        source=certificate.source,
        reference=certificate.reference,
    )
    return certificate


def delete_external(certificate: ExternalCertificate) -> None:
    """Remove a record entered by mistake, with its fact (frozen reports keep what they said)."""
    record(
        "external_certificate.deleted",
        certificate,
        certificate.scope_path,
        source=certificate.source,
        reference=certificate.reference,
    )
    facts.forget_certificate(Source.EXTERNAL, certificate.id)
    db.session.delete(certificate)
    db.session.flush()


def target_groups_of(certificate: ExternalCertificate) -> list[str]:
    return list(
        db.session.scalars(
            select(external_target_group.c.target_group).where(
                external_target_group.c.certificate_id == certificate.id
            )
        )
    )


def is_duplicate(source: str, reference: str) -> bool:
    return (
        db.session.scalar(
            select(ExternalCertificate.id).where(
                ExternalCertificate.source_key == source_key(source),
                ExternalCertificate.reference_key == reference_key(reference),
            )
        )
        is not None
    )


def recording_scope() -> Scope:
    return scope(current_user, "monitoring.record")


class ExternalCertificateImporter:
    """CSV of external certificates: every row checked first; all rows are recorded, or none."""

    kind = "external-certificates"
    columns = COLUMNS

    def __init__(self, where: Scope | None = None) -> None:
        self.where = where if where is not None else recording_scope()

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> Plan:
        plan = Plan()
        codes = {row.get("institution_code", "") for _line, row in rows} | {
            row.get("region_code", "") for _line, row in rows
        }
        orgs = {
            org.code: org
            for org in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes - {""})))
        }
        groups = {
            group.code: group.code
            for group in db.session.scalars(select(TargetGroup).where(TargetGroup.is_active.is_(True)))
        }
        for group in db.session.scalars(select(TargetGroup).where(TargetGroup.is_active.is_(True))):
            groups[str(group.name.get("uk", "")).casefold()] = group.code
        keys = [(source_key(r.get("source", "")), reference_key(r.get("number", ""))) for _l2, r in rows]
        existing = (
            set(
                db.session.execute(
                    select(ExternalCertificate.source_key, ExternalCertificate.reference_key).where(
                        tuple_(ExternalCertificate.source_key, ExternalCertificate.reference_key).in_(keys)
                    )
                ).all()
            )
            if keys
            else set()
        )
        seen: dict[tuple[str, str], int] = {}
        for (line, row), key in zip(rows, keys, strict=True):
            errors, data = self._row(row, orgs, groups)
            if key[1] and key in existing:
                errors.append(_("This certificate (same source and number) is already recorded."))
            elif key[1] and key in seen:
                errors.append(_("This certificate is also on line %(line)s.", line=seen[key]))
            seen.setdefault(key, line)
            if errors:
                plan.errors.extend((line, error) for error in errors)
                continue
            label = f"{row['surname']} {row['given_name']} — {data['source_label']} {row['number']}"
            plan.actions.append(RowAction(line, "create", label, row))
        return plan

    def _row(
        self, row: dict[str, str], orgs: dict[str, Organisation], groups: dict[str, str]
    ) -> tuple[list[str], dict[str, Any]]:
        errors: list[str] = []
        for name, message in (
            ("source", _("The source is empty.")),
            ("number", _("The certificate number or link is empty.")),
            ("course_title", _("The course title is empty.")),
            ("surname", _("The surname is empty.")),
            ("given_name", _("The given name is empty.")),
        ):
            if not row.get(name):
                errors.append(message)
        for name, limit in (
            ("number", 500),
            ("course_title", 300),
            ("surname", 120),
            ("given_name", 120),
            ("patronymic", 120),
            ("position", 200),
            ("institution_name", 300),
            ("source", 100),
        ):
            if len(row.get(name, "")) > limit:
                errors.append(_("%(column)s is longer than %(limit)s characters.", column=name, limit=limit))
        try:
            issued = parse_date(row.get("issued_on", ""))
            if issued > date.today():
                errors.append(_("The date %(date)s is in the future.", date=row["issued_on"]))
        except ValueError:
            errors.append(_("The date must be written as 2026-09-15 or 15.09.2026."))
        if row.get("email"):
            try:
                validate_email(row["email"], check_deliverability=False)
            except EmailNotValidError:
                errors.append(_("%(email)s is not a valid e-mail address.", email=row["email"]))
        institution = region = None
        if row.get("institution_code"):
            institution = orgs.get(row["institution_code"])
            if institution is None or institution.kind != Kind.INSTITUTION:
                errors.append(
                    _("There is no institution with the code %(code)s.", code=row["institution_code"])
                )
                institution = None
            else:
                region = facts.region_of(institution)
        if row.get("region_code"):
            chosen = orgs.get(row["region_code"])
            if chosen is None or chosen.kind != Kind.REGION:
                errors.append(_("There is no region with the code %(code)s.", code=row["region_code"]))
            elif region is not None and region.id != chosen.id:
                errors.append(
                    _("The institution %(code)s is not in that region.", code=row["institution_code"])
                )
            else:
                region = chosen
        elif not row.get("institution_code"):
            errors.append(_("Give an institution code or a region code."))
        target = institution or region
        if target is not None and not self.where.contains(target):
            errors.append(_("%(code)s is outside the organisations you manage.", code=target.code))
        unknown = [
            code.strip()
            for code in row.get("target_groups", "").split("|")
            if code.strip() and code.strip().casefold() not in groups and code.strip() not in groups
        ]
        if unknown:
            errors.append(_("Unknown target groups: %(names)s.", names=", ".join(unknown)))
        label = DIIA_LABEL if source_key(row.get("source", "")) == DIIA else row.get("source", "")
        return errors, {"source_label": label}

    def apply(self, plan: Plan) -> None:
        groups = {group.code: group.code for group in db.session.scalars(select(TargetGroup))}
        for group in db.session.scalars(select(TargetGroup)):
            groups[str(group.name.get("uk", "")).casefold()] = group.code
        for action in plan.actions:
            row = action.data
            institution = (
                db.session.scalar(select(Organisation).where(Organisation.code == row["institution_code"]))
                if row.get("institution_code")
                else None
            )
            region = (
                db.session.scalar(select(Organisation).where(Organisation.code == row["region_code"]))
                if row.get("region_code")
                else facts.region_of(institution)
            )
            assert region is not None
            codes = [
                groups.get(code.strip(), groups.get(code.strip().casefold(), ""))
                for code in row.get("target_groups", "").split("|")
                if code.strip()
            ]
            create_external(
                source=row["source"],
                reference=row["number"],
                course_title=row["course_title"],
                issued_on=parse_date(row["issued_on"]),
                surname=row["surname"],
                given_name=row["given_name"],
                patronymic=row.get("patronymic", ""),
                email=row.get("email", ""),
                position=row.get("position", ""),
                institution=institution,
                institution_name=row.get("institution_name", ""),
                region=region,
                target_groups=[code for code in codes if code],
                created_by=_actor(),
            )


def _actor() -> Any:
    try:
        return current_user._get_current_object() if current_user.is_authenticated else None
    except (AttributeError, RuntimeError):
        return None
