"""Kaskad's certificates feed the monitoring counts as they are issued, revoked and corrected."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from certificates import services
from lms.accounts.models import TargetGroup
from lms.monitoring import aggregates
from lms.monitoring.aggregates import Filters
from lms.monitoring.models import CertificateFact
from lms.monitoring.periods import Period
from lms.permissions import Scope

EVERYTHING = Scope((), is_everything=True)


def fact_of(db, certificate) -> CertificateFact:
    db.session.expire_all()
    return db.session.scalar(
        select(CertificateFact).where(
            CertificateFact.source == "kaskad", CertificateFact.source_id == certificate.id
        )
    )


def test_an_issued_certificate_writes_its_fact_with_the_snapshot(app, db, world, cohort, learner):
    from tests.certificates.conftest import complete

    librarians = db.session.scalar(select(TargetGroup).where(TargetGroup.code == "librarians"))
    learner.target_groups.append(librarians)
    db.session.commit()
    complete(app, cohort, learner)
    db.session.commit()
    certificate = services.current_certificate(learner, cohort.course, cohort)
    fact = fact_of(db, certificate)
    assert fact.person_id == learner.id and fact.hub_id == world.orgs["hub@r1"].id
    assert fact.region_id == world.orgs["r1"].id and fact.course_code == cohort.course.code
    assert fact.cohort_id == cohort.id and fact.trainer_id == world.people["trainer@r1"].id
    assert fact.cascade_level == 1  # the trainer holds no certificate here
    assert fact.issued_on == certificate.issued_on
    filters = Filters(EVERYTHING, Period.containing(certificate.issued_on))
    assert [row.key for row in aggregates.breakdown(filters, "target_group")] == ["librarians"]


def test_a_revoked_certificate_stops_counting_from_that_day(app, db, certificate):
    services.revoke(certificate, "Помилка", None)
    db.session.commit()
    fact = fact_of(db, certificate)
    assert fact.revoked_on == certificate.revoked_at.date()
    period = Period.containing(certificate.issued_on)
    assert aggregates.count_certificates(Filters(EVERYTHING, period)) == 0
    before = Filters(EVERYTHING, period, as_of=fact.revoked_on - timedelta(days=1))
    if certificate.issued_on < fact.revoked_on:
        assert aggregates.count_certificates(before) == 1


def test_a_corrected_certificate_is_counted_once(app, db, certificate):
    new = services.reissue(certificate, "Змінено прізвище", None)
    db.session.commit()
    assert fact_of(db, certificate) is None
    assert fact_of(db, new).issued_on == certificate.issued_on
    assert db.session.scalar(select(func.count()).select_from(CertificateFact)) == 1
    assert date.today() >= certificate.issued_on
