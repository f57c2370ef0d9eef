"""Enrolling a cohort from CSV: every row is checked first, then all rows are enrolled or none.

Columns ``email,surname,given_name,patronymic,org_code,job,target_groups`` (target groups by code,
separated by ``|``). A person is found by her e-mail address: an existing one is enrolled as she is (the
file never changes her profile); a person who does not exist yet is created over the organisation
``org_code`` with the learner role, invited (the foundation's one-time link) and enrolled; one who is
already a learner of the cohort is reported and not enrolled twice. The reading (encodings, delimiters,
line numbers) is the core's (``lms.imports``), so the page and ``lms cohorts enrol`` say the same.

Who may place people where: the command line acts for the whole programme; on the web, people come from
the organisations in the region (or country) of the organisation that runs the cohort — a regional
training centre trains the region's hub coordinators — or from where the person importing may invite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from courses.cohorts import services
from courses.cohorts.models import Cohort, CohortMember, MemberStatus
from lms.accounts.models import Job, Role, TargetGroup, TokenPurpose, User
from lms.accounts.services import create_user, grant_role, issue_token
from lms.extensions import db
from lms.i18n import casefold_email
from lms.imports.services import Column, Plan, RowAction, check_file
from lms.orgs.models import Organisation
from lms.permissions import Scope, can, scope

KIND = "cohort-members"

COLUMNS = (
    Column(
        "email",
        True,
        _l("E-mail address: an existing person is enrolled as they are."),
        "olena.koval@example.org",
    ),
    Column("surname", True, _l("Surname (needed for a person who is new to Kaskad)."), "Коваль"),
    Column("given_name", True, _l("Given name (needed for a new person)."), "Олена"),
    Column("patronymic", False, _l("Patronymic."), "Петрівна"),
    Column("org_code", True, _l("Code of a new person's hub, training centre or region."), "HUB-18-001"),
    Column("job", False, _l("Job code, e.g. hub_coordinator."), "hub_coordinator"),
    Column("target_groups", False, _l("Target group codes, separated by |."), "librarians"),
)

ENROL = "enrol"  # an existing person is enrolled
CREATE = "create"  # a new person is created, invited and enrolled
ALREADY = "already"  # already a learner of the cohort: reported, not doubled


def catchment(cohort: Cohort) -> Scope:
    """The organisations a cohort's learners come from: the region (or national body) of the
    organisation that runs it."""
    organisation = cohort.organisation
    while organisation.kind not in ("region", "national") and organisation.parent is not None:
        organisation = organisation.parent
    return Scope((organisation.path,))


@dataclass
class ImportResult:
    enrolled: list[CohortMember] = field(default_factory=list)
    created: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)
    invitations: list[tuple[User, str]] = field(default_factory=list)  # (person, one-time token)


class CohortImporter:
    kind = KIND
    columns: Sequence[Column] = COLUMNS

    def __init__(self, cohort: Cohort, actor: User | None = None) -> None:
        """``actor`` None: the command line, for the whole programme."""
        self.cohort, self.actor = cohort, actor
        self.catchment = catchment(cohort)
        self.invite_scope = scope(actor, "user.invite") if actor is not None else Scope((), True)

    def _may_place(self, organisation: Organisation) -> bool:
        return (
            self.actor is None
            or self.catchment.contains(organisation)
            or self.invite_scope.contains(organisation)
        )

    def _may_enrol(self, person: User) -> bool:
        if self.actor is None:
            return True
        if person.organisation is not None and self.catchment.contains(person.organisation):
            return True
        return can(self.actor, "user.view", person)

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> Plan:
        plan = Plan()
        cohort = self.cohort
        if cohort.is_closed:
            plan.errors.append((1, _("The cohort is closed: nobody can be enrolled.")))
            return plan
        keys = {casefold_email(row.get("email", "")) for _line, row in rows}
        people = {
            p.email_casefold: p for p in db.session.scalars(select(User).where(User.email_casefold.in_(keys)))
        }
        codes = {row.get("org_code", "") for _line, row in rows}
        organisations = {
            o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))
        }
        jobs = {job.code for job in db.session.scalars(select(Job))}
        groups = {group.code for group in db.session.scalars(select(TargetGroup))}
        members = {
            member.user_id: member
            for member in db.session.scalars(select(CohortMember).where(CohortMember.cohort_id == cohort.id))
        }
        room = services.room_left(cohort)
        seen: set[str] = set()
        joining = 0
        for line, row in rows:
            errors: list[str] = []
            raw = row.get("email", "")
            try:
                email = validate_email(raw, check_deliverability=False).normalized
            except EmailNotValidError:
                errors.append(_("%(email)s is not an e-mail address.", email=raw or "—"))
                email = raw
            key = casefold_email(email)
            if key in seen:
                errors.append(_("%(email)s appears twice in the file.", email=email))
            seen.add(key)
            if row.get("job") and row["job"] not in jobs:
                errors.append(_("Unknown job: %(code)s.", code=row["job"]))
            unknown = [
                c.strip()
                for c in row.get("target_groups", "").split("|")
                if c.strip() and c.strip() not in groups
            ]
            if unknown:
                errors.append(_("Unknown target groups: %(names)s.", names=", ".join(unknown)))
            person = people.get(key)
            action = CREATE
            if person is not None:
                action = self._check_existing(person, members.get(person.id), errors)
            else:
                self._check_new(row, organisations, errors)
            if not errors and action != ALREADY:
                joining += 1
                if room is not None and joining > room:
                    errors.append(
                        _(
                            "The cohort has room for %(room)d more learners: this row is one too many.",
                            room=room,
                        )
                    )
            if errors:
                plan.errors.extend((line, error) for error in errors)
                continue
            name = (
                person.full_name
                if person is not None
                else " ".join(
                    part
                    for part in (row.get("surname"), row.get("given_name"), row.get("patronymic"))
                    if part
                )
            )
            plan.actions.append(RowAction(line, action, f"{name} <{email}>", {**row, "email": email}))
        return plan

    def _check_existing(self, person: User, member: CohortMember | None, errors: list[str]) -> str:
        if not self._may_enrol(person):
            errors.append(_("%(email)s belongs to someone outside your scope.", email=person.email))
            return ENROL
        if person.is_erased or not person.is_active:
            errors.append(_("The account of %(email)s is deactivated.", email=person.email))
            return ENROL
        if member is not None and member.status != MemberStatus.WITHDRAWN:
            return ALREADY
        elsewhere = services.other_open_cohort(self.cohort, person)
        if elsewhere is not None:
            errors.append(
                _(
                    "%(email)s is a learner of another open cohort of this course (%(cohort)s): "
                    "transfer them from there instead.",
                    email=person.email,
                    cohort=str(elsewhere),
                )
            )
        return ENROL

    def _check_new(
        self, row: dict[str, str], organisations: dict[str, Organisation], errors: list[str]
    ) -> None:
        for column, label in (("surname", _("surname")), ("given_name", _("given name"))):
            if not row.get(column):
                errors.append(_("The %(column)s is empty: it is needed for a new person.", column=label))
        code = row.get("org_code", "")
        organisation = organisations.get(code)
        if not code:
            errors.append(_("The organisation code is empty: it is needed for a new person."))
        elif organisation is None:
            errors.append(_("There is no organisation with the code %(code)s.", code=code))
        elif not self._may_place(organisation):
            errors.append(_("%(code)s is outside the organisations you manage.", code=organisation.code))

    def apply(self, plan: Plan) -> None:
        """The core's importer protocol: :meth:`enrol_all`, its result kept in ``result``."""
        self.result = self.enrol_all(plan)

    def enrol_all(self, plan: Plan) -> ImportResult:
        """Enrol every row of a valid plan (flushes, never commits)."""
        result = ImportResult()
        for row_action in plan.actions:
            row = row_action.data
            person = db.session.scalar(
                select(User).where(User.email_casefold == casefold_email(row["email"]))
            )
            if row_action.action == ALREADY:
                assert person is not None
                result.already.append(person)
                continue
            if person is None:
                person = self._create(row)
                result.created.append(person)
                result.invitations.append((person, issue_token(person, TokenPurpose.INVITATION, self.actor)))
            result.enrolled.append(services.enrol(self.cohort, person, self.actor, check_room=False))
        return result

    def _create(self, row: dict[str, str]) -> User:
        organisation = db.session.scalar(select(Organisation).where(Organisation.code == row["org_code"]))
        assert organisation is not None  # checked
        job = db.session.scalar(select(Job).where(Job.code == row["job"])) if row.get("job") else None
        codes = [c.strip() for c in row.get("target_groups", "").split("|") if c.strip()]
        groups = (
            list(db.session.scalars(select(TargetGroup).where(TargetGroup.code.in_(codes)))) if codes else []
        )
        person = create_user(
            row["email"],
            row["surname"],
            row["given_name"],
            row.get("patronymic", ""),
            organisation=organisation,
            job=job,
            target_groups=groups,
        )
        grant_role(person, Role.LEARNER.value, organisation, self.actor)
        return person


def check(cohort: Cohort, data: bytes, actor: User | None = None) -> tuple[CohortImporter, Plan]:
    importer = CohortImporter(cohort, actor)
    return importer, check_file(importer, data)


def enrol_from_csv(
    cohort: Cohort, data: bytes, actor: User | None = None
) -> tuple[Plan, ImportResult | None]:
    """Check the file, then enrol every row, or nobody when any row is wrong."""
    importer, plan = check(cohort, data, actor)
    if not plan.is_valid:
        return plan, None
    return plan, importer.enrol_all(plan)


def describe(action: str) -> Any:
    return {
        ENROL: _l("Enrol"),
        CREATE: _l("Create, invite and enrol"),
        ALREADY: _l("Already enrolled: nothing to do"),
    }[action]
