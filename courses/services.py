"""Course services: catalogue, enrolment, progress, completion. They flush and log, never commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, select, update

from courses.models import Course, Enrolment, Item, ItemCompletion, ItemKind, Module, Status
from courses.signals import course_completed, item_completed, module_completed
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow
from lms.signals import sender

log = logging.getLogger("courses")


def by_code(code: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.code == code))


def only_withdrawn(enrolment_id: Any) -> Any:
    """SQL: the enrolment is in cohorts, and withdrawn from every one of them."""
    from courses.cohorts.models import CohortMember, MemberStatus

    member = CohortMember.__table__.c
    in_cohorts = exists().where(member.enrolment_id == enrolment_id)
    still_in = exists().where(
        member.enrolment_id == enrolment_id, member.status != MemberStatus.WITHDRAWN.value
    )
    return in_cohorts & ~still_in


def withdrawn_from(enrolment_id: int) -> bool:
    """Did she withdraw from every cohort her enrolment is in? A course by enrolment only is then
    closed to her again (her cohort membership opened it); her progress stays on the enrolment."""
    return bool(db.session.scalar(select(only_withdrawn(bindparam("id", enrolment_id)))))


def catalogue(user: User) -> Select[tuple[Course]]:
    """Published courses open to everyone, and those ``user`` is enrolled in (not withdrawn from every
    cohort of)."""
    enrolled = select(Enrolment.course_id).where(Enrolment.user_id == user.id, ~only_withdrawn(Enrolment.id))
    return (
        select(Course)
        .where(Course.status == Status.PUBLISHED, (Course.is_open.is_(True)) | Course.id.in_(enrolled))
        .order_by(Course.code)
    )


def enrolment_of(user: User, course: Course) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol ``user`` (idempotent)."""
    enrolment = enrolment_of(user, course)
    if enrolment is None:
        enrolment = Enrolment(user=user, course=course)
        db.session.add(enrolment)
        db.session.flush()
        log.info("user %s enrolled in %s", user.id, course.code)
    return enrolment


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    done: int
    total: int
    is_unlocked: bool

    @property
    def is_complete(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def progress(enrolment: Enrolment) -> list[ModuleProgress]:
    """Required items done per module; a module unlocks when the ones before it are complete
    (when the course unlocks in order)."""
    done_ids = enrolment.completed_item_ids
    result: list[ModuleProgress] = []
    unlocked = True
    for module in enrolment.course.modules:
        required = [item for item in module.items if item.is_required]
        done = sum(1 for item in required if item.id in done_ids)
        result.append(ModuleProgress(module, done, len(required), unlocked))
        if enrolment.course.unlock_in_order and module.is_required and done < len(required):
            unlocked = False
    return result


def is_unlocked(enrolment: Enrolment, module: Module) -> bool:
    return next(entry.is_unlocked for entry in progress(enrolment) if entry.module.id == module.id)


def is_course_complete(enrolment: Enrolment) -> bool:
    return all(entry.is_complete for entry in progress(enrolment) if entry.module.is_required)


def neighbours(item: Item) -> tuple[Item | None, Item | None]:
    """The items before and after ``item`` in the course."""
    items = item.module.course.items
    index = next(position for position, other in enumerate(items) if other.id == item.id)
    return (items[index - 1] if index else None, items[index + 1] if index + 1 < len(items) else None)


def resume_item(enrolment: Enrolment) -> Item | None:
    """Where the learner left off: the first unfinished item after the last one opened."""
    items = enrolment.course.items
    done = enrolment.completed_item_ids
    unlocked = {entry.module.id for entry in progress(enrolment) if entry.is_unlocked}
    start = next((index for index, item in enumerate(items) if item.id == enrolment.last_item_id), 0)
    for item in items[start:] + items[:start]:  # from the last one opened on, then from the start
        if item.id not in done and item.module_id in unlocked:
            return item
    return items[start] if items else None


def visit(enrolment: Enrolment, item: Item) -> None:
    enrolment.last_item_id = item.id
    db.session.flush()


def visit_item(enrolment_id: int, item_id: int) -> None:
    """Record ``item_id`` as where the learner resumes (the lesson page's one write, without loading)."""
    db.session.execute(update(Enrolment).where(Enrolment.id == enrolment_id).values(last_item_id=item_id))


@dataclass(frozen=True)
class LessonState:
    """Where a course stands (its id and revision) and where ``user`` stands in it, from one query."""

    course_id: int
    revision: datetime
    enrolment_id: int | None
    last_item_id: int | None
    done_ids: frozenset[int]
    completed_at: datetime | None = None


# Built once from the tables (plain SQL, no ORM entities): every lesson page runs it, and building or
# loading through the ORM cost more than running it.
_course, _enrolment, _completion = Course.__table__.c, Enrolment.__table__.c, ItemCompletion.__table__.c
_LESSON_STATE = (
    select(
        _course.id,
        _course.updated_at,
        _enrolment.id,
        _enrolment.last_item_id,
        _completion.item_id,
        _enrolment.completed_at,
    )
    .select_from(Course.__table__)
    .outerjoin(
        Enrolment.__table__,
        (_enrolment.course_id == _course.id) & (_enrolment.user_id == bindparam("user_id")),
    )
    .outerjoin(ItemCompletion.__table__, _completion.enrolment_id == _enrolment.id)
    .where(_course.code == bindparam("code"))
)


def lesson_state(code: str, user: User) -> LessonState | None:
    """The course ``code`` and the learner's enrolment and completed items; None for no such course."""
    rows = db.session.execute(_LESSON_STATE, {"code": code, "user_id": user.id}).all()
    if not rows:
        return None
    first = rows[0]
    done = frozenset(row[4] for row in rows if row[4] is not None)
    return LessonState(first[0], first[1], first[2], first[3], done, first[5])


class NotCompletable(ValueError):
    """A quiz item is completed by passing the quiz, never by "Mark as done" or "Next"."""


def complete_item(
    enrolment: Enrolment,
    item: Item,
    *,
    passed_quiz: bool = False,
    recorded_by: User | None = None,
    session: Any = None,
) -> bool:
    """Record a finished item and announce what it completes. False when it was already done.

    A quiz item is completed only by passing it (``passed_quiz``, from courses.quizzes.services).
    Work done offline is recorded by a trainer (``recorded_by``) in a cohort session (``session``, a
    ``courses.cohorts.models.CohortSession``)."""
    if item.kind == ItemKind.QUIZ and not passed_quiz:
        raise NotCompletable(f"item {item.id} is a quiz: it is completed by passing it")
    if item.id in enrolment.completed_item_ids:
        return False
    module_was_complete = _module_complete(enrolment, item.module)
    enrolment.completions.append(
        ItemCompletion(
            item=item,
            recorded_by_id=recorded_by.id if recorded_by is not None else None,
            session_id=session.id if session is not None else None,
        )
    )
    db.session.flush()
    app = sender()
    item_completed.send(app, enrolment=enrolment, item=item)
    if not module_was_complete and _module_complete(enrolment, item.module):
        module_completed.send(app, enrolment=enrolment, module=item.module)
    if enrolment.completed_at is None and is_course_complete(enrolment):
        enrolment.completed_at = utcnow()
        db.session.flush()
        log.info("user %s completed %s", enrolment.user_id, enrolment.course.code)
        if not _in_a_cohort(enrolment):  # in a cohort the cohort's rule announces it (courses.cohorts)
            course_completed.send(app, enrolment=enrolment, cohort=None, member=None)
    return True


def _in_a_cohort(enrolment: Enrolment) -> bool:
    """Is the enrolment a member of a cohort she has not withdrawn from?"""
    from courses.cohorts.models import CohortMember, MemberStatus

    query = select(CohortMember.id).where(
        CohortMember.enrolment_id == enrolment.id, CohortMember.status != MemberStatus.WITHDRAWN.value
    )
    return db.session.scalar(query.limit(1)) is not None


def _module_complete(enrolment: Enrolment, module: Module) -> bool:
    done = enrolment.completed_item_ids
    return all(item.id in done for item in module.items if item.is_required)
