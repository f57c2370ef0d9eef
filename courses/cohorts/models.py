"""Cohorts: a course delivered by trainers to a group of learners, with sessions and attendance; trainer
licences granted by hand; and the completions that make the cascade's lineage.

A learner has one :class:`~courses.models.Enrolment` per course, which holds her progress; a
:class:`CohortMember` row puts that enrolment in a cohort. Withdrawing or transferring changes the
member rows, never the progress, so the progress is the same whichever cohort she is in.

The lineage is data: a member who completed a cohort names its trainers at that moment
(:data:`completion_trainer`), so "who trained whom" is one indexed join, walked by a recursive CTE.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course, Enrolment, Module
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow

if TYPE_CHECKING:
    from lms.orgs.models import Organisation


class Mode(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    BLENDED = "blended"


class CohortStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    CLOSED = "closed"


class MemberStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class CompletionSource(enum.StrEnum):
    RULE = "rule"  # the course's completion rule was met (items, quizzes, attendance)
    MANUAL = "manual"  # an admin recorded it, with a reason (work done on paper, …)


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


MODE_LABELS = {Mode.ONLINE: _l("Online"), Mode.IN_PERSON: _l("In person"), Mode.BLENDED: _l("Blended")}
COHORT_STATUS_LABELS = {
    CohortStatus.PLANNED: _l("Planned"),
    CohortStatus.RUNNING: _l("Running"),
    CohortStatus.CLOSED: _l("Closed"),
}
MEMBER_STATUS_LABELS = {
    # Not "Enrolled": the catalogue's "Enrolled" says "you are enrolled" to the learner herself.
    MemberStatus.ENROLLED: _l("Studying"),
    MemberStatus.COMPLETED: _l("Completed"),
    MemberStatus.WITHDRAWN: _l("Withdrawn"),
}
SESSION_STATUS_LABELS = {SessionStatus.SCHEDULED: _l("Scheduled"), SessionStatus.CANCELLED: _l("Cancelled")}
ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.LATE: _l("Late"),
    AttendanceStatus.ABSENT: _l("Absent"),
    AttendanceStatus.EXCUSED: _l("Excused"),
}


def new_token() -> str:
    """An unguessable token for a calendar feed's address."""
    return secrets.token_urlsafe(24)


cohort_trainer = Table(
    "courses_cohort_trainer",
    db.metadata,
    Column("cohort_id", ForeignKey("courses_cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("lms_user.id"), primary_key=True, index=True),
)

# The trainers of the cohort at the moment a member completed it: the edges of the lineage.
completion_trainer = Table(
    "courses_completion_trainer",
    db.metadata,
    Column("member_id", ForeignKey("courses_cohort_member.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("lms_user.id"), primary_key=True, index=True),
)

session_module = Table(
    "courses_session_module",
    db.metadata,
    Column("session_id", ForeignKey("courses_cohort_session.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", ForeignKey("courses_module.id", ondelete="CASCADE"), primary_key=True),
)


class Cohort(db.Model):  # type: ignore[name-defined]
    """One delivery of a course, run by an organisation (a training centre, a region or a national
    body) and taught by one or more trainers."""

    __tablename__ = "courses_cohort"
    __table_args__ = (Index("ix_courses_cohort_status_starts_on", "status", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")  # e.g. "Житомир, весна 2025"
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20), default=Mode.BLENDED.value)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    status: Mapped[str] = mapped_column(String(20), default=CohortStatus.PLANNED.value, index=True)
    # Learners who know it enrol themselves; unique so that the key alone finds the cohort.
    enrolment_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    venue_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"))
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    webinar_url: Mapped[str] = mapped_column(String(1000), default="")
    timezone: Mapped[str] = mapped_column(String(50), default="Europe/Kyiv")  # of its sessions
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    # Set when a trainer of this open cohort lost her licence (shown to managers); cleared on fixing.
    flagged_at: Mapped[datetime | None]
    flag_reason: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship()
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    venue_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[venue_organisation_id])
    trainers: Mapped[list[User]] = relationship(secondary=cohort_trainer, order_by=User.name_sort)
    members: Mapped[list[CohortMember]] = relationship(
        back_populates="cohort", foreign_keys="CohortMember.cohort_id", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[CohortSession]] = relationship(
        back_populates="cohort", order_by="CohortSession.starts_at", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title or f"{self.course.code} · {self.starts_on.isoformat()}"

    @property
    def is_closed(self) -> bool:
        return self.status == CohortStatus.CLOSED

    @property
    def mode_label(self) -> Any:
        return MODE_LABELS[Mode(self.mode)]

    @property
    def status_label(self) -> Any:
        return COHORT_STATUS_LABELS[CohortStatus(self.status)]


class CohortMember(db.Model):  # type: ignore[name-defined]
    """A learner in a cohort. Her progress lives on the enrolment, shared by all her cohorts of the
    course; this row says whether she is enrolled, completed or withdrew here."""

    __tablename__ = "courses_cohort_member"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        Index("ix_courses_cohort_member_cohort_id_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("courses_cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("courses_enrolment.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=MemberStatus.ENROLLED.value)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    completion_source: Mapped[str | None] = mapped_column(String(20))
    completion_reason: Mapped[str] = mapped_column(Text, default="")
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    # When ``courses.course-completed`` was sent for this member: set by one conditional UPDATE, so
    # that closing twice, or two people closing at once, announces nobody twice.
    announced_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("courses_cohort.id"))

    cohort: Mapped[Cohort] = relationship(back_populates="members", foreign_keys=[cohort_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrolment: Mapped[Enrolment] = relationship()
    transferred_to: Mapped[Cohort | None] = relationship(foreign_keys=[transferred_to_id])
    # The cohort's trainers when she completed it (the lineage's edges).
    completion_trainers: Mapped[list[User]] = relationship(secondary=completion_trainer)

    @property
    def status_label(self) -> Any:
        return MEMBER_STATUS_LABELS[MemberStatus(self.status)]


class CohortSession(db.Model):  # type: ignore[name-defined]
    """A meeting of a cohort, online or in person. Times are stored in UTC and entered and shown in the
    cohort's time zone. ``uid`` and ``sequence`` keep calendar entries stable across updates."""

    __tablename__ = "courses_cohort_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("courses_cohort.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=lambda: secrets.token_hex(16))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # UTC
    ends_at: Mapped[datetime]  # UTC
    topic: Mapped[str] = mapped_column(String(300), default="")
    venue_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    place: Mapped[str] = mapped_column(String(300), default="")  # a free address or room
    webinar_url: Mapped[str] = mapped_column(String(1000), default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)  # shown on the hub's public page
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED.value)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE, raised on each change
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")
    venue_organisation: Mapped[Organisation | None] = relationship()
    modules: Mapped[list[Module]] = relationship(secondary=session_module, order_by=Module.position)
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class Attendance(db.Model):  # type: ignore[name-defined]
    """Whether a member came to a session."""

    __tablename__ = "courses_attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("courses_cohort_session.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("courses_cohort_member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    session: Mapped[CohortSession] = relationship(back_populates="attendance")
    member: Mapped[CohortMember] = relationship()

    @property
    def status_label(self) -> Any:
        return ATTENDANCE_LABELS[AttendanceStatus(self.status)]


class LicenceGrant(db.Model):  # type: ignore[name-defined]
    """A licence to train a course given by hand by an admin, with a written reason (the override of
    the rule that a licence comes from completing a course that qualifies trainers for it)."""

    __tablename__ = "courses_licence_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
