"""The monitoring tables: one fact row per counted certificate, external certificate records, frozen
reports and API tokens.

The fact table is what every count reads. It stores the keys the counts group by (period keys as
integers, region, institution, hub, course, trainer) so aggregates are ``GROUP BY`` over indexed
columns, never a computation per row.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow
from lms.orgs.models import Organisation


class Source(enum.StrEnum):
    KASKAD = "kaskad"
    EXTERNAL = "external"


SOURCE_LABELS = {
    Source.KASKAD: _l("Kaskad's certificates"),
    Source.EXTERNAL: _l("External certificates"),
    "all": _l("Kaskad's and external certificates"),
}
# The platform most external certificates come from; any other platform is named as typed.
DIIA = "diia"
DIIA_LABEL = "Дія.Цифрова освіта"


def quarter_key(day: date) -> int:
    """20263 for July–September 2026: the stored integer the quarterly counts group by."""
    return day.year * 10 + (day.month - 1) // 3 + 1


def half_key(day: date) -> int:
    return day.year * 10 + (1 if day.month <= 6 else 2)


# What a count filters on, copied from the fact into each of its target-group rows, so that counts
# by target group read the group table's covering indexes alone, without joining the facts (on
# 1,000,000 facts: 26 ms instead of 325). ``lms.monitoring.facts`` keeps the copies equal.
COUNTED_COLUMNS = (
    "quarter",
    "region_id",
    "institution_id",
    "scope_path",
    "person_key",
    "source",
    "course_code",
    "issued_on",
    "revoked_on",
)

fact_target_group = Table(
    "lms_monitoring_fact_target_group",
    db.metadata,
    Column("fact_id", ForeignKey("lms_monitoring_fact.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group", String(40), primary_key=True),
    Column("quarter", Integer, nullable=False),
    Column("region_id", Integer),
    Column("institution_id", Integer),
    Column("scope_path", String(255), nullable=False),
    Column("person_key", String(260), nullable=False),
    Column("source", String(10), nullable=False),
    Column("course_code", String(60), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("revoked_on", Date),
    Index("ix_lms_monitoring_fact_target_group_group", "target_group", "fact_id"),
    # Certificates and people per target group in a quarter (people counted in index order).
    Index(
        "ix_lms_monitoring_fact_target_group_people",
        "quarter",
        "target_group",
        "person_key",
        "revoked_on",
        "issued_on",
        "source",
        "region_id",
        "scope_path",
    ),
    # The quarterly report's table: a quarter's certificates per region and target group.
    Index(
        "ix_lms_monitoring_fact_target_group_region",
        "quarter",
        "region_id",
        "target_group",
        "revoked_on",
        "issued_on",
        "source",
        "scope_path",
    ),
)


# Certificates standing (not revoked) per quarter, region (0: none) and source, kept by
# ``lms.monitoring.facts`` in the transaction that writes a fact: today's counts over whole regions
# (the trend's eight quarters, the headline's certificates) read a few hundred rows instead of
# every fact of the period. Counts as of another day, or finer, read the facts.
tally = Table(
    "lms_monitoring_tally",
    db.metadata,
    Column("quarter", Integer, primary_key=True),
    Column("region_id", Integer, primary_key=True),
    Column("source", String(10), primary_key=True),
    Column("certificates", Integer, nullable=False),
)


class CertificateFact(db.Model):  # type: ignore[name-defined]
    """One certificate that counts: Kaskad's own (written by the certificates plugin through
    :mod:`lms.monitoring.facts`) or an external record. What it snapshots at issue never changes;
    a revocation only sets ``revoked_on``."""

    __tablename__ = "lms_monitoring_fact"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        # The quarterly report and the dashboard: a quarter's rows (a half-year's and a year's are
        # their quarters'), by region, still valid; covering the counts of certificates and people,
        # so a count reads the index alone (on 1,000,000 facts: 22 ms instead of 500). People come
        # in index order within a region, so counting them once needs no sort.
        Index(
            "ix_lms_monitoring_fact_quarter",
            "quarter",
            "region_id",
            "person_key",
            "revoked_on",
            "issued_on",
            "source",
            "scope_path",
        ),
        # The people of a quarter, counted once, in index order (11 ms instead of 45).
        Index(
            "ix_lms_monitoring_fact_people",
            "quarter",
            "person_key",
            "revoked_on",
            "issued_on",
            "source",
            "region_id",
            "scope_path",
        ),
        # The dashboard's course filter: the codes of a quarter's courses.
        Index("ix_lms_monitoring_fact_courses", "quarter", "course_code", "scope_path"),
        # Coverage: the hubs whose coordinator holds a certificate (32 ms instead of 6.6 s).
        Index(
            "ix_lms_monitoring_fact_coordinators", "job_code", "hub_id", "issued_on", "revoked_on", "source"
        ),
        Index("ix_lms_monitoring_fact_issued", "issued_on", "region_id", "revoked_on", "source"),
        # Revocations dated after today (they still count today; the tally has them as revoked).
        Index("ix_lms_monitoring_fact_revoked", "revoked_on", "issued_on", "quarter", "region_id", "source"),
        Index("ix_lms_monitoring_fact_scope", "scope_path", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    # Who the certificate belongs to, for counting people once: "u<id>" for a person of Kaskad,
    # "e<e-mail>" or "x<record id>" for an external record matched to nobody.
    person_key: Mapped[str] = mapped_column(String(260))
    scope_path: Mapped[str] = mapped_column(String(255), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    job_code: Mapped[str | None] = mapped_column(String(40))
    course_code: Mapped[str] = mapped_column(String(60), default="")
    course_title: Mapped[str] = mapped_column(String(300), default="")
    cohort_id: Mapped[int | None] = mapped_column(Integer)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    cascade_level: Mapped[int | None] = mapped_column(SmallInteger)
    issued_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    half: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    revoked_on: Mapped[date | None] = mapped_column(Date)

    region: Mapped[Organisation | None] = relationship(foreign_keys=[region_id])


external_target_group = Table(
    "lms_external_certificate_target_group",
    db.metadata,
    Column(
        "certificate_id",
        ForeignKey("lms_external_certificate.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("target_group", String(40), primary_key=True),
)


class ExternalCertificate(db.Model):  # type: ignore[name-defined]
    """A certificate obtained outside Kaskad (Diia.Osvita or another platform). Not verifiable here:
    counted apart from Kaskad's own, and never twice (one source, one number)."""

    __tablename__ = "lms_external_certificate"
    __table_args__ = (UniqueConstraint("source_key", "reference_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    source_key: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(String(500))  # the number, or a link
    reference_key: Mapped[str] = mapped_column(String(500))
    course_title: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date] = mapped_column(Date)
    surname: Mapped[str] = mapped_column(String(120))
    given_name: Mapped[str] = mapped_column(String(120))
    patronymic: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    institution_name: Mapped[str] = mapped_column(String(300), default="")
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(255), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Organisation | None] = relationship(foreign_keys=[institution_id])
    region: Mapped[Organisation] = relationship(foreign_keys=[region_id])
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)

    @property
    def source_label(self) -> str:
        return DIIA_LABEL if self.source_key == DIIA else self.source

    @property
    def is_link(self) -> bool:
        return self.reference.startswith(("https://", "http://"))


class FrozenReport(db.Model):  # type: ignore[name-defined]
    """A report as it stood when someone signed it off: later data never changes it."""

    __tablename__ = "lms_monitoring_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    preset: Mapped[str] = mapped_column(String(40))
    # What identifies "the same report" across versions: preset, period, scope, source.
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    scope_path: Mapped[str] = mapped_column(String(255), index=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    signed_by: Mapped[User | None] = relationship()


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A person's key to ``/api/v1``; only a hash is stored, and it sees what its owner may see."""

    __tablename__ = "lms_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
