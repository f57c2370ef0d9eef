"""Kaskad's certificates in the monitoring counts: each issue, revocation and correction writes the
certificate's fact through the core's public service (``lms.monitoring.facts``), in the same
transaction, so a count never disagrees with the certificates.

The fact snapshots what the certificate does: the holder's home organisation (its region, hub or
institution), job and target groups at issue, the course, the cohort and its first trainer. Its
cascade level is one more than the trainer's own highest (a trainer with no certificate here, such as
a national trainer, makes level 1).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from lms.extensions import db
from lms.i18n import Translated
from lms.monitoring import facts
from lms.monitoring.models import CertificateFact, Source
from lms.orgs.models import Organisation

if TYPE_CHECKING:
    from certificates.models import Certificate


def _home(certificate: Certificate) -> Organisation | None:
    """The holder's home organisation at issue: the last part of the snapshot's path."""
    parts = [part for part in (certificate.holder_path or "").strip("/").split("/") if part]
    return db.session.get(Organisation, int(parts[-1])) if parts else None


def _trainer_id(certificate: Certificate) -> int | None:
    if certificate.cohort_id is None:
        return None
    from courses.cohorts.models import Cohort

    cohort = db.session.get(Cohort, certificate.cohort_id)
    trainers = list(cohort.trainers) if cohort is not None else []
    return trainers[0].id if trainers else None


def _level(trainer_id: int | None) -> int | None:
    if trainer_id is None:
        return None
    own = db.session.scalar(
        select(func.max(CertificateFact.cascade_level)).where(
            CertificateFact.source == Source.KASKAD, CertificateFact.person_id == trainer_id
        )
    )
    return (own or 0) + 1


def record_issue(certificate: Certificate) -> None:
    """Write the fact of a certificate just issued (the holder's details are read now: at issue)."""
    holder = certificate.user
    trainer_id = _trainer_id(certificate)
    facts.record_certificate(
        Source.KASKAD,
        certificate.id,
        certificate.issued_on,
        person=holder,
        organisation=_home(certificate),
        job_code=holder.job.code if holder.job else None,
        course_code=certificate.course_code,
        course_title=certificate.course_title.get("uk") or Translated(certificate.course_title).in_locale(),
        cohort_id=certificate.cohort_id,
        trainer_id=trainer_id,
        cascade_level=_level(trainer_id),
        target_groups=[group.code for group in holder.target_groups],
    )


def record_revocation(certificate: Certificate, on: date) -> None:
    """From ``on`` (the revocation's day) the certificate no longer counts."""
    facts.revoke_certificate(Source.KASKAD, certificate.id, on)


def record_correction(old: Certificate, new: Certificate) -> None:
    """A corrected certificate replaces the old one in the counts: the old fact goes, the new one keeps
    the original date of issue, so nothing is counted twice and no period changes."""
    facts.forget_certificate(Source.KASKAD, old.id)
    record_issue(new)
