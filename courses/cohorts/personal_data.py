"""What the cohorts keep about a person, for her data export ("Download my data"): her cohort
memberships (status, dates, how a completion came about), her attendance at each session, the trainer
licences she holds and the licences given to her by hand. Registered with
``lms.plugins.add_personal_data`` as ``cohorts``. Who else took part (trainers, who marked or granted)
is other people's data and stays out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from courses.cohorts import licences
from courses.cohorts.models import Attendance, Cohort, CohortMember, CohortSession, LicenceGrant
from courses.models import Course, qualification
from lms.accounts.models import User
from lms.extensions import db


def _at(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None  # stored in UTC


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _cohort(cohort: Cohort | None) -> dict[str, Any] | None:
    if cohort is None:
        return None
    return {"id": cohort.id, "title": str(cohort), "course": cohort.course.code}


def export(person: User) -> dict[str, Any]:
    return {
        "memberships": _memberships(person),
        "attendance": _attendance(person),
        "licences": _licences(person),
        "licence_grants": _grants(person),
    }


def _memberships(person: User) -> list[dict[str, Any]]:
    members = db.session.scalars(
        select(CohortMember)
        .where(CohortMember.user_id == person.id)
        .order_by(CohortMember.enrolled_at, CohortMember.id)
        .options(
            joinedload(CohortMember.cohort).joinedload(Cohort.course),
            joinedload(CohortMember.transferred_to).joinedload(Cohort.course),
        )
    ).all()
    return [
        {
            "cohort": _cohort(member.cohort),
            "course": member.cohort.course.code,
            "cohort_starts_on": _day(member.cohort.starts_on),
            "cohort_ends_on": _day(member.cohort.ends_on),
            "status": member.status,
            "enrolled_at": _at(member.enrolled_at),
            "completed_at": _at(member.completed_at),
            "completion_source": member.completion_source,
            "completion_reason": member.completion_reason or None,
            "withdrawn_at": _at(member.withdrawn_at),
            "transferred_to": _cohort(member.transferred_to),
        }
        for member in members
    ]


def _attendance(person: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Attendance)
        .join(CohortMember, CohortMember.id == Attendance.member_id)
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(CohortMember.user_id == person.id)
        .order_by(CohortSession.starts_at, CohortSession.id)
        .options(
            joinedload(Attendance.session).joinedload(CohortSession.cohort).joinedload(Cohort.course),
        )
    ).all()
    return [
        {
            "cohort": _cohort(row.session.cohort),
            "session_starts_at": _at(row.session.starts_at),
            "session_ends_at": _at(row.session.ends_at),
            "session_topic": row.session.topic or None,
            "session_status": row.session.status,
            "status": row.status,
            "marked_at": _at(row.marked_at),
        }
        for row in rows
    ]


def _licences(person: User) -> list[dict[str, Any]]:
    """The licences she holds now, for the courses that need one (a course nothing qualifies trainers
    for needs only the trainer role, which the core's export lists)."""
    courses = db.session.scalars(
        select(Course).where(Course.id.in_(select(qualification.c.course_id))).order_by(Course.code)
    ).all()
    result = []
    for course in courses:
        licence = licences.licence_of(person, course)
        if licence is None:
            continue
        result.append(
            {
                "course": course.code,
                "source": licence.source,
                "since": _at(licence.since),
                "qualifying_cohort": _cohort(licence.cohort),
            }
        )
    return result


def _grants(person: User) -> list[dict[str, Any]]:
    grants = db.session.scalars(
        select(LicenceGrant)
        .where(LicenceGrant.user_id == person.id)
        .order_by(LicenceGrant.granted_at, LicenceGrant.id)
        .options(selectinload(LicenceGrant.course))
    ).all()
    return [
        {
            "course": grant.course.code,
            "reason": grant.reason,
            "granted_at": _at(grant.granted_at),
            "revoked_at": _at(grant.revoked_at),
            "revoke_reason": grant.revoke_reason or None,
        }
        for grant in grants
    ]
