"""The question bank: categories (a tree), questions tagged with a competence and a level, answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.frameworks.models import Competence
from lms.extensions import db
from lms.i18n import utcnow


class QuestionCategory(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_question_category"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_question_category.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(255))
    # "Top/Digital safety/Passwords": the GIFT $CATEGORY: path, unique.
    path: Mapped[str] = mapped_column(String(1000), unique=True)

    parent: Mapped[QuestionCategory | None] = relationship(remote_side=[id])
    questions: Mapped[list[Question]] = relationship(back_populates="category", order_by="Question.id")

    def __str__(self) -> str:
        return self.path


class Question(db.Model):  # type: ignore[name-defined]
    __tablename__ = "courses_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("courses_question_category.id", ondelete="CASCADE"), index=True
    )
    idnumber: Mapped[str] = mapped_column(String(100), default="", index=True)  # GIFT // [id:…]
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(20))  # interchange.TYPES
    text: Mapped[str] = mapped_column(Text)  # the stem, in `format`
    format: Mapped[str] = mapped_column(String(20), default="markdown")  # interchange.FORMATS
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_competence.id", ondelete="SET NULL"), index=True
    )
    level: Mapped[int | None] = mapped_column(Integer)  # ProficiencyLevel.number of its framework
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # other GIFT tags, kept for export
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped[QuestionCategory] = relationship(back_populates="questions")
    competence: Mapped[Competence | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", order_by="Answer.position", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class Answer(db.Model):  # type: ignore[name-defined]
    """As interchange.ParsedAnswer: for matching `text` is the subquestion and `match` its pair."""

    __tablename__ = "courses_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("courses_question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)  # -1 … 1
    feedback: Mapped[str] = mapped_column(Text, default="")
    tolerance: Mapped[float | None] = mapped_column(Float)
    match: Mapped[str | None] = mapped_column(Text)

    question: Mapped[Question] = relationship(back_populates="answers")


# The questions a course package brought (the files its course.yaml lists), in their order, so the
# course's export writes them again.
course_question = Table(
    "courses_course_question",
    db.metadata,
    Column("course_id", ForeignKey("courses_course.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", ForeignKey("courses_question.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)
