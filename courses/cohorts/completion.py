"""The completion rule of a cohort, recording completions, announcing them, and closing a cohort.

**The rule** (per course): a member of a cohort completes it when

- every required item is done (items of required modules that are themselves required; a quiz item
  counts as done only once the quiz was passed, as ``courses.quizzes`` records it);
- every required quiz is passed (listed on its own, so a trainer sees which quiz is missing);
- when the cohort has sessions, she attended at least ``course.min_attendance_percent`` of them.

Attendance uses the one definition in :func:`courses.cohorts.sessions.attendance_rates` (present and
late count; an excused session counts neither for nor against her), over **all the cohort's sessions
that are not cancelled**, the future ones included (``now`` = :data:`HORIZON`): a learner who finished
the online part before the first meeting is not completed by attending one meeting of five. The
gradebook shows the rate so far (sessions held) beside it. A cohort without sessions (all online) has
no attendance rule.

A completion is recorded once (a conditional UPDATE on the member's status), names the cohort's
trainers at that moment (``completion_trainers``, the lineage's edges) and is never undone by a later
change of marks. It is announced by ``courses.course-completed`` (kwargs enrolment, cohort, member)
exactly once per member: ``announced_at`` is set by a conditional UPDATE, and only the transaction
whose UPDATE changed the row sends the signal. Closing is the same: the cohort's status changes by a
conditional UPDATE, so of two people closing at the same moment one closes and the other finds it
closed and sends nothing. On PostgreSQL the second UPDATE waits for the first transaction's row lock
and then finds nothing to change; on SQLite the database's single writer serialises them the same way.

Services flush and log, never commit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import CursorResult

from courses.cohorts.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    CompletionSource,
    MemberStatus,
    cohort_trainer,
    completion_trainer,
)
from courses.models import Enrolment, Item, ItemCompletion, ItemKind, Module
from courses.signals import cohort_closed, course_completed
from lms.accounts.models import User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.signals import sender

log = logging.getLogger("courses.cohorts")

# The rule counts every session that is not cancelled, future ones too (see the module's docstring).
HORIZON = datetime(9999, 12, 31)

# What is missing for a member to complete (the gradebook and the closing page say it in words).
ITEMS = "items"
QUIZZES = "quizzes"
ATTENDANCE = "attendance"


class CompletionError(ValueError):
    """A completion could not be recorded: ``code`` says why."""

    NOT_A_MEMBER = "not-a-member"
    WITHDRAWN = "withdrawn"
    NO_REASON = "no-reason"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Requirements:
    """What the course asks: its required items that are not quizzes, and its required quiz items."""

    item_ids: frozenset[int]
    quizzes: tuple[Item, ...]
    minimum_percent: int

    @property
    def item_count(self) -> int:
        return len(self.item_ids)


def requirements(cohort: Cohort) -> Requirements:
    """The cohort's course's required items and quizzes (one query)."""
    rows = db.session.scalars(
        select(Item)
        .join(Module, Module.id == Item.module_id)
        .where(Module.course_id == cohort.course_id, Module.is_required.is_(True), Item.is_required.is_(True))
        .order_by(Module.position, Item.position, Item.id)
    ).all()
    return Requirements(
        item_ids=frozenset(item.id for item in rows if item.kind != ItemKind.QUIZ),
        quizzes=tuple(item for item in rows if item.kind == ItemKind.QUIZ),
        minimum_percent=cohort.course.min_attendance_percent,
    )


@dataclass(frozen=True)
class Standing:
    """Where one member stands against the rule."""

    member_id: int
    items_done: int
    items_required: int
    quizzes_missing: tuple[Item, ...]
    attended: int  # sessions she was present or late at
    sessions: int  # sessions that count for her: not cancelled, not excused; 0: no attendance rule
    minimum_percent: int

    @property
    def sessions_needed(self) -> int:
        """How many of her sessions she must attend (0 when the rule does not apply)."""
        return math.ceil(self.sessions * self.minimum_percent / 100) if self.sessions else 0

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts of the rule she does not meet yet: :data:`ITEMS`, :data:`QUIZZES`, :data:`ATTENDANCE`."""
        missing = []
        if self.items_done < self.items_required:
            missing.append(ITEMS)
        if self.quizzes_missing:
            missing.append(QUIZZES)
        if self.attended < self.sessions_needed:
            missing.append(ATTENDANCE)
        return tuple(missing)

    @property
    def is_met(self) -> bool:
        return not self.missing


def standings(cohort: Cohort, members: Iterable[CohortMember] | None = None) -> dict[int, Standing]:
    """``{member_id: Standing}`` for ``members`` (default: every member of the cohort), in three
    grouped queries whatever their number."""
    from courses.cohorts.sessions import attendance_rates

    needs = requirements(cohort)
    wanted = None if members is None else {member.id for member in members}
    scope = select(CohortMember.id, CohortMember.enrolment_id).where(CohortMember.cohort_id == cohort.id)
    if wanted is not None:
        if not wanted:
            return {}
        scope = scope.where(CohortMember.id.in_(wanted))
    enrolments = dict(db.session.execute(scope).all())
    done: dict[int, int] = {}
    if needs.item_ids:
        query = (
            select(CohortMember.id, func.count(ItemCompletion.id))
            .join(ItemCompletion, ItemCompletion.enrolment_id == CohortMember.enrolment_id)
            .where(
                CohortMember.cohort_id == cohort.id,
                ItemCompletion.item_id.in_(needs.item_ids),
            )
            .group_by(CohortMember.id)
        )
        done = {member_id: count for member_id, count in db.session.execute(query)}
    passed: dict[int, set[int]] = {}
    if needs.quizzes:
        query = (
            select(CohortMember.id, ItemCompletion.item_id)
            .join(ItemCompletion, ItemCompletion.enrolment_id == CohortMember.enrolment_id)
            .where(
                CohortMember.cohort_id == cohort.id,
                ItemCompletion.item_id.in_([item.id for item in needs.quizzes]),
            )
        )
        for member_id, item_id in db.session.execute(query):
            passed.setdefault(member_id, set()).add(item_id)
    rates = attendance_rates(cohort, HORIZON)
    return {
        member_id: Standing(
            member_id=member_id,
            items_done=done.get(member_id, 0),
            items_required=needs.item_count,
            quizzes_missing=tuple(
                item for item in needs.quizzes if item.id not in passed.get(member_id, set())
            ),
            attended=rates.get(member_id, (0, 0))[0],
            sessions=max(rates.get(member_id, (0, 0))[1], 0),
            minimum_percent=needs.minimum_percent,
        )
        for member_id in enrolments
    }


def standing(member: CohortMember) -> Standing:
    return standings(member.cohort, [member])[member.id]


# --- recording and announcing -------------------------------------------------------------------------


def _rows_changed(statement: Any) -> int:
    """Run a conditional UPDATE; how many rows it changed (the database decides who was first)."""
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount


def _trainer_ids(cohort: Cohort) -> list[int]:
    return list(
        db.session.scalars(select(cohort_trainer.c.user_id).where(cohort_trainer.c.cohort_id == cohort.id))
    )


def record_completion(
    member: CohortMember,
    source: str = CompletionSource.RULE.value,
    by: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """Complete ``member`` in her cohort, naming the cohort's trainers, and announce it. False when she
    was not enrolled there any more (already completed, or withdrawn): nothing changes then.

    The status changes by one conditional UPDATE, so two transactions completing the same member at
    once record (and announce) her once."""
    now = now or utcnow()
    changed = _rows_changed(
        update(CohortMember)
        .where(CohortMember.id == member.id, CohortMember.status == MemberStatus.ENROLLED.value)
        .values(
            status=MemberStatus.COMPLETED.value,
            completed_at=now,
            completion_source=source,
            completion_reason=reason.strip(),
            completed_by_id=by.id if by is not None else None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(member)
    if changed != 1:
        return False
    cohort = member.cohort
    trainers = _trainer_ids(cohort)
    if trainers:
        db.session.execute(
            insert(completion_trainer), [{"member_id": member.id, "user_id": user_id} for user_id in trainers]
        )
    db.session.expire(member, ["completion_trainers"])
    db.session.flush()
    record(
        "courses.cohort.member-completed",
        member.user,
        cohort.organisation.path,
        by,
        cohort=cohort.id,
        source=source,
        reason=reason.strip(),
        trainers=trainers,
    )
    log.info("member %s completed cohort %s (%s)", member.id, cohort.id, source)
    announce(member, now)
    return True


def announce(member: CohortMember, now: datetime | None = None) -> bool:
    """Send ``courses.course-completed`` for a completed member not announced before; False when she
    was announced already (by this transaction or a concurrent one) or has not completed."""
    changed = _rows_changed(
        update(CohortMember)
        .where(
            CohortMember.id == member.id,
            CohortMember.status == MemberStatus.COMPLETED.value,
            CohortMember.announced_at.is_(None),
        )
        .values(announced_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(member, ["announced_at"])
    if changed != 1:
        return False
    course_completed.send(sender(), enrolment=member.enrolment, cohort=member.cohort, member=member)
    log.info("completion of member %s announced", member.id)
    return True


def _complete_those_who_meet(cohort: Cohort, members: Sequence[CohortMember]) -> list[CohortMember]:
    enrolled = [member for member in members if member.status == MemberStatus.ENROLLED]
    if not enrolled:
        return []
    rule = standings(cohort, enrolled)
    return [member for member in enrolled if rule[member.id].is_met and record_completion(member)]


def reconsider(members: CohortMember | Iterable[CohortMember]) -> list[CohortMember]:
    """Look at the rule again for members whose progress or attendance changed, and complete those who
    meet it now. Members of closed cohorts, withdrawn and completed ones are left as they are. Returns
    the members completed now."""
    if isinstance(members, CohortMember):
        members = [members]
    by_cohort: dict[int, list[CohortMember]] = {}
    for member in members:
        by_cohort.setdefault(member.cohort_id, []).append(member)
    completed: list[CohortMember] = []
    for group in by_cohort.values():
        cohort = group[0].cohort
        if cohort.status == CohortStatus.CLOSED:
            continue
        completed.extend(_complete_those_who_meet(cohort, group))
    return completed


def memberships(enrolment: Enrolment) -> list[CohortMember]:
    """The enrolment's members still enrolled in cohorts that are not closed."""
    query = (
        select(CohortMember)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(
            CohortMember.enrolment_id == enrolment.id,
            CohortMember.status == MemberStatus.ENROLLED.value,
            Cohort.status != CohortStatus.CLOSED.value,
        )
    )
    return list(db.session.scalars(query))


def on_item_completed(app: Any, enrolment: Enrolment, **kwargs: Any) -> None:
    """Receiver of ``courses.item-completed`` (a lesson done, a quiz passed, work recorded offline)."""
    members = memberships(enrolment)
    if members:
        reconsider(members)


def complete_by_hand(cohort: Cohort, user: User, reason: str, by: User | None = None) -> bool:
    """An admin records that ``user`` completed ``cohort`` (e.g. work done on paper), with a reason;
    logged. False when she had completed it already. Raises :class:`CompletionError`."""
    if not reason.strip():
        raise CompletionError(CompletionError.NO_REASON)
    member = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id)
    )
    if member is None:
        raise CompletionError(CompletionError.NOT_A_MEMBER)
    if member.status == MemberStatus.WITHDRAWN:
        raise CompletionError(CompletionError.WITHDRAWN)
    return record_completion(member, CompletionSource.MANUAL.value, by, reason)


# --- closing -----------------------------------------------------------------------------------------


@dataclass
class ClosingRow:
    member: CohortMember
    standing: Standing | None  # None for a member who completed already


@dataclass
class ClosingPreview:
    """Who has completed and who will not, with what is missing, as closing would leave them."""

    completed: list[ClosingRow] = field(default_factory=list)
    not_completed: list[ClosingRow] = field(default_factory=list)


def _active_members(cohort: Cohort) -> list[CohortMember]:
    from courses.cohorts.sessions import _active_members as active

    return active(cohort)


def closing_preview(cohort: Cohort) -> ClosingPreview:
    """The confirmation page's lists: completers (those completed, and those who meet the rule now
    and will be completed on closing) and the others, with what each lacks; names in Ukrainian order."""
    members = _active_members(cohort)
    rule = standings(cohort, members)
    preview = ClosingPreview()
    for member in members:
        row = ClosingRow(member, rule.get(member.id))
        if member.status == MemberStatus.COMPLETED or (row.standing is not None and row.standing.is_met):
            preview.completed.append(row)
        else:
            preview.not_completed.append(row)
    return preview


@dataclass(frozen=True)
class Closed:
    """What closing did: the members completed on closing and those announced by it."""

    completed_now: list[CohortMember]
    announced: list[CohortMember]


def close_cohort(cohort: Cohort, by: User | None = None, now: datetime | None = None) -> Closed | None:
    """Close the cohort: complete those who meet the rule, announce every completer not announced
    before, and send ``courses.cohort-closed``. None when it was closed already (by someone else a
    moment ago, too): nothing is sent then."""
    now = now or utcnow()
    changed = _rows_changed(
        update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.status != CohortStatus.CLOSED.value)
        .values(
            status=CohortStatus.CLOSED.value,
            closed_at=now,
            closed_by_id=by.id if by is not None else None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(cohort)
    if changed != 1:
        return None
    members = _active_members(cohort)
    completed_now = _complete_those_who_meet(cohort, members)
    # Those completed now were announced as they were recorded; others completed earlier may not be.
    announced = completed_now + [
        member
        for member in members
        if member not in completed_now
        and member.status == MemberStatus.COMPLETED
        and member.announced_at is None
        and announce(member, now)
    ]
    record(
        "courses.cohort.closed",
        cohort,
        cohort.organisation.path,
        by,
        completed=sum(1 for member in members if member.status == MemberStatus.COMPLETED),
        not_completed=sum(1 for member in members if member.status == MemberStatus.ENROLLED),
    )
    log.info("cohort %s closed by %s", cohort.id, getattr(by, "id", "system"))
    cohort_closed.send(sender(), cohort=cohort, closed_by=by)
    return Closed(completed_now, announced)


def install(app: Any) -> None:
    """Completing an item, however it happens, looks at the rule again in the learner's cohorts."""
    from courses.signals import item_completed

    item_completed.connect(on_item_completed, sender=app)


def cohorts_to_close(user: User, today: date | None = None, limit: int = 10) -> list[Cohort]:
    """The cohorts ``user`` trains that ended (their last day is before ``today``) and are still open,
    the longest ended first: for a trainer's home page."""
    today = today or utcnow().date()
    query = (
        select(Cohort)
        .join(cohort_trainer, cohort_trainer.c.cohort_id == Cohort.id)
        .where(
            cohort_trainer.c.user_id == user.id,
            Cohort.status != CohortStatus.CLOSED.value,
            Cohort.ends_on < today,
        )
        .order_by(Cohort.ends_on, Cohort.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
