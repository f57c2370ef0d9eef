"""The quiz load benchmark's side of the database, run with the benchmark's Kaskad settings.

``python -m bench.quiz_setup prepare COUNT LEARNERS.json``: COUNT learners enrolled in the shipped hub
coordinator course, every item but the quiz done (so the quiz is open to them), written with their
password, lesson and start addresses for the load tool.
``python -m bench.quiz_setup count RESULT.json``: every answer the load tool sent, looked up in the
database: how many were saved, how many attempts were submitted and graded. Prints JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

COURSE = "DEH-COORD"
PASSWORD = "bench-learner-2026"  # noqa: S105 - accounts of a throw-away benchmark database


def prepare(count: int, out: Path) -> None:
    from courses.models import Course, Enrolment, Item, ItemCompletion, ItemKind, Module
    from courses.quizzes.models import Quiz
    from lms.accounts.models import User
    from lms.accounts.passwords import hash_password
    from lms.extensions import db
    from lms.i18n import casefold_email

    course = db.session.scalar(select(Course).where(Course.code == COURSE))
    if course is None:
        raise SystemExit(f"bench: no course {COURSE}: was `lms demo load` run?")
    quiz = db.session.scalar(
        select(Quiz).join(Quiz.item).join(Item.module).where(Module.course_id == course.id).limit(1)
    )
    if quiz is None:
        raise SystemExit(f"bench: {COURSE} has no quiz.")
    others = [item.id for item in course.items if item.kind != ItemKind.QUIZ]
    password_hash = hash_password(PASSWORD)  # one Argon2 hash for all: the same password
    learners = []
    for number in range(count):
        email = f"bench.learner.{number:03d}@kaskad.bench"
        user = User(
            email=email,
            email_casefold=casefold_email(email),
            password_hash=password_hash,
            surname="Навантаження",
            given_name=f"Слухачка {number}",
            locale="uk",
        )
        enrolment = Enrolment(user=user, course=course)
        enrolment.completions = [ItemCompletion(item_id=item_id) for item_id in others]
        db.session.add_all([user, enrolment])
        learners.append(
            {
                "email": email,
                "password": PASSWORD,
                "lesson": f"/courses/{COURSE}/items/{quiz.item.key}",
                "start": f"/courses/quizzes/{quiz.id}/start",
            }
        )
    db.session.commit()
    out.write_text(json.dumps(learners, ensure_ascii=False))


def _answered(value: Any) -> bool:
    if isinstance(value, dict):
        return any(value.values())
    return value not in (None, "", [])


def count(result_file: Path) -> None:
    from courses.quizzes.models import Attempt, AttemptQuestion
    from lms.extensions import db

    result = json.loads(result_file.read_text())
    sent = saved = attempts = graded = 0
    for learner in result["learners"]:
        if learner["attempt"] is None:
            continue
        attempt = db.session.get(Attempt, learner["attempt"])
        if attempt is None:
            continue
        attempts += 1
        graded += attempt.state == "finished" and attempt.score is not None
        stored = {
            slot.slot: slot.response
            for slot in db.session.scalars(
                select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id)
            )
        }
        slots = {int(field[1:].split("-")[0]) for answers in learner["sent"].values() for field in answers}
        sent += len(slots)  # a question answered (a matching question sends a field per row)
        saved += sum(1 for slot in slots if _answered(stored.get(slot)))
    print(json.dumps({"sent": sent, "saved": saved, "attempts": attempts, "graded": graded}))


def main() -> int:
    from lms import create_app

    app = create_app()
    with app.app_context():
        if sys.argv[1] == "prepare":
            prepare(int(sys.argv[2]), Path(sys.argv[3]))
        else:
            count(Path(sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
