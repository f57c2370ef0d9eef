"""Trainer licences: who may be a trainer of a cohort of a course, granted by hand, and the cohorts
flagged because a trainer's licence ended.

**The rule** (:func:`licence_of`). A course that no course *qualifies trainers for* (the
trainer-of-trainers course itself) needs only the trainer role. For a course C that some course T
qualifies trainers for, a person holds a licence for C when, in this order:

1. an admin granted her one by hand (an active :class:`LicenceGrant`, with its written reason): the
   override stands whatever else is said;
2. otherwise the rules plugins registered with :func:`lms.plugins.add_licence_rule` are asked in turn:
   the first that says False ends it (e.g. her qualifying certificate was revoked or expired), the first
   that says True gives it (e.g. a valid certificate of T);
3. otherwise she holds it when she completed a cohort of a course that qualifies trainers for C.

Being a trainer of a cohort needs both the trainer role and the licence (:func:`refusal`).

**Flags.** A cohort that is not closed and has a trainer without the licence is flagged
(``Cohort.flagged_at``) and shown to managers. :func:`review_trainer` looks again at the open cohorts of
one person (after a grant is revoked, or, from another plugin, after a certificate is revoked);
:func:`review_open_cohorts` looks at every open cohort (``lms licences review``, for licences that end by
themselves, e.g. expiring certificates). A flag is cleared when every trainer holds the licence again.

Services flush and log, never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from courses.cohorts.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    LicenceGrant,
    MemberStatus,
    cohort_trainer,
)
from courses.models import Course, qualification
from lms.accounts.models import Role, RoleGrant, User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.permissions import Scope
from lms.plugins import registry

log = logging.getLogger("courses.cohorts")

# How a licence is held (Licence.source).
ROLE_ONLY = "role"  # nothing qualifies trainers for the course: the trainer role is enough
GRANT = "grant"  # given by hand by an admin, with a reason
RULE = "rule"  # a plugin's rule says so (e.g. a valid certificate)
COMPLETION = "completion"  # she completed a cohort of a qualifying course

# Why a person may not be a trainer of a cohort of a course (refusal()).
NO_TRAINER_ROLE = "no-trainer-role"
NO_LICENCE = "no-licence"


@dataclass(frozen=True)
class Licence:
    """A person's licence to train a course, and where it comes from."""

    course: Course
    source: str
    grant: LicenceGrant | None = None
    cohort: Cohort | None = None  # the qualifying cohort she completed
    since: datetime | None = None


def qualifying_course_ids(course: Course) -> list[int]:
    """The courses that qualify trainers for ``course`` (empty: the trainer role is enough)."""
    query = select(qualification.c.trainer_course_id).where(qualification.c.course_id == course.id)
    return list(db.session.scalars(query))


def has_trainer_role(person: User) -> bool:
    query = select(RoleGrant.id).where(RoleGrant.user_id == person.id, RoleGrant.role == Role.TRAINER.value)
    return db.session.scalar(query.limit(1)) is not None


def active_grant(person: User, course: Course) -> LicenceGrant | None:
    query = (
        select(LicenceGrant)
        .where(
            LicenceGrant.user_id == person.id,
            LicenceGrant.course_id == course.id,
            LicenceGrant.revoked_at.is_(None),
        )
        .order_by(LicenceGrant.granted_at.desc(), LicenceGrant.id.desc())
    )
    return db.session.scalar(query.limit(1))


def _rules_say(person: User, course: Course) -> bool | None:
    for rule in registry(current_app).licence_rules:
        verdict = rule(person, course)
        if verdict is not None:
            return bool(verdict)
    return None


def qualifying_completion(person: User, course_ids: Iterable[int]) -> CohortMember | None:
    """Her earliest completion of a cohort of one of ``course_ids``."""
    query = (
        select(CohortMember)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(
            CohortMember.user_id == person.id,
            CohortMember.status == MemberStatus.COMPLETED.value,
            Cohort.course_id.in_(list(course_ids)),
        )
        .options(joinedload(CohortMember.cohort))
        .order_by(CohortMember.completed_at, CohortMember.id)
    )
    return db.session.scalar(query.limit(1))


def licence_of(person: User, course: Course) -> Licence | None:
    """The licence ``person`` holds to train ``course``, or None (see the module's docstring)."""
    qualifying = qualifying_course_ids(course)
    if not qualifying:
        verdict = _rules_say(person, course)
        if verdict is False:
            return None
        return Licence(course, ROLE_ONLY) if has_trainer_role(person) else None
    grant = active_grant(person, course)
    if grant is not None:
        return Licence(course, GRANT, grant=grant, since=grant.granted_at)
    verdict = _rules_say(person, course)
    if verdict is not None:
        return Licence(course, RULE) if verdict else None
    member = qualifying_completion(person, qualifying)
    if member is not None:
        return Licence(course, COMPLETION, cohort=member.cohort, since=member.completed_at)
    return None


def refusal(person: User, course: Course) -> str | None:
    """Why ``person`` may not be a trainer of a cohort of ``course`` (None: she may). A deactivated or
    erased account trains nobody."""
    if not person.is_active or person.is_erased or not has_trainer_role(person):
        return NO_TRAINER_ROLE
    if licence_of(person, course) is None:
        return NO_LICENCE
    return None


# --- granting by hand ---------------------------------------------------------------------------------


class LicenceError(ValueError):
    """A grant or revocation was refused: ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


NO_REASON = "no-reason"
NOT_QUALIFIED_COURSE = "not-qualified-course"  # nothing qualifies trainers for it: a grant means nothing
ALREADY_GRANTED = "already-granted"


def grant_licence(person: User, course: Course, reason: str, by: User | None = None) -> LicenceGrant:
    """Give ``person`` a licence for ``course`` by hand, with a written reason (logged)."""
    reason = (reason or "").strip()
    if not reason:
        raise LicenceError(NO_REASON)
    if not qualifying_course_ids(course):
        raise LicenceError(NOT_QUALIFIED_COURSE)
    if active_grant(person, course) is not None:
        raise LicenceError(ALREADY_GRANTED)
    grant = LicenceGrant(
        user_id=person.id, course_id=course.id, reason=reason, granted_by_id=getattr(by, "id", None)
    )
    db.session.add(grant)
    db.session.flush()
    record(
        "courses.licence.granted",
        person,
        person.organisation.path if person.organisation else "",
        by,
        course=course.code,
        reason=reason,
        grant=grant.id,
    )
    log.info("licence for %s granted by hand to user %s", course.code, person.id)
    review_trainer(person)
    return grant


def revoke_grant(grant: LicenceGrant, reason: str, by: User | None = None) -> bool:
    """End a licence given by hand (logged); her open cohorts are looked at again. False when it had
    already ended."""
    reason = (reason or "").strip()
    if not reason:
        raise LicenceError(NO_REASON)
    if grant.revoked_at is not None:
        return False
    grant.revoked_at = utcnow()
    grant.revoked_by_id = getattr(by, "id", None)
    grant.revoke_reason = reason
    db.session.flush()
    person = grant.user
    record(
        "courses.licence.revoked",
        person,
        person.organisation.path if person.organisation else "",
        by,
        course=grant.course.code,
        reason=reason,
        grant=grant.id,
    )
    log.info("licence grant %s revoked", grant.id)
    review_trainer(person)
    return True


def grants(scope: Scope | None = None, active_only: bool = False) -> list[LicenceGrant]:
    """Licences given by hand, newest first (of people in ``scope`` when given)."""
    from lms.orgs.models import Organisation

    query = (
        select(LicenceGrant)
        .join(User, User.id == LicenceGrant.user_id)
        .options(
            joinedload(LicenceGrant.user),
            joinedload(LicenceGrant.course),
            joinedload(LicenceGrant.granted_by),
        )
        .order_by(LicenceGrant.granted_at.desc(), LicenceGrant.id.desc())
    )
    if active_only:
        query = query.where(LicenceGrant.revoked_at.is_(None))
    if scope is not None and not scope.is_everything:
        query = query.join(Organisation, Organisation.id == User.organisation_id).where(
            scope.filter(Organisation.path)
        )
    return list(db.session.scalars(query).unique())


# --- flags --------------------------------------------------------------------------------------------


def _open() -> Any:
    return Cohort.status != CohortStatus.CLOSED.value


def unlicensed_trainers(cohort: Cohort) -> list[User]:
    """The cohort's trainers who may not train it now."""
    return [trainer for trainer in cohort.trainers if refusal(trainer, cohort.course) is not None]


def review(cohorts: Iterable[Cohort]) -> list[Cohort]:
    """Flag each open cohort of ``cohorts`` that has a trainer without the licence, clear the flag of
    those whose trainers all hold it again; the cohorts whose flag changed."""
    changed: list[Cohort] = []
    for cohort in cohorts:
        if cohort.is_closed:
            continue
        missing = unlicensed_trainers(cohort)
        if missing and cohort.flagged_at is None:
            cohort.flagged_at = utcnow()
            cohort.flag_reason = ", ".join(f"{person.full_name} <{person.email}>" for person in missing)
            record(
                "courses.cohort.flagged", cohort, cohort.organisation.path, None, trainers=cohort.flag_reason
            )
            log.info("cohort %s flagged: a trainer has no licence", cohort.id)
            changed.append(cohort)
        elif missing:
            cohort.flag_reason = ", ".join(f"{person.full_name} <{person.email}>" for person in missing)
        elif cohort.flagged_at is not None:
            cohort.flagged_at, cohort.flag_reason = None, ""
            record("courses.cohort.unflagged", cohort, cohort.organisation.path, None)
            log.info("cohort %s no longer flagged", cohort.id)
            changed.append(cohort)
    db.session.flush()
    return changed


def _open_cohorts_query() -> Any:
    return (
        select(Cohort)
        .where(_open())
        .options(selectinload(Cohort.trainers), joinedload(Cohort.course), joinedload(Cohort.organisation))
        .order_by(Cohort.id)
    )


def review_trainer(person: User) -> list[Cohort]:
    """Look again at the open cohorts ``person`` trains (after her licence changed)."""
    trained = select(cohort_trainer.c.cohort_id).where(cohort_trainer.c.user_id == person.id)
    cohorts = db.session.scalars(_open_cohorts_query().where(Cohort.id.in_(trained))).unique()
    return review(list(cohorts))


def review_open_cohorts() -> list[Cohort]:
    """Look again at every open cohort (for licences that end by themselves)."""
    return review(list(db.session.scalars(_open_cohorts_query()).unique()))


def flagged_cohorts(user: Any, scope: Scope | None = None) -> list[Cohort]:
    """Open cohorts of ``user``'s scope (of cohorts she may view) whose trainer no longer holds the
    licence, flagged first the longest ago."""
    from courses.cohorts.access import VIEW
    from lms.orgs.models import Organisation
    from lms.permissions import scope as scope_of

    where = scope if scope is not None else scope_of(user, VIEW)
    if not where.paths and not where.is_everything:
        return []
    query = (
        select(Cohort)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .where(_open(), Cohort.flagged_at.is_not(None), where.filter(Organisation.path))
        .options(joinedload(Cohort.course), selectinload(Cohort.trainers))
        .order_by(Cohort.flagged_at, Cohort.id)
    )
    return list(db.session.scalars(query).unique())


def has_flagged_cohorts(user: Any) -> bool:
    from courses.cohorts.access import VIEW
    from lms.orgs.models import Organisation
    from lms.permissions import scope as scope_of

    where = scope_of(user, VIEW)
    if not where.paths and not where.is_everything:
        return False
    query = select(
        exists().where(
            Cohort.organisation_id == Organisation.id,
            _open(),
            Cohort.flagged_at.is_not(None),
            where.filter(Organisation.path),
        )
    )
    return bool(db.session.scalar(query))


def _on_course_completed(sender: Any, enrolment: Any = None, **kwargs: Any) -> None:
    """A completion may give a licence: look again at the open cohorts she trains (a flag clears)."""
    if enrolment is not None:
        review_trainer(enrolment.user)


def install(app: Any) -> None:
    from courses.signals import course_completed

    course_completed.connect(_on_course_completed, sender=app)
