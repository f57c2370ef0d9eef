"""The "trainers licensed" figure: trainers holding, as a period ends, a valid certificate of a course
that qualifies trainers, or a licence granted by hand; within the viewer's scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import insert

from lms.accounts.services import grant_role
from lms.monitoring.aggregates import Filters
from lms.monitoring.periods import Period
from lms.permissions import Scope
from lms.plugins import registry

EVERYTHING = Scope((), is_everything=True)


def licensed(filters: Filters) -> int:
    return registry().indicators["trainers.licensed"].value(filters)


def test_trainers_licensed_follow_certificates_grants_revocation_and_scope(
    app, db, certificate, learner, world, make_course, make
):
    from certificates import services
    from courses.cohorts.licences import grant_licence
    from courses.models import qualification

    taught = make_course("TAUGHT-1")
    db.session.execute(
        insert(qualification).values(trainer_course_id=certificate.course_id, course_id=taught.id)
    )
    today = date.today()
    this_period = Filters(EVERYTHING, Period.custom(today - timedelta(days=30), today))
    assert licensed(this_period) == 0  # a certificate, but she is not a trainer

    grant_role(learner, "trainer", world.orgs["hub@r1"])
    db.session.commit()
    assert licensed(this_period) == 1
    assert licensed(Filters(Scope((world.orgs["r1"].path,)), this_period.period)) == 1
    assert licensed(Filters(Scope((world.orgs["r2"].path,)), this_period.period)) == 0
    assert licensed(replace(this_period, region_id=world.orgs["r2"].id)) == 0
    before = Filters(EVERYTHING, Period.custom(today - timedelta(days=60), today - timedelta(days=31)))
    assert licensed(before) == 0  # not issued yet as that period ended

    other = make.user(world.orgs["hub@r2"], ("trainer",), email="granted@example.org")
    db.session.commit()
    grant_licence(other, taught, "Досвідчена тренерка", by=world.people["admin@root"])
    db.session.commit()
    assert licensed(this_period) == 2

    services.revoke(certificate, "Помилка", world.people["admin@root"])
    db.session.commit()
    assert licensed(this_period) == 1  # revoked today: no longer licensed as today ends
