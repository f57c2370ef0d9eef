"""Issuing certificates: on completion in a cohort or when the cohort closes (per course), by hand with
a reason; one valid certificate per learner, course and cohort, also under concurrent issues; the
snapshot; revocation and correction keep the record; the audit log hears of each."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from certificates import services
from certificates.models import Certificate, CourseSetting, IssueOn, Source, Status
from certificates.services import CertificateError
from lms.audit.models import AuditEntry
from tests.certificates.conftest import complete


def _count(db: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Certificate.id)))


def _audit(db: Any) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.target_type == "Certificate").order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def test_completing_in_a_cohort_issues_one_certificate_with_its_pdf(app, db, certificate, learner, cohort):
    assert certificate.status == Status.VALID
    assert certificate.source == Source.COMPLETION
    assert certificate.cohort_id == cohort.id
    assert certificate.holder_name == "Ґудзь Марʼяна Євгенівна"
    assert certificate.holder_name_latin == "Gudz Mariana Yevhenivna"
    assert certificate.pdf.startswith(b"%PDF")
    assert certificate.pdf_sha256 == hashlib.sha256(certificate.pdf).hexdigest()
    assert certificate.trainers == [cohort.trainers[0].full_name]
    assert certificate.issuer == str(cohort.organisation.name.in_locale("uk"))
    assert _audit(db) == ["certificate.issued"]
    # A second announcement changes nothing.
    complete(app, cohort, learner)
    db.session.commit()
    assert _count(db) == 1


def test_completing_outside_a_cohort_issues_nothing(app, db, cohort, learner):
    from courses.signals import course_completed

    course_completed.send(app, enrolment=cohort.members[0].enrolment, cohort=None, member=None)
    assert _count(db) == 0


def test_a_course_set_to_issue_on_closing_waits_for_the_cohort_to_close(app, db, cohort, learner):
    from courses.signals import cohort_closed

    db.session.add(CourseSetting(course_id=cohort.course_id, issue_on=IssueOn.COHORT_CLOSED.value))
    db.session.commit()
    complete(app, cohort, learner)
    assert _count(db) == 0
    trainer = cohort.trainers[0]
    cohort_closed.send(app, cohort=cohort, closed_by=trainer)
    cohort_closed.send(app, cohort=cohort, closed_by=trainer)  # closing twice issues nothing twice
    db.session.commit()
    assert _count(db) == 1
    (issued,) = db.session.scalars(select(Certificate))
    assert issued.source == Source.COHORT_CLOSED
    assert issued.issued_by_id == trainer.id


def test_expiry_comes_from_the_course_setting(app, db, cohort, learner):
    db.session.add(CourseSetting(course_id=cohort.course_id, valid_months=24))
    db.session.commit()
    member = complete(app, cohort, learner)
    issued = services.current_certificate(learner, cohort.course, cohort)
    assert issued is not None and member is not None
    assert issued.expires_on == services.add_months(issued.issued_on, 24)


def test_add_months_keeps_to_the_month():
    from datetime import date

    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 12, 3), 24) == date(2028, 12, 3)
    assert services.add_months(date(2026, 11, 30), 1) == date(2026, 12, 30)


def test_the_snapshot_does_not_follow_later_edits(app, db, certificate, learner, cohort):
    pdf_before = certificate.pdf
    learner.set_names("Іваненко", "Оксана")
    cohort.course.title = {"uk": "Інша назва"}
    cohort.course.hours = 99
    cohort.trainers.clear()
    db.session.commit()
    db.session.expire_all()
    again = services.by_number(certificate.number)
    assert again.holder_name == "Ґудзь Марʼяна Євгенівна"
    assert again.course_title["uk"] == "Курс CERT-COURSE"
    assert again.course_hours == 12
    assert again.trainers != []
    assert again.pdf == pdf_before


def test_manual_issue_needs_a_reason_and_is_audited(app, db, make_course, learner, world):
    course = make_course("MANUAL")
    admin = world.people["admin@root"]
    with pytest.raises(CertificateError):
        services.issue_manually(learner, course, "  ", admin)
    issued = services.issue_manually(learner, course, "Навчалася офлайн у 2025 році", admin)
    db.session.commit()
    assert issued.created
    assert issued.certificate.source == Source.MANUAL
    assert issued.certificate.cohort_id is None
    assert issued.certificate.issuer == "Kaskad"
    again = services.issue_manually(learner, course, "Ще раз", admin)
    assert not again.created and again.certificate.id == issued.certificate.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.issued"))
    assert entry.actor_id == admin.id
    assert entry.details["reason"] == "Навчалася офлайн у 2025 році"


def test_the_database_refuses_a_second_valid_certificate(app, db, certificate, learner, cohort, monkeypatch):
    # As if another request had issued it between our check and our insert.
    monkeypatch.setattr(services, "current_certificate", _none_then_real())
    issued = services.issue(learner, cohort.course, cohort)
    assert not issued.created
    assert issued.certificate.id == certificate.id
    db.session.commit()
    assert _count(db) == 1


def _none_then_real() -> Any:
    real = services.current_certificate
    calls = {"n": 0}

    def fake(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args, **kwargs)

    return fake


def test_two_concurrent_issues_make_one_certificate(app, db, cohort, learner):
    user_id, course_id, cohort_id = learner.id, cohort.course_id, cohort.id
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        from courses.cohorts.models import Cohort
        from lms.accounts.models import User

        try:
            with app.app_context():
                user, one = db.session.get(User, user_id), db.session.get(Cohort, cohort_id)
                barrier.wait(timeout=10)
                issued = services.issue(user, one.course, one)
                db.session.commit()
                results.append((issued.created, issued.certificate.number))
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(created for created, _ in results) == [False, True]
    assert len({number for _, number in results}) == 1
    assert _count(db) == 1
    assert course_id


def test_revoking_keeps_the_record_with_date_and_reason(app, db, certificate, world):
    manager = world.people["manager@r1"]
    with pytest.raises(CertificateError):
        services.revoke(certificate, "", manager)
    services.revoke(certificate, "Документи підроблено", manager)
    db.session.commit()
    db.session.expire_all()
    again = services.by_number(certificate.number)
    assert again.current_status == Status.REVOKED
    assert again.revoke_reason == "Документи підроблено"
    assert again.revoked_at is not None and again.revoked_by_id == manager.id
    assert again.pdf.startswith(b"%PDF")
    with pytest.raises(CertificateError):
        services.revoke(again, "Ще раз", manager)
    assert _audit(db) == ["certificate.issued", "certificate.revoked"]


def test_after_revocation_a_new_certificate_can_be_issued(app, db, certificate, learner, cohort, world):
    services.revoke(certificate, "Помилка", world.people["admin@root"])
    issued = services.issue(learner, cohort.course, cohort)
    db.session.commit()
    assert issued.created and issued.certificate.number != certificate.number


def test_a_name_correction_supersedes_with_a_new_number(app, db, certificate, learner, world):
    learner.set_names("Ґудзь-Коваль", "Марʼяна", "Євгенівна")
    admin = world.people["admin@root"]
    new = services.reissue(certificate, "Змінила прізвище", admin)
    db.session.commit()
    db.session.expire_all()
    old = services.by_number(certificate.number)
    assert old.current_status == Status.SUPERSEDED
    assert old.superseded_by.number == new.number
    assert new.holder_name == "Ґудзь-Коваль Марʼяна Євгенівна"
    assert new.issued_on == old.issued_on and new.expires_on == old.expires_on
    assert new.course_title == old.course_title and new.trainers == old.trainers
    assert new.cohort_id == old.cohort_id
    assert services.public_record(old)["superseded_by"] == new.number
    assert _audit(db) == ["certificate.issued", "certificate.issued", "certificate.superseded"]


def test_licence_check_follows_valid_certificates(app, db, certificate, learner, world):
    course = certificate.course
    assert services.holds_valid_certificate(learner, [course])
    services.revoke(certificate, "Помилка", world.people["admin@root"])
    assert not services.holds_valid_certificate(learner, [course])


def test_an_expired_certificate_is_shown_as_expired(app, db, certificate):
    from datetime import timedelta

    certificate.expires_on = certificate.issued_on + timedelta(days=1)
    assert certificate.status_on(certificate.issued_on) == Status.VALID
    assert certificate.status_on(certificate.issued_on + timedelta(days=2)) == Status.EXPIRED
    assert not services.holds_valid_certificate(
        certificate.user, [certificate.course], certificate.issued_on + timedelta(days=2)
    )
