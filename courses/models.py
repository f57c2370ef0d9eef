"""Courses: modules, items, media files, enrolments and per-item progress."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.frameworks.models import Competence, item_competence, module_competence
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import Translated, TranslatedText, utcnow


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ItemKind(enum.StrEnum):
    TEXT = "text"
    VIDEO = "video"
    AUDIO = "audio"
    FILE = "file"
    LINK = "link"
    QUIZ = "quiz"


class Completion(enum.StrEnum):
    BUTTON = "button"  # the learner presses "Mark as done"
    NEXT = "next"  # pressing "Next" completes the item


ITEM_KIND_LABELS = {
    ItemKind.TEXT: _l("Text"),
    ItemKind.VIDEO: _l("Video"),
    ItemKind.AUDIO: _l("Audio"),
    ItemKind.FILE: _l("File"),
    ItemKind.LINK: _l("Link"),
    ItemKind.QUIZ: _l("Quiz"),
}
STATUS_LABELS = {Status.DRAFT: _l("Draft"), Status.PUBLISHED: _l("Published")}

qualification = Table(
    "courses_qualification",
    db.metadata,
    Column("trainer_course_id", ForeignKey("courses_course.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("courses_course.id", ondelete="CASCADE"), primary_key=True),
)


class Course(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[Translated] = mapped_column(TranslatedText)
    summary: Mapped[Translated] = mapped_column(TranslatedText, default=dict)
    language: Mapped[str] = mapped_column(String(10), default="uk")
    hours: Mapped[float] = mapped_column(Float, default=0)
    ects: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # self-enrolment from the catalogue
    unlock_in_order: Mapped[bool] = mapped_column(Boolean, default=False)
    # A learner of a cohort that has sessions completes only after attending this share of them.
    min_attendance_percent: Mapped[int] = mapped_column(Integer, default=80)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    # The trainer-of-trainers relation: holding this course's certificate qualifies a person to run
    # cohorts of the courses listed here.
    qualifies_for: Mapped[list[Course]] = relationship(
        secondary=qualification,
        primaryjoin=lambda: Course.id == qualification.c.trainer_course_id,
        secondaryjoin=lambda: Course.id == qualification.c.course_id,
        backref="qualified_by",
    )

    def __str__(self) -> str:
        return str(self.title)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def items(self) -> list[Item]:
        return [item for module in self.modules for item in module.items]


class Module(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_module"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))  # stable id from the package
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[Translated] = mapped_column(TranslatedText)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)

    course: Mapped[Course] = relationship(back_populates="modules")
    items: Mapped[list[Item]] = relationship(
        back_populates="module", order_by="Item.position", cascade="all, delete-orphan"
    )
    # What the module teaches (courses.frameworks).
    competences: Mapped[list[Competence]] = relationship(
        secondary=module_competence, order_by=[Competence.framework_id, Competence.path]
    )

    def __str__(self) -> str:
        return str(self.title)


class Media(db.Model):  # type: ignore[name-defined]
    """An uploaded file, stored outside static/ under a random name."""

    __tablename__ = "courses_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Item(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_item"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("courses_module.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))  # stable id from the package
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[Translated] = mapped_column(TranslatedText)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    transcript: Mapped[str] = mapped_column(Text, default="")  # Markdown
    url: Mapped[str] = mapped_column(String(1000), default="")
    media_id: Mapped[int | None] = mapped_column(ForeignKey("courses_media.id"))
    captions_id: Mapped[int | None] = mapped_column(ForeignKey("courses_media.id"))
    completion: Mapped[str] = mapped_column(String(20), default=Completion.BUTTON.value)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)

    module: Mapped[Module] = relationship(back_populates="items")
    media: Mapped[Media | None] = relationship(foreign_keys=[media_id])
    captions: Mapped[Media | None] = relationship(foreign_keys=[captions_id])
    # What the item teaches (courses.frameworks).
    competences: Mapped[list[Competence]] = relationship(
        secondary=item_competence, order_by=[Competence.framework_id, Competence.path]
    )

    def __str__(self) -> str:
        return str(self.title)

    @property
    def kind_label(self) -> object:
        return ITEM_KIND_LABELS[ItemKind(self.kind)]

    @property
    def accessibility_gap(self) -> bool:
        """Video without captions or transcript, or audio without a transcript."""
        if self.kind == ItemKind.VIDEO:
            return not (self.captions_id or self.transcript.strip())
        if self.kind == ItemKind.AUDIO:
            return not self.transcript.strip()
        return False


class Enrolment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    last_item_id: Mapped[int | None] = mapped_column(ForeignKey("courses_item.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    completions: Mapped[list[ItemCompletion]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )

    @property
    def completed_item_ids(self) -> set[int]:
        return {completion.item_id for completion in self.completions}


class ItemCompletion(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_item_completion"
    __table_args__ = (UniqueConstraint("enrolment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("courses_enrolment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("courses_item.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Work done offline and recorded by a trainer: who recorded it, and in which cohort session.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_cohort_session.id", ondelete="SET NULL")
    )

    enrolment: Mapped[Enrolment] = relationship(back_populates="completions")
    item: Mapped[Item] = relationship()
