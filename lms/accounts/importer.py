"""Importing people from CSV, matched by e-mail."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import Job, Role, TargetGroup, User
from lms.accounts.services import create_user, grant_role, update_user
from lms.extensions import db
from lms.i18n import casefold_email
from lms.imports.services import Column, Plan, RowAction
from lms.orgs.models import Organisation
from lms.permissions import scope

COLUMNS = (
    Column(
        "email",
        True,
        _l("E-mail address; an existing address updates that person."),
        "olena.koval@example.org",
    ),
    Column("surname", True, _l("Surname."), "Коваль"),
    Column("given_name", True, _l("Given name."), "Олена"),
    Column("patronymic", False, _l("Patronymic."), "Петрівна"),
    Column(
        "organisation_code", True, _l("Code of the person's hub, training centre or region."), "HUB-18-001"
    ),
    Column("job", False, _l("Job code, e.g. hub_coordinator, regional_trainer."), "hub_coordinator"),
    Column("target_groups", False, _l("Target group codes, separated by |."), "librarians"),
    Column("role", False, _l("Role over their organisation: learner, trainer, manager or admin."), "learner"),
    Column("locale", False, _l("Language: uk, en, fi or sv."), "uk"),
)


class PersonImporter:
    kind = "people"
    columns = COLUMNS

    def __init__(self) -> None:
        self.create_scope = scope(current_user, "user.create")
        self.grant_scope = scope(current_user, "role.grant")

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> Plan:
        plan = Plan()
        emails = {casefold_email(row.get("email", "")) for _line, row in rows}
        existing = {
            u.email_casefold: u
            for u in db.session.scalars(select(User).where(User.email_casefold.in_(emails)))
        }
        codes = {row.get("organisation_code", "") for _line, row in rows}
        organisations = {
            o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))
        }
        jobs = {job.code: job for job in db.session.scalars(select(Job))}
        groups = {group.code: group for group in db.session.scalars(select(TargetGroup))}
        seen: set[str] = set()
        for line, row in rows:
            errors: list[str] = []
            try:
                email = validate_email(row.get("email", ""), check_deliverability=False).normalized
            except EmailNotValidError:
                errors.append(_("%(email)s is not an e-mail address.", email=row.get("email") or "—"))
                email = row.get("email", "")
            key = casefold_email(email)
            if key in seen:
                errors.append(_("%(email)s appears twice in the file.", email=email))
            seen.add(key)
            for column, label in (("surname", _("surname")), ("given_name", _("given name"))):
                if not row.get(column):
                    errors.append(_("The %(column)s is empty.", column=label))
            organisation = organisations.get(row.get("organisation_code", ""))
            if organisation is None:
                errors.append(
                    _(
                        "There is no organisation with the code %(code)s.",
                        code=row.get("organisation_code") or "—",
                    )
                )
            elif not self.create_scope.contains(organisation):
                errors.append(_("%(code)s is outside the organisations you manage.", code=organisation.code))
            person = existing.get(key)
            if person is not None and not self.create_scope.contains(person.organisation):
                errors.append(_("%(email)s belongs to someone outside your scope.", email=email))
            if row.get("job") and row["job"] not in jobs:
                errors.append(_("Unknown job: %(code)s.", code=row["job"]))
            unknown = [
                c for c in row.get("target_groups", "").split("|") if c.strip() and c.strip() not in groups
            ]
            if unknown:
                errors.append(_("Unknown target groups: %(names)s.", names=", ".join(unknown)))
            role = row.get("role", "")
            if role and role not in {r.value for r in Role}:
                errors.append(_("The role must be learner, trainer, manager or admin."))
            elif role and organisation is not None and not self.grant_scope.contains(organisation):
                errors.append(_("You may not grant roles over %(code)s.", code=organisation.code))
            if row.get("locale") and row["locale"] not in ("uk", "en", "fi", "sv"):
                errors.append(_("The language must be uk, en, fi or sv."))
            if errors:
                plan.errors.extend((line, error) for error in errors)
                continue
            label = f"{row['surname']} {row['given_name']} <{email}>"
            plan.actions.append(
                RowAction(line, "update" if person else "create", label, {**row, "email": email})
            )
        return plan

    def apply(self, plan: Plan) -> None:
        for action in plan.actions:
            row = action.data
            organisation = db.session.scalar(
                select(Organisation).where(Organisation.code == row["organisation_code"])
            )
            job = db.session.scalar(select(Job).where(Job.code == row["job"])) if row.get("job") else None
            codes = [c.strip() for c in row.get("target_groups", "").split("|") if c.strip()]
            groups = (
                list(db.session.scalars(select(TargetGroup).where(TargetGroup.code.in_(codes))))
                if codes
                else []
            )
            fields: dict[str, Any] = {
                "email": row["email"],
                "surname": row["surname"],
                "given_name": row["given_name"],
                "patronymic": row.get("patronymic", ""),
                "organisation": organisation,
                "job": job,
                "locale": row.get("locale") or None,
            }
            person = db.session.scalar(
                select(User).where(User.email_casefold == casefold_email(row["email"]))
            )
            if person is None:
                person = create_user(target_groups=groups, **fields)
            else:
                # On an update an empty optional cell keeps what the person has: a file never erases data.
                for column, key in (("job", "job"), ("locale", "locale"), ("patronymic", "patronymic")):
                    if not row.get(column):
                        del fields[key]
                update_user(person, target_groups=groups if codes else None, **fields)
            if row.get("role") and organisation is not None:
                grant_role(person, row["role"], organisation, current_user)
