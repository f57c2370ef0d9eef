"""What the courses plugin keeps about a person, for her data export ("Download my data"): enrolments
with the progress made and every item completed, quiz attempts with their answers and results, and the
competence levels demonstrated. Registered with ``lms.plugins.add_personal_data`` as ``courses``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courses.frameworks.models import Competence
from courses.models import Enrolment, Item, ItemCompletion, Module
from courses.quizzes.models import Attempt, AttemptQuestion, CompetenceLevel, Quiz
from courses.services import progress
from lms.accounts.models import User
from lms.extensions import db


def _at(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None  # stored in UTC


def _competence(competence: Competence | None) -> dict[str, Any] | None:
    if competence is None:
        return None
    return {"framework": competence.framework.idnumber, "idnumber": competence.idnumber}


def export(person: User) -> dict[str, Any]:
    return {
        "enrolments": _enrolments(person),
        "quiz_attempts": _attempts(person),
        "competence_levels": _levels(person),
    }


def _enrolments(person: User) -> list[dict[str, Any]]:
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == person.id)
        .order_by(Enrolment.created_at, Enrolment.id)
        .options(
            selectinload(Enrolment.course),
            selectinload(Enrolment.completions)
            .selectinload(ItemCompletion.item)
            .selectinload(Item.module)
            .selectinload(Module.course),
        )
    ).all()
    result = []
    for enrolment in enrolments:
        items = {item.id: item for item in enrolment.course.items}
        completions = sorted(enrolment.completions, key=lambda done: (done.completed_at, done.id))
        result.append(
            {
                "course": enrolment.course.code,
                "enrolled_at": _at(enrolment.created_at),
                "completed_at": _at(enrolment.completed_at),
                "last_item": items[enrolment.last_item_id].key if enrolment.last_item_id in items else None,
                "progress": [
                    {
                        "module": entry.module.key,
                        "required_items_done": entry.done,
                        "required_items": entry.total,
                        "is_complete": entry.is_complete,
                    }
                    for entry in progress(enrolment)
                ],
                "completed_items": [
                    {
                        "module": done.item.module.key,
                        "item": done.item.key,
                        "completed_at": _at(done.completed_at),
                        "recorded_by_trainer": done.recorded_by_id is not None,
                    }
                    for done in completions
                ],
            }
        )
    return result


def _attempts(person: User) -> list[dict[str, Any]]:
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == person.id)
        .order_by(Attempt.started_at, Attempt.id)
        .options(
            selectinload(Attempt.quiz)
            .selectinload(Quiz.item)
            .selectinload(Item.module)
            .selectinload(Module.course),
            selectinload(Attempt.questions).selectinload(AttemptQuestion.question),
        )
    ).all()
    competences = _competences_by_id(
        {slot.competence_id for attempt in attempts for slot in attempt.questions if slot.competence_id}
    )
    result = []
    for attempt in attempts:
        item = attempt.quiz.item
        result.append(
            {
                "course": item.module.course.code,
                "quiz": item.key,
                "number": attempt.number,
                "started_at": _at(attempt.started_at),
                "finished_at": _at(attempt.finished_at),
                "state": attempt.state,
                "time_ran_out": attempt.is_overdue,
                "score_percent": attempt.score,
                "passed": attempt.passed,
                "per_competence": [
                    {**entry, "competence": _competence(competences.get(entry["competence_id"]))}
                    for entry in attempt.results or []
                ],
                "answers": [
                    {
                        "slot": slot.slot,
                        "question": slot.question.name if slot.question is not None else None,
                        "competence": _competence(competences.get(slot.competence_id or 0)),
                        "level": slot.level,
                        "response": slot.response,
                        "fraction": slot.fraction,
                        "trainer_comment": slot.comment or None,
                        "graded_at": _at(slot.graded_at),
                    }
                    for slot in attempt.questions
                ],
            }
        )
    return result


def _competences_by_id(ids: set[int]) -> dict[int, Competence]:
    if not ids:
        return {}
    return {
        competence.id: competence
        for competence in db.session.scalars(
            select(Competence).where(Competence.id.in_(ids)).options(selectinload(Competence.framework))
        )
    }


def _levels(person: User) -> list[dict[str, Any]]:
    levels = db.session.scalars(
        select(CompetenceLevel)
        .where(CompetenceLevel.user_id == person.id)
        .options(selectinload(CompetenceLevel.competence).selectinload(Competence.framework))
    ).all()
    rows = [
        {
            "competence": _competence(level.competence),
            "level": level.level,
            "demonstrated_at": _at(level.demonstrated_at),
        }
        for level in levels
    ]
    return sorted(rows, key=lambda row: (row["competence"]["framework"], row["competence"]["idnumber"]))
