"""What the certificates plugin keeps about a person, for her data export ("Download my data"): each
certificate with its number, course, status (expiry worked out as verification shows it), dates, and
what it says about her. Registered with ``lms.plugins.add_personal_data`` as ``certificates``. The PDF
itself is downloaded from "My certificates"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certificates.models import Certificate
from lms.accounts.models import User
from lms.extensions import db


def _at(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None  # stored in UTC


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: User) -> list[dict[str, Any]]:
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == person.id)
        .order_by(Certificate.issued_at, Certificate.id)
        .options(selectinload(Certificate.superseded_by))
    ).all()
    return [
        {
            "number": certificate.number,
            "course": certificate.course_code,
            "course_title": certificate.course_title.in_locale(certificate.language),
            "course_version": certificate.course_version,
            "cohort": certificate.cohort_title or None,
            "status": certificate.current_status.value,
            "source": certificate.source,
            "reason": certificate.reason or None,
            "issued_at": _at(certificate.issued_at),
            "issued_on": _day(certificate.issued_on),
            "expires_on": _day(certificate.expires_on),
            "revoked_at": _at(certificate.revoked_at),
            "revoke_reason": certificate.revoke_reason or None,
            "superseded_by": certificate.superseded_by.number if certificate.superseded_by else None,
            "holder": {
                "name": certificate.holder_name,
                "name_latin": certificate.holder_name_latin,
                "job": certificate.holder_job,
                "organisation": certificate.holder_organisation,
                "hub": certificate.holder_hub,
                "region": certificate.holder_region,
                "target_groups": list(certificate.holder_target_groups or []),
            },
            "language": certificate.language,
        }
        for certificate in certificates
    ]
