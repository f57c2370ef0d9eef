"""Certificates, their templates and the per-course settings of issuance.

A certificate is a snapshot: the holder's name, job, organisations and target groups, the course's
title, hours and version, the cohort and its trainers are copied at issue time, so that later edits of
any of them never change what was certified. The PDF is rendered once at issue and kept with its
SHA-256; downloads serve those bytes.

"One valid certificate per learner, course and cohort" is a partial unique index over rows whose
``status`` is ``valid`` (``cohort_key`` is the cohort's id, or 0 for a certificate outside a cohort,
because NULLs never collide in a unique index). Expiry is a date, not a stored status: an expired
certificate is still the one of its learner, course and cohort.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from courses.models import Course
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import Translated, TranslatedText, utcnow


class Status(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # never stored: a valid certificate past its expiry date
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Source(enum.StrEnum):
    COMPLETION = "completion"  # the learner completed the course in a cohort
    COHORT_CLOSED = "cohort_closed"  # the trainer closed the cohort
    MANUAL = "manual"  # an admin issued it, with a reason
    REISSUE = "reissue"  # a correction replaced an earlier certificate


class IssueOn(enum.StrEnum):
    COMPLETION = "completion"
    COHORT_CLOSED = "cohort_closed"
    MANUAL = "manual"  # only by hand


STATUS_LABELS = {
    Status.VALID: _l("Valid"),
    Status.EXPIRED: _l("Expired"),
    Status.REVOKED: _l("Revoked"),
    Status.SUPERSEDED: _l("Superseded"),
}
ISSUE_ON_LABELS = {
    IssueOn.COMPLETION: _l("When a learner completes the course in a cohort"),
    IssueOn.COHORT_CLOSED: _l("When the trainer closes the cohort"),
    IssueOn.MANUAL: _l("Only by an administrator"),
}


class CourseSetting(db.Model):  # type: ignore[name-defined]
    """How a course's certificates are issued and how long they stay valid."""

    __tablename__ = "certificates_course_setting"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses_course.id", ondelete="CASCADE"), primary_key=True
    )
    issue_on: Mapped[str] = mapped_column(String(20), default=IssueOn.COMPLETION.value)
    valid_months: Mapped[int | None] = mapped_column(Integer)  # None: never expires
    issuer: Mapped[str] = mapped_column(String(300), default="")  # "" : the cohort's organisation
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()


class Template(db.Model):  # type: ignore[name-defined]
    """A course's own certificate template (HTML and CSS for xhtml2pdf); without one the designed
    default is used."""

    __tablename__ = "certificates_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"), unique=True)
    html: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    course: Mapped[Course] = relationship()


class Certificate(db.Model):  # type: ignore[name-defined]
    __tablename__ = "certificates_certificate"
    __table_args__ = (
        Index(
            "uq_certificates_certificate_one_valid",
            "user_id",
            "course_id",
            "cohort_key",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
        Index("ix_certificates_certificate_course_issued", "course_id", "issued_at"),
        Index("ix_certificates_certificate_user_course", "user_id", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # formatted, KSK-XXXX-XXXX-C
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("courses_cohort.id"), index=True)
    cohort_key: Mapped[int] = mapped_column(Integer, default=0)  # cohort_id or 0 (see the docstring)
    status: Mapped[str] = mapped_column(String(20), default=Status.VALID.value)
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")  # of a manual issue or a re-issue
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates_certificate.id"))
    # The snapshot.
    holder_name: Mapped[str] = mapped_column(String(400))
    holder_name_latin: Mapped[str] = mapped_column(String(400), default="")
    holder_job: Mapped[str] = mapped_column(String(300), default="")
    holder_organisation: Mapped[str] = mapped_column(String(400), default="")
    holder_hub: Mapped[str] = mapped_column(String(400), default="")
    holder_region: Mapped[str] = mapped_column(String(400), default="")
    holder_path: Mapped[str] = mapped_column(String(255), default="", index=True)  # home org path: scopes
    holder_target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    course_code: Mapped[str] = mapped_column(String(40))
    course_title: Mapped[Translated] = mapped_column(TranslatedText)
    course_hours: Mapped[float] = mapped_column(Float, default=0)
    course_ects: Mapped[float | None] = mapped_column(Float)
    course_version: Mapped[int] = mapped_column(Integer, default=1)
    competences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cohort_title: Mapped[str] = mapped_column(String(300), default="")
    trainers: Mapped[list[str]] = mapped_column(JSON, default=list)
    issuer: Mapped[str] = mapped_column(String(400), default="")
    language: Mapped[str] = mapped_column(String(10), default="uk")
    # The PDF as rendered at issue, and its SHA-256 (hex).
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    # The version (see certificates.rerender.template_version) of the template the PDF was made with.
    rendered_with: Mapped[str] = mapped_column(String(20), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    def status_on(self, day: date) -> Status:
        """The status as verification shows it on ``day`` (expiry is worked out, not stored)."""
        if self.status == Status.VALID and self.expires_on is not None and self.expires_on < day:
            return Status.EXPIRED
        return Status(self.status)

    @property
    def current_status(self) -> Status:
        return self.status_on(utcnow().date())

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.current_status]

    @property
    def title(self) -> str:
        return str(self.course_title)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # finished with errors, or stopped by one


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting for a worker"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Finished with errors"),
}


class RenderJob(db.Model):  # type: ignore[name-defined]
    """Re-rendering the PDFs of many certificates (a region's, or the nation's) after a template
    change, as a background job. Counters are updated in the same transaction as each certificate."""

    __tablename__ = "certificates_render_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    region_path: Mapped[str] = mapped_column(String(255), default="")  # "" is the whole programme
    region_name: Mapped[str] = mapped_column(String(400), default="")
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses_course.id", ondelete="SET NULL"))
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    rendered: Mapped[int] = mapped_column(Integer, default=0)  # of ``done``: those given a new PDF
    errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Raised by "Run it again": a worker still busy with an earlier run sees it and stops, so two runs
    # never work through the same job at once.
    run: Mapped[int] = mapped_column(Integer, default=0)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    started_by: Mapped[User | None] = relationship()
    course: Mapped[Course | None] = relationship()

    @property
    def status_label(self) -> Any:
        return JOB_STATUS_LABELS[JobStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
