"""Who may do what with a cohort: the cohort checks every cohort page and command goes through.

The trainers of a cohort teach it (enrol, schedule, mark attendance, grade, close). Admins whose scope
holds the cohort's organisation may do all of that too; managers whose scope holds it see it and may
close it. A trainer opens cohorts in organisations within her own scope, when she holds the licence.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from courses.cohorts.models import Cohort, CohortMember, MemberStatus
from lms.extensions import db
from lms.permissions import allow, can

VIEW = "courses.cohort.view"  # see every cohort of one's scope
CREATE = "courses.cohort.create"  # open a cohort in an organisation of one's scope
MANAGE = "courses.cohort.manage"  # act as a trainer of any cohort of one's scope
CLOSE = "courses.cohort.close"  # close any cohort of one's scope
GRANT_LICENCE = "courses.licence.grant"  # give a licence by hand, with a reason


def install() -> None:
    """The cohort actions of each role."""
    allow("admin", VIEW, CREATE, MANAGE, CLOSE, GRANT_LICENCE)
    allow("manager", VIEW, CLOSE)
    allow("trainer", CREATE)


def is_trainer_of(user: Any, cohort: Cohort) -> bool:
    return getattr(user, "is_authenticated", False) and any(t.id == user.id for t in cohort.trainers)


def may_view(user: Any, cohort: Cohort) -> bool:
    return is_trainer_of(user, cohort) or can(user, VIEW, cohort.organisation)


def may_teach(user: Any, cohort: Cohort) -> bool:
    """Enrol, schedule sessions, mark attendance, record offline work (the gradebook: :func:`may_view`)."""
    return is_trainer_of(user, cohort) or can(user, MANAGE, cohort.organisation)


def is_member_of(user: Any, cohort: Cohort) -> bool:
    """Is ``user`` a learner of the cohort who has not withdrawn?"""
    if not getattr(user, "is_authenticated", False):
        return False
    query = select(CohortMember.id).where(
        CohortMember.cohort_id == cohort.id,
        CohortMember.user_id == user.id,
        CohortMember.status != MemberStatus.WITHDRAWN.value,
    )
    return db.session.scalar(query) is not None


def may_see_sessions(user: Any, cohort: Cohort) -> bool:
    """The sessions, their calendar entries and the cohort's feed address: who may view the cohort,
    and its learners."""
    return may_view(user, cohort) or is_member_of(user, cohort)


def may_close(user: Any, cohort: Cohort) -> bool:
    return may_teach(user, cohort) or can(user, CLOSE, cohort.organisation)


def cohort_or_abort(cohort_id: int, check: Any = may_view) -> Cohort:
    """The cohort, for the current user: 404 when there is none, 401/403 when ``check`` says no."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(401)
    if not check(current_user, cohort):
        abort(403)
    return cohort
