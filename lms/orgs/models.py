"""Organisations: the cascade's tree (national body → region → training centre / hub)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.i18n import LOCALE_NAMES, Translated, TranslatedText, search_text, sort_key, utcnow


class Kind(enum.StrEnum):
    NATIONAL = "national"
    REGION = "region"
    TRAINING_CENTRE = "training_centre"
    HUB = "hub"
    INSTITUTION = "institution"


class HostType(enum.StrEnum):
    LIBRARY = "library"
    ADMIN_SERVICE_CENTRE = "admin_service_centre"
    SCHOOL = "school"
    OTHER = "other"


class InstitutionType(enum.StrEnum):
    """What kind of employer an institution is: the regional plans count certificates by employer."""

    ADMINISTRATION_UNIT = "administration_unit"
    LOCAL_COUNCIL = "local_council"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    LIBRARY = "library"
    OTHER = "other"


class Status(enum.StrEnum):
    OPEN = "open"
    TEMPORARILY_CLOSED = "temporarily_closed"
    RELOCATED = "relocated"


KIND_LABELS = {
    Kind.NATIONAL: _l("National body"),
    Kind.REGION: _l("Region"),
    Kind.TRAINING_CENTRE: _l("Training centre"),
    Kind.HUB: _l("Hub"),
    Kind.INSTITUTION: _l("Institution (employer)"),
}
INSTITUTION_TYPE_LABELS = {
    InstitutionType.ADMINISTRATION_UNIT: _l("Structural subdivision of the regional administration"),
    InstitutionType.LOCAL_COUNCIL: _l("Local council"),
    InstitutionType.SCHOOL: _l("School or other education institution"),
    InstitutionType.HOSPITAL: _l("Hospital or other health institution"),
    InstitutionType.LIBRARY: _l("Library"),
    InstitutionType.OTHER: _l("Other institution"),
}
HOST_TYPE_LABELS = {
    HostType.LIBRARY: _l("Library"),
    HostType.ADMIN_SERVICE_CENTRE: _l("Administrative-service centre"),
    HostType.SCHOOL: _l("School"),
    HostType.OTHER: _l("Other host"),
}
STATUS_LABELS = {
    Status.OPEN: _l("Open"),
    Status.TEMPORARILY_CLOSED: _l("Temporarily closed"),
    Status.RELOCATED: _l("Relocated"),
}
# The structured list of services a hub offers.
SERVICE_LABELS = {
    "e_services": _l("Help with e-government services"),
    "digital_literacy": _l("Digital literacy courses"),
    "cyber_hygiene": _l("Cyber hygiene and fraud protection"),
    "device_access": _l("Computers and internet access"),
    "consultations": _l("Individual consultations"),
    "national_test": _l("National digital literacy test"),
    "trainer_training": _l("Training of trainers"),
}
# Which kinds of organisation may sit under which.
ALLOWED_PARENTS: dict[Kind, tuple[Kind | None, ...]] = {
    Kind.NATIONAL: (None, Kind.NATIONAL),
    Kind.REGION: (Kind.NATIONAL,),
    Kind.TRAINING_CENTRE: (Kind.REGION,),
    Kind.HUB: (Kind.REGION, Kind.TRAINING_CENTRE),
    Kind.INSTITUTION: (Kind.REGION,),
}


def name_sorts(name: Translated) -> dict[str, str]:
    """locale → the sort key of the name as a page in that locale shows it."""
    return {locale: sort_key(name.in_locale(locale), locale=locale) for locale in LOCALE_NAMES}


class Organisation(db.Model):  # type: ignore[name-defined]
    """A node of the tree. ``path`` ("/1/5/23/") makes subtree checks and scoped lists one query."""

    __tablename__ = "lms_organisation"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('national', 'region', 'training_centre', 'hub', 'institution')", name="kind"
        ),
        Index("ix_lms_organisation_kind_status", "kind", "status"),
        Index("ix_lms_organisation_kind_name_sort", "kind", "name_sort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[Translated] = mapped_column(TranslatedText)
    name_sort: Mapped[str] = mapped_column(String(255), index=True, default="")  # of the Ukrainian name
    # locale → the sort key of the name shown in it (with its fallbacks): lists sort by what they show.
    name_sorts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    authority: Mapped[Translated | None] = mapped_column(TranslatedText)
    is_occupied: Mapped[bool] = mapped_column(Boolean, default=False)
    host_type: Mapped[str | None] = mapped_column(String(30))
    institution_type: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(300), default="")
    settlement: Mapped[str] = mapped_column(String(150), default="")
    hromada: Mapped[str] = mapped_column(String(200), default="")
    katotth: Mapped[str | None] = mapped_column(String(19))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(255), default="")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(30), default=Status.OPEN.value)
    # The hub's own contact, shown on its public page (an institution's, never a person's).
    phone: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    # Names, settlement, hromada, address and code, case-folded (kept by the listener below).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"

    def __str__(self) -> str:
        return str(self.name)

    def set_name(self, name: dict[str, str] | Translated) -> None:
        self.name = Translated({code: text for code, text in name.items() if text})
        self.name_sort = sort_key(self.name.get("uk") or self.name.in_locale())
        self.name_sorts = name_sorts(self.name)

    @property
    def kind_label(self) -> Any:
        return KIND_LABELS[Kind(self.kind)]

    @property
    def host_type_label(self) -> Any:
        return HOST_TYPE_LABELS[HostType(self.host_type)] if self.host_type else ""

    @property
    def institution_type_label(self) -> Any:
        return (
            INSTITUTION_TYPE_LABELS[InstitutionType(self.institution_type)] if self.institution_type else ""
        )

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[Status(self.status)]

    @property
    def service_labels(self) -> list[Any]:
        return [SERVICE_LABELS.get(code, code) for code in self.services or []]

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def is_within(self, other: Organisation) -> bool:
        """True when this organisation is ``other`` or lies in its subtree."""
        return self.path.startswith(other.path)


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _keep_search_text(mapper: Any, connection: Any, organisation: Organisation) -> None:
    """The public directory searches one case-folded column, the same on SQLite and PostgreSQL."""
    organisation.search_text = search_text(
        *(organisation.name or {}).values(),
        organisation.settlement,
        organisation.hromada,
        organisation.address,
        organisation.code,
    )
