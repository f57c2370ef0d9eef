"""Re-rendering many certificates' PDFs after a template change, as a background job.

A job covers the valid (and expired) certificates of a region, or of the whole programme, for one
course or all. Each certificate is rendered from its own snapshot with its course's template as it
is when the job reaches it, and its new PDF, SHA-256 and template version are written in one
transaction together with the job's counters: a job killed midway leaves every certificate either
as it was or wholly re-rendered. Running it again skips the certificates already made with the
current version of their template, so a rerun finishes the work without doing any of it twice.

The PDF lives in the database row (no file to write beside it), so the transaction is the whole of
the atomic step.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import select

from certificates import pdf, services
from certificates.models import Certificate, JobStatus, RenderJob, Status
from courses.models import Course
from lms.accounts.models import User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.orgs.models import Organisation

log = logging.getLogger(__name__)
JOB = "certificates.rerender:run_job"


def values_of(certificate: Certificate) -> dict[str, Any]:
    """The template values of a certificate, from its snapshot (never from today's records)."""
    names = (
        "number",
        "holder_name",
        "holder_name_latin",
        "holder_job",
        "holder_organisation",
        "holder_hub",
        "holder_region",
        "course_code",
        "course_title",
        "course_hours",
        "course_ects",
        "competences",
        "cohort_title",
        "trainers",
        "issuer",
        "issued_on",
        "expires_on",
        "language",
    )
    return {name: getattr(certificate, name) for name in names}


def _query(job: RenderJob) -> Any:
    query = select(Certificate.id).where(Certificate.status == Status.VALID.value)
    if job.region_path:
        query = query.where(Certificate.holder_path.startswith(job.region_path, autoescape=True))
    if job.course_id is not None:
        query = query.where(Certificate.course_id == job.course_id)
    return query.order_by(Certificate.id)


def start(actor: User | None, region: Organisation | None, course: Course | None) -> RenderJob:
    """Record a job (committed, so a worker elsewhere can read it) and hand it to the queue; the
    queue's handle is ``job.handle`` (RQ's job, or the local pool's Future)."""
    from lms import jobs

    job = create(actor, region, course)
    job.handle = jobs.enqueue(JOB, job.id)
    return job


def create(actor: User | None, region: Organisation | None, course: Course | None) -> RenderJob:
    """Record a job, waiting for a worker (committed)."""
    job = RenderJob(
        status=JobStatus.QUEUED.value,
        region_path=region.path if region is not None else "",
        region_name=str(region.name) if region is not None else "",
        course_id=course.id if course is not None else None,
        started_by_id=actor.id if actor is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    job.total = len(db.session.scalars(_query(job)).all())
    record(
        "certificates.rerender-started",
        job,
        job.region_path,
        actor=actor,
        region=job.region_name,
        course=course.code if course is not None else None,
        total=job.total,
    )
    db.session.commit()
    return job


def run_job(job_id: int, run: int = 0) -> None:
    """Work through the job (again, if it was interrupted): the body of the background job. ``run`` is
    the job's run this worker was given; when the job was started again since, it stops."""
    from flask import current_app

    job = db.session.get(RenderJob, job_id)
    if job is None or job.run != run:
        return
    with current_app.test_request_context():  # the labels' locale, as a request would have it
        _run(job, run)


def _run(job: RenderJob, run: int) -> None:
    ids = list(db.session.scalars(_query(job)))
    job.status, job.total, job.done, job.rendered, job.errors = JobStatus.RUNNING.value, len(ids), 0, 0, 0
    job.last_error, job.finished_at = "", None
    db.session.commit()
    versions: dict[int, str] = {}
    sources: dict[int, str] = {}
    for certificate_id in ids:
        if job.run != run:  # read afresh after every commit: "Run it again" took over
            log.info("render job %s: run %s stops, run %s took over", job.id, run, job.run)
            return
        _render_one(job, certificate_id, versions, sources)
    job.status = JobStatus.DONE.value if job.errors == 0 else JobStatus.FAILED.value
    job.finished_at = utcnow()
    db.session.commit()


def _render_one(
    job: RenderJob, certificate_id: int, versions: dict[int, str], sources: dict[int, str]
) -> None:
    certificate = db.session.get(Certificate, certificate_id)
    try:
        _render(job, certificate, versions, sources)
    finally:
        if certificate is not None and certificate in db.session:
            db.session.expunge(certificate)  # memory stays flat however many certificates there are


def _render(
    job: RenderJob, certificate: Certificate | None, versions: dict[int, str], sources: dict[int, str]
) -> None:
    if certificate is None or certificate.status != Status.VALID:  # revoked or corrected meanwhile
        job.done += 1
        db.session.commit()
        return
    course_id = certificate.course_id
    if course_id not in versions:
        course = db.session.get(Course, course_id)
        sources[course_id] = services.template_source(course)
        versions[course_id] = services.version_of(sources[course_id])
    if certificate.rendered_with == versions[course_id]:
        job.done += 1
        db.session.commit()
        return
    try:
        body = pdf.render(sources[course_id], services.pdf_context(values_of(certificate)))
    except Exception as error:  # a template that fails for this one certificate: count it, go on
        db.session.rollback()
        log.warning("certificate %s not re-rendered: %s", certificate.id, error)
        job.done, job.errors = job.done + 1, job.errors + 1
        job.last_error = f"{certificate.number}: {error}"[:2000]
        db.session.commit()
        return
    certificate.pdf = body
    certificate.pdf_sha256 = hashlib.sha256(body).hexdigest()
    certificate.rendered_with = versions[course_id]
    job.done += 1
    job.rendered += 1
    db.session.commit()  # the PDF, its hash, its version and the job's counters: one transaction
