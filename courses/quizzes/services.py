"""Quiz services: start an attempt, save a page, finish it (graded exactly once), finalise attempts whose
time ran out, grade essays, grant extra attempts, and keep the highest level demonstrated per competence.

They flush and log, never commit. Finishing is one conditional ``UPDATE … WHERE state = 'in_progress'``
whose row count says who won: two requests (a double click, two tabs, two workers) cannot both grade, on
SQLite (one writer at a time) as on PostgreSQL (the row stays locked until the winner commits). Saving a
page takes the same row first, so an answer is either saved before the grading reads it or refused.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, Text, bindparam, cast, func, or_, select, update
from sqlalchemy.orm import selectinload

from courses.frameworks.models import (
    Competence,
    ProficiencyLevel,
)
from courses.frameworks.services import profile_for, requirements_of
from courses.models import Course, Enrolment, Item, Module, Status
from courses.questions import interchange
from courses.questions.grading import grade
from courses.questions.models import Answer, Question, QuestionCategory
from courses.quizzes.models import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    CompetenceLevel,
    ExtraAttempt,
    Quiz,
    QuizCompetence,
    ReviewWhen,
)
from courses.services import complete_item, enrolment_of
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow
from lms.orgs.models import Organisation
from lms.permissions import Scope

log = logging.getLogger("courses.quizzes")

_random = random.SystemRandom()
CHOICE_TYPES = (interchange.SINGLE, interchange.MULTIPLE)
MAX_TEXT = 20_000  # characters kept of a typed response


class QuizError(Exception):
    """An attempt cannot be started or changed; ``code`` says why (the views word it)."""

    def __init__(self, code: str, when: datetime | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.when = when


NO_ATTEMPTS_LEFT = "no-attempts-left"
TOO_SOON = "too-soon"  # a delay between attempts applies; ``when`` is the earliest next start
NO_QUESTIONS = "no-questions"
CLOSED = "closed"  # finished, or its time (and the grace) ran out


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["COURSES_QUIZ_GRACE_SECONDS"])


def min_evidence() -> int:
    """How many questions of a competence an attempt must have asked before its result can confirm a
    level (COURSES_QUIZ_MIN_EVIDENCE): one right answer out of two is not evidence of a level."""
    return max(1, int(current_app.config["COURSES_QUIZ_MIN_EVIDENCE"]))


# --- quizzes, profiles and levels ----------------------------------------------------------------------


def quiz_of(item: Item) -> Quiz | None:
    return db.session.scalar(select(Quiz).where(Quiz.item_id == item.id))


def required_levels(user: User) -> dict[int, int]:
    """competence id → the level the person's minimum profile requires."""
    profile = profile_for(user)
    return requirements_of(profile) if profile is not None else {}


def target_level(row: QuizCompetence, user: User, required: Mapping[int, int] | None = None) -> int:
    """The level a quiz tests of a competence for this learner: the row's own, else the one her
    minimum profile requires, else the lowest level of the competence's framework."""
    if row.level is not None:
        return row.level
    required = required_levels(user) if required is None else required
    if row.competence_id in required:
        return required[row.competence_id]
    lowest = db.session.scalar(
        select(func.min(ProficiencyLevel.number))
        .join(Competence, Competence.framework_id == ProficiencyLevel.framework_id)
        .where(Competence.id == row.competence_id)
    )
    return lowest or 1


def bank_count(quiz: Quiz, competence_id: int, level: int) -> int:
    """How many questions of the bank a quiz could draw for a competence at a level."""
    return db.session.scalar(_bank(quiz.category, competence_id, level).with_only_columns(func.count())) or 0


def _bank(category: QuestionCategory | None, competence_id: int, level: int) -> Any:
    query = select(Question.id).where(
        Question.competence_id == competence_id,
        Question.level == level,
        Question.type.in_(interchange.TYPES),
    )
    if category is not None:
        query = query.join(Question.category).where(
            or_(
                QuestionCategory.path == category.path,
                QuestionCategory.path.startswith(category.path + "/", autoescape=True),
            )
        )
    return query


def tested_levels(user: User, required: Mapping[int, int] | None = None) -> dict[int, int]:
    """competence id → the highest level that a quiz the person may take tests it at, with enough
    questions to confirm it: quizzes of published courses she is enrolled in or that are open to all.
    ``required``: her :func:`required_levels`, when the caller has them already."""
    required = required_levels(user) if required is None else required
    enrolled = select(Enrolment.course_id).where(Enrolment.user_id == user.id)
    rows = db.session.execute(
        select(QuizCompetence.competence_id, QuizCompetence.level)
        .join(Quiz, Quiz.id == QuizCompetence.quiz_id)
        .join(Item, Item.id == Quiz.item_id)
        .join(Module, Module.id == Item.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(
            Course.status == Status.PUBLISHED.value,
            or_(Course.is_open.is_(True), Course.id.in_(enrolled)),
            QuizCompetence.count >= min_evidence(),
        )
    ).all()
    tested: dict[int, int] = {}
    for competence_id, row_level in rows:
        level = row_level if row_level is not None else required.get(competence_id)
        if level is not None:
            tested[competence_id] = max(level, tested.get(competence_id, 0))
    return tested


def untested_requirements(user: User, required: Mapping[int, int] | None = None) -> set[int]:
    """The competences of the person's minimum profile that no quiz she may take tests at the level
    the profile requires (or above): her profile can show them as not testable yet."""
    required = required_levels(user) if required is None else required
    tested = tested_levels(user, required)
    return {competence for competence, level in required.items() if tested.get(competence, 0) < level}


def demonstrated_levels(user: User) -> dict[int, CompetenceLevel]:
    """competence id → the highest level the person has demonstrated."""
    rows = db.session.scalars(select(CompetenceLevel).where(CompetenceLevel.user_id == user.id))
    return {row.competence_id: row for row in rows}


# --- may she start? ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """Where a learner stands with a quiz."""

    attempts_used: int
    attempts_allowed: int | None  # with extra attempts; None: unlimited
    in_progress: Attempt | None
    next_at: datetime | None  # a delay applies until then
    has_passed: bool

    @property
    def attempts_left(self) -> int | None:
        if self.attempts_allowed is None:
            return None
        return max(0, self.attempts_allowed - self.attempts_used)

    @property
    def may_start(self) -> bool:
        return self.in_progress is None and self.attempts_left != 0 and self.next_at is None


def attempts_of(quiz: Quiz, user: User) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
            .order_by(Attempt.number)
        )
    )


def extra_attempts(quiz: Quiz, user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ExtraAttempt)
            .where(ExtraAttempt.quiz_id == quiz.id, ExtraAttempt.user_id == user.id)
        )
        or 0
    )


def availability(quiz: Quiz, user: User, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    attempts = attempts_of(quiz, user)
    allowed = quiz.attempts_allowed + extra_attempts(quiz, user) if quiz.attempts_allowed else None
    in_progress = next((attempt for attempt in attempts if attempt.is_in_progress), None)
    next_at = None
    ended = [attempt.finished_at for attempt in attempts if attempt.finished_at is not None]
    if quiz.delay_minutes and ended:
        possible = max(ended) + timedelta(minutes=quiz.delay_minutes)
        next_at = possible if possible > now else None
    has_passed = any(attempt.passed for attempt in attempts)
    return Availability(len(attempts), allowed, in_progress, next_at, has_passed)


# --- starting: the questions are drawn and fixed -------------------------------------------------------


def start_attempt(quiz: Quiz, user: User, now: datetime | None = None) -> Attempt:
    """The learner's attempt in progress, or a new one with its questions drawn, ordered and stored.

    Raises QuizError when no attempt is left, a delay applies, or the bank has nothing to draw."""
    now = now or utcnow()
    for attempt in attempts_of(quiz, user):
        touch(attempt, now)
    state = availability(quiz, user, now)
    if state.in_progress is not None:
        return state.in_progress
    if state.attempts_left == 0:
        raise QuizError(NO_ATTEMPTS_LEFT)
    if state.next_at is not None:
        raise QuizError(TOO_SOON, state.next_at)
    drawn = draw_questions(quiz, user)
    if not drawn:
        raise QuizError(NO_QUESTIONS)
    if quiz.shuffle_questions:
        _random.shuffle(drawn)
    attempt = Attempt(
        quiz=quiz,
        user_id=user.id,
        number=state.attempts_used + 1,
        started_at=now,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
        state=AttemptState.IN_PROGRESS.value,
    )
    per_page = quiz.questions_per_page
    for slot, (question, level) in enumerate(drawn, 1):
        attempt.questions.append(
            AttemptQuestion(
                slot=slot,
                page=(slot - 1) // per_page + 1 if per_page else 1,
                question=question,
                competence_id=question.competence_id,
                level=level,
                answer_order=_answer_order(question, quiz.shuffle_answers),
            )
        )
    db.session.add(attempt)
    db.session.flush()
    log.info("user %s started attempt %s of quiz %s", user.id, attempt.number, quiz.id)
    return attempt


def draw_questions(quiz: Quiz, user: User) -> list[tuple[Question, int]]:
    """For each competence of the quiz, ``count`` questions of its level at random, those the learner
    has not seen in earlier attempts first; in the quiz's order of competences."""
    seen = set(
        db.session.scalars(
            select(AttemptQuestion.question_id)
            .join(AttemptQuestion.attempt)
            .where(Attempt.user_id == user.id)
        )
    )
    required = required_levels(user)
    chosen: list[tuple[int, int]] = []
    for row in quiz.competences:
        level = target_level(row, user, required)
        ids = list(db.session.scalars(_bank(quiz.category, row.competence_id, level)))
        fresh = [question_id for question_id in ids if question_id not in seen]
        again = [question_id for question_id in ids if question_id in seen]
        _random.shuffle(fresh)
        _random.shuffle(again)
        chosen.extend((question_id, level) for question_id in (fresh + again)[: row.count])
    questions = {
        question.id: question
        for question in db.session.scalars(
            select(Question)
            .where(Question.id.in_([question_id for question_id, _ in chosen]))
            .options(selectinload(Question.answers))
        )
    }
    return [(questions[question_id], level) for question_id, level in chosen]


def _answer_order(question: Question, shuffle: bool) -> list[int] | None:
    if question.type in CHOICE_TYPES:
        order = list(range(len(question.answers)))
    elif question.type == interchange.MATCHING:
        order = [index for index, answer in enumerate(question.answers) if answer.text.strip()]
    else:
        return None
    if shuffle:
        _random.shuffle(order)
    return order


def matching_choices(question: Question | ShownQuestion) -> list[str]:
    """The texts a matching question offers in each select: every distinct match (distractors too),
    sorted, so their order says nothing about the pairs."""
    return sorted(
        {(answer.match or "").strip() for answer in question.answers if (answer.match or "").strip()}
    )


# --- answering -----------------------------------------------------------------------------------------


def clean_response(question: Question | None, value: Any) -> Any:
    """A submitted value in the form the grader reads (see courses.questions.grading); None when empty."""
    if question is None:
        return None
    kind = question.type
    count = len(question.answers)
    if kind == interchange.SINGLE:
        return _index(value, count)
    if kind == interchange.MULTIPLE:
        values = value if isinstance(value, list | tuple) else [value]
        chosen = sorted({index for item in values if (index := _index(item, count)) is not None})
        return chosen or None
    if kind == interchange.TRUEFALSE:
        return value if value in ("true", "false") else None
    if kind == interchange.MATCHING:
        if not isinstance(value, Mapping):
            return None
        rows = {str(index) for index, answer in enumerate(question.answers) if answer.text.strip()}
        choices = set(matching_choices(question))
        pairs = {str(key): text for key, text in value.items() if str(key) in rows and text in choices}
        return pairs or None
    text = value.strip() if isinstance(value, str) else ""
    return text[:MAX_TEXT] or None


def _index(value: Any, count: int) -> int | None:
    try:
        index = int(value)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def is_answered(question: AttemptQuestion) -> bool:
    return question.response not in (None, "", [], {})


def save_page(
    attempt: Attempt, responses: Mapping[int, Any], now: datetime | None = None, next_page: int | None = None
) -> None:
    """Store the responses of some slots (slot → submitted value). Raises QuizError(CLOSED) when the
    attempt is finished or its deadline and the grace have passed: then nothing is saved."""
    now = now or utcnow()
    cutoff = now - grace()
    result = db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.state == AttemptState.IN_PROGRESS.value,
            or_(Attempt.deadline_at.is_(None), Attempt.deadline_at >= cutoff),
        )
        .values(last_page=next_page if next_page is not None else Attempt.last_page)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(attempt)
        raise QuizError(CLOSED)
    db.session.expire(attempt, ["last_page"])
    questions = db.session.scalars(
        select(AttemptQuestion)
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.slot.in_(list(responses)))
        .options(selectinload(AttemptQuestion.question).selectinload(Question.answers))
    )
    for question in questions:
        question.response = clean_response(question.question, responses[question.slot])
    db.session.flush()


# --- finishing: graded exactly once --------------------------------------------------------------------


@dataclass(frozen=True)
class ShownAnswer:
    text: str
    match: str | None


@dataclass(frozen=True)
class ShownQuestion:
    """A bank question as a page of an attempt shows it."""

    type: str
    text: str
    format: str
    answers: list[ShownAnswer]


@dataclass(frozen=True)
class ShownSlot:
    """A question of an attempt in its place on a page, with the learner's response so far."""

    slot: int
    answer_order: list[int] | None
    response: Any
    question: ShownQuestion | None  # None: deleted from the bank since the attempt drew it


_slot, _question, _answer = AttemptQuestion.__table__.c, Question.__table__.c, Answer.__table__.c
_every_slot = AttemptQuestion.__table__.alias()
# Built once, and read as plain rows: building the ORM objects of a page (its slots, their questions
# and every answer) cost more than the rest of the page's queries together.
_PAGE = (
    select(
        _slot.slot,
        cast(_slot.answer_order, Text),  # JSON, as text: decoded once per slot, not once per answer row
        cast(_slot.response, Text),
        _slot.question_id,
        _question.type,
        _question.text,
        _question.format,
        _answer.text,
        _answer.match,
        select(func.max(_every_slot.c.page))
        .where(_every_slot.c.attempt_id == bindparam("attempt_id"))
        .scalar_subquery(),
    )
    .select_from(AttemptQuestion.__table__)
    .outerjoin(Question.__table__, _question.id == _slot.question_id)
    .outerjoin(Answer.__table__, _answer.question_id == _question.id)
    .where(_slot.attempt_id == bindparam("attempt_id"), _slot.page == bindparam("page"))
    .order_by(_slot.slot, _answer.position, _answer.id)
)


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def page_questions(attempt_id: int, page: int) -> tuple[int, list[ShownSlot]]:
    """How many pages the attempt has, and the questions of ``page`` as shown, with their answers
    in the bank's order: one query ((0, []) for a page the attempt does not have)."""
    slots: dict[int, ShownSlot] = {}
    pages = 0
    rows = db.session.execute(_PAGE, {"attempt_id": attempt_id, "page": page})
    for slot, order, response, question_id, kind, text, text_format, answer, match, last in rows:
        pages = last or 1
        shown = slots.get(slot)
        if shown is None:
            question = ShownQuestion(kind, text, text_format, []) if question_id is not None else None
            shown = slots[slot] = ShownSlot(slot, _json(order), _json(response), question)
        if answer is not None and shown.question is not None:
            shown.question.answers.append(ShownAnswer(answer, match))
    return pages, list(slots.values())


def page_count(attempt: Attempt) -> int:
    """How many pages the attempt has (without loading its questions)."""
    pages = db.session.scalar(
        select(func.max(AttemptQuestion.page)).where(AttemptQuestion.attempt_id == attempt.id)
    )
    return pages or 1


def is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """In progress past its deadline and the grace."""
    now = now or utcnow()
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline_at is not None
        and now > attempt.deadline_at + grace()
    )


def finish_attempt(attempt: Attempt, now: datetime | None = None) -> bool:
    """Close the attempt and grade its saved responses; False (and nothing done) when another request
    already closed it. Essays wait for a trainer; everything else is scored now."""
    now = now or utcnow()
    overdue = is_overdue(attempt, now)
    ended = attempt.deadline_at if overdue else now
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == AttemptState.IN_PROGRESS.value)
        .values(state=AttemptState.FINISHED.value, finished_at=ended, is_overdue=overdue)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    # Read the responses again now that the row is ours: a page saved just before counts.
    questions = db.session.scalars(
        select(AttemptQuestion)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .options(selectinload(AttemptQuestion.question).selectinload(Question.answers))
        .execution_options(populate_existing=True)
    ).all()
    for question in questions:
        if question.question is None:  # deleted from the bank: no marks can be earned
            question.fraction, question.needs_grading = 0.0, False
            continue
        result_grade = grade(question.question, question.response)
        question.fraction, question.needs_grading = result_grade.fraction, result_grade.needs_grading
    db.session.flush()
    log.info(
        "user %s finished attempt %s of quiz %s%s",
        attempt.user_id,
        attempt.number,
        attempt.quiz_id,
        " (time ran out)" if overdue else "",
    )
    if not any(question.needs_grading for question in questions):
        _conclude(attempt, questions, now)
    return True


def touch(attempt: Attempt, now: datetime | None = None) -> bool:
    """Finalise the attempt when its time has run out; True when this call did."""
    if is_overdue(attempt, now):
        return finish_attempt(attempt, now)
    return False


def finalise_overdue(now: datetime | None = None) -> int:
    """Finalise every abandoned attempt whose deadline and grace have passed; how many were."""
    now = now or utcnow()
    overdue = db.session.scalars(
        select(Attempt).where(
            Attempt.state == AttemptState.IN_PROGRESS.value,
            Attempt.deadline_at.is_not(None),
            Attempt.deadline_at < now - grace(),
        )
    ).all()
    return sum(1 for attempt in overdue if finish_attempt(attempt, now))


def _conclude(attempt: Attempt, questions: Iterable[AttemptQuestion], now: datetime) -> None:
    """Score per competence and overall, record the levels demonstrated, complete the item on a pass."""
    quiz = attempt.quiz
    rows = {row.competence_id: row for row in quiz.competences}
    positions = {row.competence_id: row.position for row in quiz.competences}
    groups: dict[int, list[AttemptQuestion]] = {}
    questions = list(questions)
    for question in questions:
        if question.competence_id is not None:
            groups.setdefault(question.competence_id, []).append(question)
    results: list[dict[str, Any]] = []
    evidence = min_evidence()
    for competence_id in sorted(groups, key=lambda key: (positions.get(key, len(positions)), key)):
        group = groups[competence_id]
        marks = sum(question.fraction or 0.0 for question in group)
        percent = round(100 * marks / len(group), 2)
        row = rows.get(competence_id)
        minimum = row.minimum_percent if row is not None else quiz.pass_mark
        enough = len(group) >= evidence  # too few questions confirm nothing, whatever the score
        results.append(
            {
                "competence_id": competence_id,
                "level": group[0].level,
                "marks": round(marks, 4),
                "max_marks": len(group),
                "percent": percent,
                "minimum": minimum,
                "questions": len(group),
                "evidence_needed": evidence,
                "reached": enough and percent >= minimum - 1e-9,
            }
        )
    total = sum(question.fraction or 0.0 for question in questions)
    score = round(100 * total / len(questions), 2) if questions else 0.0
    attempt.score = score
    attempt.results = results
    attempt.passed = score >= quiz.pass_mark - 1e-9 and all(result["reached"] for result in results)
    db.session.flush()
    for result in results:
        if result["reached"] and result["level"] is not None:
            _demonstrate(attempt, result["competence_id"], result["level"], now)
    log.info("attempt %s scored %s%% (%s)", attempt.id, score, "passed" if attempt.passed else "not passed")
    if attempt.passed:
        item = quiz.item
        enrolment = enrolment_of(attempt.user, item.module.course)
        if enrolment is not None:
            complete_item(enrolment, item, passed_quiz=True)


def _demonstrate(attempt: Attempt, competence_id: int, level: int, now: datetime) -> None:
    """Keep the highest level demonstrated: a lower result never replaces a higher one."""
    row = db.session.scalar(
        select(CompetenceLevel).where(
            CompetenceLevel.user_id == attempt.user_id, CompetenceLevel.competence_id == competence_id
        )
    )
    if row is None:
        db.session.add(
            CompetenceLevel(
                user_id=attempt.user_id,
                competence_id=competence_id,
                level=level,
                attempt_id=attempt.id,
                demonstrated_at=now,
            )
        )
    elif row.level < level:
        row.level, row.attempt_id, row.demonstrated_at = level, attempt.id, now
    db.session.flush()


# --- trainers: essays and extra attempts ---------------------------------------------------------------


def grade_essay(
    question: AttemptQuestion, fraction: float, comment: str, grader: User, now: datetime | None = None
) -> None:
    """A trainer's grade of an essay; when it was the attempt's last one, the attempt is scored."""
    now = now or utcnow()
    attempt = question.attempt
    if attempt.state != AttemptState.FINISHED:
        raise QuizError(CLOSED)
    # Take the attempt's row first, so two trainers grading its last two essays at once are
    # serialised: the second sees no essay left and scores the attempt.
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(state=Attempt.state)
        .execution_options(synchronize_session=False)
    )
    question.fraction = min(1.0, max(0.0, fraction))
    question.needs_grading = False
    question.comment = comment.strip()
    question.graded_by_id = grader.id
    question.graded_at = now
    db.session.flush()
    questions = db.session.scalars(
        select(AttemptQuestion)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .execution_options(populate_existing=True)
    ).all()
    log.info("user %s graded question %s of attempt %s", grader.id, question.slot, attempt.id)
    if not any(other.needs_grading for other in questions):
        _conclude(attempt, questions, now)


def grant_extra_attempt(
    quiz: Quiz, user: User, granted_by: User, now: datetime | None = None
) -> ExtraAttempt:
    extra = ExtraAttempt(
        quiz_id=quiz.id, user_id=user.id, granted_by_id=granted_by.id, granted_at=now or utcnow()
    )
    db.session.add(extra)
    db.session.flush()
    log.info("user %s granted user %s an extra attempt at quiz %s", granted_by.id, user.id, quiz.id)
    return extra


# --- results -------------------------------------------------------------------------------------------


def may_review(attempt: Attempt, now: datetime | None = None) -> bool:
    """May the learner review the attempt's questions now (as the quiz's review options say when)?"""
    if attempt.state != AttemptState.FINISHED or attempt.score is None:
        return False
    if attempt.quiz.review_when == ReviewWhen.IMMEDIATELY:
        return True
    state = availability(attempt.quiz, attempt.user, now)
    return state.has_passed or (state.in_progress is None and state.attempts_left == 0)


def best_attempt(attempts: Iterable[Attempt]) -> Attempt | None:
    graded = [attempt for attempt in attempts if attempt.score is not None]
    return max(graded, key=lambda attempt: (bool(attempt.passed), attempt.score or 0.0), default=None)


def essays_to_grade(where: Scope) -> Select[tuple[AttemptQuestion]]:
    """Essays of finished attempts waiting for a grade, of the learners whose organisation lies in
    ``where``, oldest first (the grading page, and the count on a trainer's home page)."""
    return (
        select(AttemptQuestion)
        .join(AttemptQuestion.attempt)
        .join(User, User.id == Attempt.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            AttemptQuestion.needs_grading.is_(True),
            Attempt.state == AttemptState.FINISHED.value,
            where.filter(Organisation.path),
        )
        .order_by(Attempt.finished_at, AttemptQuestion.id)
    )


def count_essays_to_grade(where: Scope) -> int:
    query = essays_to_grade(where).order_by(None).with_only_columns(func.count(AttemptQuestion.id))
    return db.session.scalar(query) or 0
