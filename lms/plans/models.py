"""Regional action plans: a decree's table of actions, their indicators, and the rounds in which
executors report on them.

- :class:`Plan` (``code`` unique, e.g. ``ZHY-2021-2025``): a title, the owner organisation (a region
  or a national body) and the years it runs (``start_year``–``end_year``). ``scope_path`` is the
  owner's path, so "plans I may see" is one ``LIKE`` over an indexed column.
- :class:`Action`: one row of the decree's table: its ``number`` ("1", "2.3"), ``name``,
  ``content`` and ``term`` as the decree writes them ("2021-2025", "щокварталу"), ``position`` in the
  table, and its responsible executors (organisations, many-to-many through
  ``lms_plan_action_executor``).
- :class:`Indicator`: the decree's "індикатор виконання" of an action, in its own words (``text``).
  ``kind`` is ``computed`` (``registry_key`` names an indicator registered with
  :func:`lms.plugins.add_indicator`, ``filters`` narrows it: ``{"target_groups": [...],
  "source": "all", "region": "owner"}``) or ``reported`` (a number each executor enters per period).
  ``targets`` maps a year (as text, JSON keys are text) to the number planned for it.
- :class:`ReportingRound`: a period (``2026-H1``, ``2026-Q3``: :meth:`lms.monitoring.periods.Period.parse`)
  of one plan with a deadline; ``open`` until closed. At the close each computed indicator's value is
  kept as a :class:`FrozenValue`, so later certificates never change what was reported.
- :class:`Submission`: what one executor organisation reports in a round: ``draft`` → ``submitted``;
  the owner may send it back (``returned``, with a comment), after which it is edited and submitted
  again. :class:`SubmittedValue` is one reported indicator's number in it, with a note, an optional
  attached file (stored under the instance folder; ``attachment_path`` is relative to it) and who
  entered it when; ``status`` is the executor's word on the action (done, in progress, not started).
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
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow
from lms.orgs.models import Organisation


class IndicatorKind(enum.StrEnum):
    COMPUTED = "computed"
    REPORTED = "reported"


class RoundState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SubmissionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"


class ActionStatus(enum.StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


INDICATOR_KIND_LABELS = {
    IndicatorKind.COMPUTED: _l("Counted by Kaskad"),
    IndicatorKind.REPORTED: _l("Reported by the executors"),
}
ROUND_STATE_LABELS = {RoundState.OPEN: _l("Open for reports"), RoundState.CLOSED: _l("Closed")}
SUBMISSION_STATE_LABELS = {
    SubmissionState.DRAFT: _l("Draft"),
    SubmissionState.SUBMITTED: _l("Submitted"),
    SubmissionState.RETURNED: _l("Returned for correction"),
}
ACTION_STATUS_LABELS = {
    ActionStatus.DONE: _l("Done"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.NOT_STARTED: _l("Not started"),
}

action_executor = Table(
    "lms_plan_action_executor",
    db.metadata,
    Column("action_id", ForeignKey("lms_plan_action.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("lms_organisation.id"), primary_key=True, index=True),
)


class Plan(db.Model):  # type: ignore[name-defined]
    """An action plan of a region or a national body for a run of years."""

    __tablename__ = "lms_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(255), index=True, default="")  # the owner's path
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[Organisation] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="plan", order_by="Action.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[ReportingRound]] = relationship(
        back_populates="plan", order_by="ReportingRound.deadline", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class Action(db.Model):  # type: ignore[name-defined]
    """One row of the plan's table: what is done, by whom, when."""

    __tablename__ = "lms_plan_action"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("lms_plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")
    term: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    executors: Mapped[list[Organisation]] = relationship(
        secondary=action_executor, order_by=Organisation.name_sort
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="action", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Indicator(db.Model):  # type: ignore[name-defined]
    """How an action's execution is measured: counted by Kaskad, or reported by its executors."""

    __tablename__ = "lms_plan_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("lms_plan_action.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10), default=IndicatorKind.REPORTED.value)
    text: Mapped[str] = mapped_column(Text)  # the decree's words
    registry_key: Mapped[str | None] = mapped_column(String(60))  # computed: lms.plugins indicator name
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    targets: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)  # "2025" -> 120

    action: Mapped[Action] = relationship(back_populates="indicators")

    def __str__(self) -> str:
        return self.text

    @property
    def is_computed(self) -> bool:
        return self.kind == IndicatorKind.COMPUTED

    @property
    def kind_label(self) -> Any:
        return INDICATOR_KIND_LABELS[IndicatorKind(self.kind)]

    def target_for(self, year: int) -> float | None:
        return (self.targets or {}).get(str(year))


class ReportingRound(db.Model):  # type: ignore[name-defined]
    """A period a plan's executors report on, with a deadline."""

    __tablename__ = "lms_plan_round"
    __table_args__ = (UniqueConstraint("plan_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("lms_plan.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(20))  # "2026-H1", "2026-Q3"
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default=RoundState.OPEN.value, index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    closed_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship(back_populates="rounds")
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    submissions: Mapped[list[Submission]] = relationship(back_populates="round", cascade="all, delete-orphan")
    frozen_values: Mapped[list[FrozenValue]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class Submission(db.Model):  # type: ignore[name-defined]
    """One executor organisation's report in a round."""

    __tablename__ = "lms_plan_submission"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("lms_plan_round.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=SubmissionState.DRAFT.value)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    submitted_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    returned_at: Mapped[datetime | None]
    returned_comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    round: Mapped[ReportingRound] = relationship(back_populates="submissions")
    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])
    values: Mapped[list[SubmittedValue]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )


class SubmittedValue(db.Model):  # type: ignore[name-defined]
    """A reported indicator's number in one submission, kept with who entered it and when."""

    __tablename__ = "lms_plan_submitted_value"
    __table_args__ = (UniqueConstraint("submission_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("lms_plan_submission.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("lms_plan_indicator.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str | None] = mapped_column(String(20))  # ActionStatus, the executor's word
    attachment_name: Mapped[str] = mapped_column(String(255), default="")  # as uploaded
    attachment_path: Mapped[str] = mapped_column(String(255), default="")  # under the instance folder
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="values")
    indicator: Mapped[Indicator] = relationship()
    entered_by: Mapped[User | None] = relationship()


class FrozenValue(db.Model):  # type: ignore[name-defined]
    """A computed indicator's value for a round's period, kept when the round closed."""

    __tablename__ = "lms_plan_frozen_value"
    __table_args__ = (UniqueConstraint("round_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("lms_plan_round.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("lms_plan_indicator.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float | None] = mapped_column(Float)
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[ReportingRound] = relationship(back_populates="frozen_values")
    indicator: Mapped[Indicator] = relationship()
