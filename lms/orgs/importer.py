"""Importing organisations (regions, training centres, hubs) from CSV, matched by code."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.extensions import db
from lms.imports.services import Column, Plan, RowAction
from lms.orgs.models import SERVICE_LABELS, HostType, InstitutionType, Kind, Organisation, Status
from lms.orgs.services import create_organisation, move_organisation, parent_problem, update_organisation
from lms.permissions import Scope, scope

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
KATOTTH = re.compile(r"^UA\d{17}$")
WEB_ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

COLUMNS = (
    Column("code", True, _l("Unique code; an existing code updates that organisation."), "HUB-18-001"),
    Column("parent_code", True, _l("Code of the region or training centre it belongs to."), "UA-18"),
    Column("kind", True, _l("region, training_centre, hub or institution."), "hub"),
    Column("name_uk", True, _l("Name in Ukrainian."), "Хаб цифрової освіти в Коростенській бібліотеці"),
    Column("name_en", False, _l("Name in English."), "Digital Education Hub at Korosten Library"),
    Column("name_fi", False, _l("Name in Finnish."), ""),
    Column("name_sv", False, _l("Name in Swedish."), ""),
    Column("authority_uk", False, _l("Regions: the regional authority, in Ukrainian."), ""),
    Column("authority_en", False, _l("Regions: the regional authority, in English."), ""),
    Column("host_type", False, _l("Hubs: library, admin_service_centre, school or other."), "library"),
    Column(
        "institution_type",
        False,
        _l(
            "Institutions: %(codes)s.",
            codes=", ".join(kind.value for kind in InstitutionType),
        ),
        "",
    ),
    Column("address", False, _l("Street address."), "вул. Грушевського, 21"),
    Column("settlement", False, _l("Town or village."), "м. Коростень"),
    Column(
        "hromada", False, _l("Territorial community (hromada)."), "Коростенська міська територіальна громада"
    ),
    Column("katotth", False, _l("KATOTTH code: UA and 17 digits (optional)."), ""),
    Column("latitude", False, _l("Latitude in decimal degrees (a decimal comma is fine)."), "50.95123"),
    Column("longitude", False, _l("Longitude in decimal degrees."), "28.63872"),
    Column("opening_hours", False, _l("Opening hours in OpenStreetMap form."), "Mo-Fr 09:00-18:00"),
    Column(
        "services",
        False,
        _l("Services, separated by |: %(codes)s.", codes=", ".join(SERVICE_LABELS)),
        "e_services|digital_literacy",
    ),
    Column("status", False, _l("open, temporarily_closed or relocated (default open)."), "open"),
    Column(
        "phone", False, _l("Hubs: the hub's phone number, shown on its public page."), "+380 4142 5 12 34"
    ),
    Column("email", False, _l("Hubs: the hub's e-mail address, shown on its public page."), ""),
    Column("website", False, _l("Hubs: the hub's website (https://…)."), ""),
)


def _number(text: str, low: float, high: float) -> float | None:
    value = float(text.replace(",", ".").replace(" ", ""))
    if not low <= value <= high:
        raise ValueError
    return value


class OrganisationImporter:
    kind = "organisations"
    columns = COLUMNS

    def __init__(self, where: Scope | None = None) -> None:
        self.where = where if where is not None else scope(current_user, "org.edit")

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> Plan:
        plan = Plan()
        codes = [row.get("code", "") for _line, row in rows]
        existing = {
            org.code: org
            for org in db.session.scalars(
                select(Organisation).where(
                    Organisation.code.in_(set(codes) | {r.get("parent_code", "") for _l2, r in rows})
                )
            )
        }
        seen: dict[str, str] = {}  # code -> kind, for rows already checked in this file
        for line, row in rows:
            errors = self._row_errors(row, existing, seen)
            if errors:
                plan.errors.extend((line, error) for error in errors)
                continue
            code = row["code"]
            seen[code] = row["kind"]
            plan.actions.append(
                RowAction(line, "update" if code in existing else "create", f"{code} — {row['name_uk']}", row)
            )
        return plan

    def _row_errors(
        self, row: dict[str, str], existing: dict[str, Organisation], seen: dict[str, str]
    ) -> list[str]:
        errors: list[str] = []
        code, kind, parent_code = row.get("code", ""), row.get("kind", ""), row.get("parent_code", "")
        if not CODE.match(code):
            errors.append(_("The code must be 1–40 letters, digits, dots, dashes or underscores."))
        elif code in seen:
            errors.append(_("The code %(code)s appears twice in the file.", code=code))
        if kind not in {k.value for k in Kind} or kind == Kind.NATIONAL:
            errors.append(_("The kind must be region, training_centre, hub or institution."))
        if not row.get("name_uk"):
            errors.append(_("The Ukrainian name is empty."))
        current = existing.get(code)
        if current is not None:
            if current.kind != kind and kind in {k.value for k in Kind}:
                errors.append(_("%(code)s exists as another kind of organisation.", code=code))
            if not self.where.contains(current):
                errors.append(_("%(code)s is outside the organisations you manage.", code=code))
        parent = existing.get(parent_code)
        if parent is None and parent_code not in seen:
            errors.append(_("There is no organisation with the code %(code)s.", code=parent_code or "—"))
        elif kind in {k.value for k in Kind}:
            parent_kind = parent.kind if parent is not None else seen[parent_code]
            problem = parent_problem(kind, parent or Organisation(kind=parent_kind, path=""))
            if problem:
                errors.append(problem)
            if parent is not None and not self.where.contains(parent):
                errors.append(_("%(code)s is outside the organisations you manage.", code=parent_code))
        for column, values, label in (
            ("host_type", {h.value for h in HostType}, "library, admin_service_centre, school, other"),
            ("status", {s.value for s in Status}, "open, temporarily_closed, relocated"),
            ("institution_type", {t.value for t in InstitutionType}, ", ".join(InstitutionType)),
        ):
            if row.get(column) and row[column] not in values:
                errors.append(_("%(column)s must be one of: %(values)s.", column=column, values=label))
        if row.get("katotth") and not KATOTTH.match(row["katotth"]):
            errors.append(_("The KATOTTH code must be UA followed by 17 digits."))
        for column, low, high in (("latitude", -90.0, 90.0), ("longitude", -180.0, 180.0)):
            if row.get(column):
                try:
                    _number(row[column], low, high)
                except ValueError:
                    errors.append(_("%(column)s must be a number of degrees.", column=column))
        unknown = [
            s for s in row.get("services", "").split("|") if s.strip() and s.strip() not in SERVICE_LABELS
        ]
        if unknown:
            errors.append(_("Unknown services: %(names)s.", names=", ".join(unknown)))
        if row.get("email") and not EMAIL.match(row["email"].strip()):
            errors.append(_("The e-mail address is not valid."))
        if row.get("website") and not WEB_ADDRESS.match(row["website"].strip()):
            errors.append(_("The website must be an address starting with https:// or http://."))
        return errors

    @staticmethod
    def fields(row: dict[str, str]) -> dict[str, Any]:
        """The organisation fields a checked row sets."""
        authority = {code: row.get(f"authority_{code}", "") for code in ("uk", "en")}
        return {
            "authority": authority if any(authority.values()) else None,
            "host_type": row.get("host_type")
            or (HostType.LIBRARY.value if row["kind"] not in (Kind.REGION, Kind.INSTITUTION) else None),
            "institution_type": (row.get("institution_type") or InstitutionType.OTHER.value)
            if row["kind"] == Kind.INSTITUTION
            else None,
            "address": row.get("address", ""),
            "settlement": row.get("settlement", ""),
            "hromada": row.get("hromada", ""),
            "katotth": row.get("katotth") or None,
            "latitude": _number(row["latitude"], -90, 90) if row.get("latitude") else None,
            "longitude": _number(row["longitude"], -180, 180) if row.get("longitude") else None,
            "opening_hours": row.get("opening_hours", ""),
            "services": [s.strip() for s in row.get("services", "").split("|") if s.strip()],
            "status": row.get("status") or Status.OPEN.value,
            "phone": row.get("phone", "").strip(),
            "email": row.get("email", "").strip(),
            "website": row.get("website", "").strip(),
        }

    def apply(self, plan: Plan) -> None:
        for action in plan.actions:
            row = action.data
            name = {code: row.get(f"name_{code}", "") for code in ("uk", "en", "fi", "sv")}
            parent = db.session.scalar(select(Organisation).where(Organisation.code == row["parent_code"]))
            assert parent is not None
            if action.action == "create":
                create_organisation(row["code"], row["kind"], name, parent, **self.fields(row))
                continue
            organisation = db.session.scalar(select(Organisation).where(Organisation.code == row["code"]))
            assert organisation is not None
            if organisation.parent_id != parent.id:
                move_organisation(organisation, parent)
            update_organisation(organisation, name=name, **self.fields(row))
