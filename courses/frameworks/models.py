"""Frameworks are trees of competences of any depth (areas are simply the top competences)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.i18n import Translated, TranslatedText


class Framework(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    idnumber: Mapped[str] = mapped_column(String(100), unique=True)  # "DIGCOMP-2.2"
    shortname: Mapped[Translated] = mapped_column(TranslatedText)
    description: Mapped[Translated] = mapped_column(TranslatedText, default=dict)
    description_format: Mapped[int] = mapped_column(
        Integer, default=1
    )  # Moodle: 0 moodle, 1 html, 2 plain, 4 markdown
    # Moodle's columns, kept so an export gives back what an import read.
    scale_values: Mapped[str] = mapped_column(Text, default="")
    scale_configuration: Mapped[str] = mapped_column(Text, default="")
    taxonomy: Mapped[str] = mapped_column(String(255), default="")  # "domain,competency,…"
    # Which languages of which texts the team translated itself: {"uk": "kaskad"}.
    translated_by: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    competences: Mapped[list[Competence]] = relationship(
        back_populates="framework", order_by="Competence.path", cascade="all, delete-orphan"
    )
    levels: Mapped[list[ProficiencyLevel]] = relationship(
        back_populates="framework", order_by="ProficiencyLevel.number", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return str(self.shortname)


class ProficiencyLevel(db.Model):  # type: ignore[name-defined]
    """A level of the framework's scale: DigComp 2.2 has eight (1–2 Foundation … 7–8 Highly specialised)."""

    __tablename__ = "courses_proficiency_level"
    __table_args__ = (UniqueConstraint("framework_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("courses_framework.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1 … n, higher is more proficient
    name: Mapped[Translated] = mapped_column(TranslatedText)
    # Which languages of the name the team translated itself: {"uk": "kaskad"}.
    translated_by: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    framework: Mapped[Framework] = relationship(back_populates="levels")

    def __str__(self) -> str:
        return str(self.name)


competence_crossref = Table(
    "courses_competence_crossref",
    db.metadata,
    Column("competence_id", ForeignKey("courses_competence.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("courses_competence.id", ondelete="CASCADE"), primary_key=True),
)


class Competence(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_competence"
    __table_args__ = (UniqueConstraint("framework_id", "idnumber"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("courses_framework.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("courses_competence.id", ondelete="CASCADE"))
    idnumber: Mapped[str] = mapped_column(String(100))  # "4.2"; unique within its framework
    shortname: Mapped[Translated] = mapped_column(TranslatedText)
    description: Mapped[Translated] = mapped_column(TranslatedText, default=dict)
    description_format: Mapped[int] = mapped_column(Integer, default=1)
    scale_values: Mapped[str] = mapped_column(Text, default="")  # optional own scale (Moodle)
    scale_configuration: Mapped[str] = mapped_column(Text, default="")
    rule_type: Mapped[str] = mapped_column(String(255), default="")
    rule_outcome: Mapped[str] = mapped_column(String(20), default="")
    rule_config: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among siblings
    # "/0001/0003/": positions from the root, so ORDER BY path lists the tree depth first.
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    translated_by: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    framework: Mapped[Framework] = relationship(back_populates="competences")
    parent: Mapped[Competence | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Competence]] = relationship(back_populates="parent", order_by="Competence.position")
    related: Mapped[list[Competence]] = relationship(
        secondary=competence_crossref,
        primaryjoin=lambda: Competence.id == competence_crossref.c.competence_id,
        secondaryjoin=lambda: Competence.id == competence_crossref.c.related_id,
    )

    def __str__(self) -> str:
        return f"{self.idnumber} {self.shortname}"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class MinimumProfile(db.Model):  # type: ignore[name-defined]
    """A named set of (competence, minimum level): "Hub coordinator minimum"."""

    __tablename__ = "courses_minimum_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[Translated] = mapped_column(TranslatedText)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("courses_framework.id", ondelete="CASCADE"), index=True
    )

    framework: Mapped[Framework] = relationship()
    requirements: Mapped[list[ProfileRequirement]] = relationship(
        back_populates="profile", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return str(self.name)


class ProfileRequirement(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_profile_requirement"
    __table_args__ = (UniqueConstraint("profile_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("courses_minimum_profile.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(ForeignKey("courses_competence.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)  # ProficiencyLevel.number

    profile: Mapped[MinimumProfile] = relationship(back_populates="requirements")
    competence: Mapped[Competence] = relationship()


# A person's job (core's lms_job) selects the minimum profile that applies to her.
job_profile = Table(
    "courses_job_profile",
    db.metadata,
    Column("job_id", ForeignKey("lms_job.id", ondelete="CASCADE"), primary_key=True),
    Column("profile_id", ForeignKey("courses_minimum_profile.id", ondelete="CASCADE"), nullable=False),
)

# What modules and items teach.
module_competence = Table(
    "courses_module_competence",
    db.metadata,
    Column("module_id", ForeignKey("courses_module.id", ondelete="CASCADE"), primary_key=True),
    Column("competence_id", ForeignKey("courses_competence.id", ondelete="CASCADE"), primary_key=True),
)
item_competence = Table(
    "courses_item_competence",
    db.metadata,
    Column("item_id", ForeignKey("courses_item.id", ondelete="CASCADE"), primary_key=True),
    Column("competence_id", ForeignKey("courses_competence.id", ondelete="CASCADE"), primary_key=True),
)
