"""Quizzes, their competence rows, attempts with their fixed questions, extra attempts, and the highest
level each learner has demonstrated per competence."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.frameworks.models import Competence
from courses.models import Item
from courses.questions.models import Question, QuestionCategory
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow


class ReviewWhen(enum.StrEnum):
    IMMEDIATELY = "immediately"  # as soon as the attempt is finished (and graded)
    AFTER_CLOSE = "after_close"  # only after the last attempt allowed, or a pass


REVIEW_WHEN_LABELS = {
    ReviewWhen.IMMEDIATELY: _l("Immediately after the attempt"),
    ReviewWhen.AFTER_CLOSE: _l("Only after the last attempt allowed, or after a pass"),
}


class AttemptState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class Quiz(db.Model):  # type: ignore[name-defined]
    """The settings of a quiz item."""

    __tablename__ = "courses_quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("courses_item.id", ondelete="CASCADE"), unique=True)
    # Draw only from this category of the bank and the categories below it (None: the whole bank).
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_question_category.id", ondelete="SET NULL")
    )
    pass_mark: Mapped[float] = mapped_column(Float, default=50.0)  # % of all marks
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=0)  # 0: no limit
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)  # 0: unlimited
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)  # between the end of one and the next
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    questions_per_page: Mapped[int] = mapped_column(Integer, default=0)  # 0: all on one page
    review_responses: Mapped[bool] = mapped_column(Boolean, default=True)
    review_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    review_feedback: Mapped[bool] = mapped_column(Boolean, default=True)
    review_scores: Mapped[bool] = mapped_column(Boolean, default=True)  # percentage per competence
    review_when: Mapped[str] = mapped_column(String(20), default=ReviewWhen.IMMEDIATELY.value)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship()
    category: Mapped[QuestionCategory | None] = relationship()
    competences: Mapped[list[QuizCompetence]] = relationship(
        back_populates="quiz", order_by="QuizCompetence.position", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return str(self.item.title)

    @property
    def question_count(self) -> int:
        return sum(row.count for row in self.competences)


class QuizCompetence(db.Model):  # type: ignore[name-defined]
    """What a quiz tests of one competence: ``count`` questions at ``level``; reaching
    ``minimum_percent`` of their marks demonstrates that level."""

    __tablename__ = "courses_quiz_competence"
    __table_args__ = (UniqueConstraint("quiz_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("courses_quiz.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("courses_competence.id", ondelete="CASCADE"))
    # ProficiencyLevel.number; None: the level the learner's minimum profile requires.
    level: Mapped[int | None] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=3)
    minimum_percent: Mapped[float] = mapped_column(Float, default=60.0)
    position: Mapped[int] = mapped_column(Integer, default=0)

    quiz: Mapped[Quiz] = relationship(back_populates="competences")
    competence: Mapped[Competence] = relationship()


class Attempt(db.Model):  # type: ignore[name-defined]
    """One try at a quiz. Its questions are drawn and fixed when it starts; it is graded exactly once."""

    __tablename__ = "courses_attempt"
    # Two tabs starting an attempt at once cannot both create the same number.
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("courses_quiz.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per learner and quiz
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]  # None: no time limit
    finished_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(20), default=AttemptState.IN_PROGRESS.value, index=True)
    is_overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # finalised when its time ran out
    last_page: Mapped[int] = mapped_column(Integer, default=1)  # where "Continue" goes
    score: Mapped[float | None] = mapped_column(Float)  # % of all marks; None until graded
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # Per competence, in the quiz's order: [{"competence_id", "level", "marks", "max_marks",
    # "percent", "minimum", "questions", "evidence_needed", "reached"}]; "reached" needs the minimum
    # and at least "evidence_needed" questions (COURSES_QUIZ_MIN_EVIDENCE when graded; older results
    # lack the two keys).
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.slot", cascade="all, delete-orphan"
    )

    @property
    def is_in_progress(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    @property
    def is_waiting_for_grading(self) -> bool:
        """Finished, with essays a trainer has not graded yet."""
        return self.state == AttemptState.FINISHED and self.score is None

    @property
    def pages(self) -> int:
        return max((question.page for question in self.questions), default=1)


class AttemptQuestion(db.Model):  # type: ignore[name-defined]
    """A question of an attempt in its place, with the learner's response and its grade."""

    __tablename__ = "courses_attempt_question"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("courses_attempt.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the order shown
    page: Mapped[int] = mapped_column(Integer, default=1)
    # SET NULL: a question deleted from the bank leaves the attempts that drew it (and their grades).
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_question.id", ondelete="SET NULL"), index=True
    )
    # The competence and level it was drawn for, so later edits of the bank do not change a result.
    competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_competence.id", ondelete="SET NULL")
    )
    level: Mapped[int | None] = mapped_column(Integer)
    # Indexes into question.answers in the order shown (matching: the subquestions); None: no choices.
    answer_order: Mapped[list[int] | None] = mapped_column(JSON)
    # As courses.questions.grading reads it; None: unanswered.
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    fraction: Mapped[float | None] = mapped_column(Float)  # 0 … 1; None until graded
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")  # the trainer's, on an essay

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    question: Mapped[Question | None] = relationship()
    graded_by: Mapped[User | None] = relationship()


class ExtraAttempt(db.Model):  # type: ignore[name-defined]
    """One more attempt than the quiz allows, granted by a trainer to one learner."""

    __tablename__ = "courses_extra_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("courses_quiz.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class CompetenceLevel(db.Model):  # type: ignore[name-defined]
    """The highest level a learner has demonstrated in a competence (a quiz never lowers it)."""

    __tablename__ = "courses_competence_level"
    __table_args__ = (UniqueConstraint("user_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("courses_competence.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)  # ProficiencyLevel.number
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("courses_attempt.id", ondelete="SET NULL"))
    demonstrated_at: Mapped[datetime] = mapped_column(default=utcnow)

    competence: Mapped[Competence] = relationship()
