"""The certificates plugin's figure on the monitoring dashboard: trainers licensed.

A trainer's licence to teach a course that some course qualifies trainers for comes from a valid
certificate of a qualifying course, or from a licence granted by hand (see ``services.licence_rule``
and ``courses.cohorts.licences``). The figure counts, as the period ends, the active people with the
trainer role whose home organisation is in the viewer's scope (and the chosen region) and who hold such
a licence on that day: a certificate issued by then, not expired, not revoked by then and not
superseded; or a hand grant given by then and not revoked by then. One SQL statement.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select

from certificates.models import Certificate, Status
from courses.cohorts.models import LicenceGrant
from courses.models import qualification
from lms.accounts.models import Role, RoleGrant, User
from lms.extensions import db
from lms.monitoring.aggregates import within
from lms.orgs.models import Organisation
from lms.plugins import add_indicator

USER, HOME = User.__table__.c, Organisation.__table__.alias("home")
CERTIFICATE, GRANT, ROLE = Certificate.__table__.c, LicenceGrant.__table__.c, RoleGrant.__table__.c


def trainers_licensed(filters: Any) -> int:
    end = filters.period.end
    day_after = datetime.combine(end + timedelta(days=1), time())
    qualifying = select(qualification.c.trainer_course_id)
    certified = exists().where(
        CERTIFICATE.user_id == USER.id,
        CERTIFICATE.course_id.in_(qualifying),
        CERTIFICATE.status != Status.SUPERSEDED.value,
        CERTIFICATE.issued_on <= end,
        or_(CERTIFICATE.expires_on.is_(None), CERTIFICATE.expires_on >= end),
        or_(CERTIFICATE.revoked_at.is_(None), CERTIFICATE.revoked_at >= day_after),
    )
    granted = exists().where(
        GRANT.user_id == USER.id,
        GRANT.granted_at < day_after,
        or_(GRANT.revoked_at.is_(None), GRANT.revoked_at >= day_after),
    )
    # From the trainer grants (a few hundred), not from every person.
    trainers = select(ROLE.user_id).where(ROLE.role == Role.TRAINER.value).distinct().subquery("trainers")
    clauses = [within(filters, HOME.c.path), USER.is_active.is_(True), or_(certified, granted)]
    query = (
        select(func.count())
        .select_from(
            trainers.join(User.__table__, USER.id == trainers.c.user_id).join(
                HOME, HOME.c.id == USER.organisation_id
            )
        )
        .where(and_(*clauses))
    )
    return db.session.execute(query).scalar_one()


def install(app: Flask) -> None:
    add_indicator(app, "trainers.licensed", _l("Trainers licensed"), trainers_licensed, by_period=True)
