"""``python -m bench cascade``: the lineage of a generated cascade and the gradebook of a large cohort.

The cascade: 10 national trainers, each training one TOT cohort of 30 regional trainers (300), each of
whom trains one cohort of about 21 hub coordinators (6,200, one per hub, hubs spread over 27 regions).
Every member completed, so every completion is an edge of the lineage. Then one cohort of 300 learners
of a course of 4 modules, a quiz testing 3 competences and 8 sessions with attendance marked, with
progress, attempts and marks drawn from a fixed seed.

Measured in this process through Flask's test client (the whole request: permission checks, the SQL,
the template), logged in as a national admin, on SQLite in a temporary folder: the national view
(``/cohorts/lineage``, target p50 < 200 ms), a national trainer's page (30 trainers below her), the
gradebook of the 300-learner cohort (``/cohorts/<id>/gradebook``, target p50 < 300 ms) and its XLSX
export; and the SQL of ``lms lineage`` for a national trainer alone.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

NATIONAL = 10
REGIONAL_PER_NATIONAL = 30
COORDINATORS = 6200
REGIONS = 27
LEARNERS = 300
SESSIONS = 8
WARM_UP = 5
REQUESTS = 30
NATIONAL_TARGET_MS = 200.0
GRADEBOOK_TARGET_MS = 300.0
PASSWORD = "bench-cascade-2026"  # noqa: S105 - an account of a throw-away benchmark database
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Timing:
    """Wall time of each request, and the CPU time this process spent on it: on a machine shared with
    other work the wall time grows with the load, the CPU time much less (both are printed)."""

    name: str
    seconds: list[float]
    target_ms: float | None = None
    cpu_seconds: list[float] | None = None

    @property
    def cpu_p50_ms(self) -> float:
        return statistics.median(self.cpu_seconds or [0.0]) * 1000

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000

    @property
    def met(self) -> bool:
        return self.target_ms is None or self.p50_ms < self.target_ms

    def line(self) -> str:
        target = "" if self.target_ms is None else f"   target p50 < {self.target_ms:.0f} ms: "
        verdict = "" if self.target_ms is None else ("met" if self.met else "NOT met")
        return (
            f"  {self.name:<44} p50 {self.p50_ms:7.1f} ms   p95 {self.p95_ms:7.1f} ms   "
            f"CPU p50 {self.cpu_p50_ms:7.1f} ms   (n={len(self.seconds)}){target}{verdict}"
        )


def _app(folder: str) -> Any:
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cascade.db",
            "LMS_INSTANCE_PATH": folder,
            "COURSES_MEDIA_DIR": f"{folder}/media",
            "SECRET_KEY": "bench-cascade-not-secret",
            "LMS_ENV": "production",
            "LMS_BASE_URL": "http://127.0.0.1",
            "LMS_LOGIN_LIMIT": "100000 per minute",
            "TESTING": True,  # the settings above, not the environment's
        }
    )


def _orgs(db: Any) -> tuple[Any, list[Any], list[Any], list[Any]]:
    """A root, 27 regions with a training centre each, and 6,200 hubs spread over the regions."""
    from lms.orgs.models import Organisation
    from lms.orgs.services import create_organisation

    root = create_organisation("BENCH", "national", {"uk": "Міністерство (бенчмарк)"}, None)
    regions = [
        create_organisation(f"BR-{number:02d}", "region", {"uk": f"Область {number:02d}"}, root)
        for number in range(REGIONS)
    ]
    centres = [
        create_organisation(f"BTC-{number:02d}", "training_centre", {"uk": f"Центр {number:02d}"}, region)
        for number, region in enumerate(regions)
    ]
    hubs = []
    for number in range(COORDINATORS + LEARNERS):
        region = regions[number % REGIONS]
        hub = Organisation(
            code=f"BH-{number:05d}", kind="hub", parent_id=region.id, depth=region.depth + 1, services=[]
        )
        hub.set_name({"uk": f"Хаб {number:05d}"})
        hubs.append(hub)
    db.session.add_all(hubs)
    db.session.flush()
    paths = {region.id: region.path for region in regions}
    for hub in hubs:
        hub.path = f"{paths[hub.parent_id]}{hub.id}/"
    db.session.flush()
    return root, regions, centres, hubs


def _people(db: Any, prefix: str, homes: list[Any]) -> list[Any]:
    from lms.accounts.models import User

    people = []
    for number, home in enumerate(homes):
        user = User(organisation_id=home.id, timezone="Europe/Kyiv")
        user.set_email(f"{prefix}.{number:05d}@kaskad.bench")
        user.set_names(f"Прізвище{number:05d}", "Олена", "Петрівна")
        people.append(user)
    db.session.add_all(people)
    db.session.flush()
    return people


def _course(db: Any, code: str, modules: int = 1, items: int = 1) -> Any:
    from courses.models import Course, Item, Module

    course = Course(code=code, title={"uk": f"Курс {code}"}, status="published", is_open=False)
    for position in range(modules):
        module = Module(key=f"m{position}", position=position, title={"uk": f"Модуль {position + 1}"})
        module.items = [
            Item(key=f"m{position}i{index}", position=index, kind="text", title={"uk": f"Тема {index + 1}"})
            for index in range(items)
        ]
        course.modules.append(module)
    db.session.add(course)
    db.session.flush()
    return course


def _completed_cohort(
    db: Any, course: Any, organisation: Any, trainer: Any, learners: list[Any], year: int
) -> None:
    """A closed cohort whose every learner completed it, trained by ``trainer`` (the lineage's edges)."""
    from sqlalchemy import insert

    from courses.cohorts.models import Cohort, CohortMember, cohort_trainer, completion_trainer
    from courses.models import Enrolment

    cohort = Cohort(
        course_id=course.id,
        organisation_id=organisation.id,
        starts_on=date(year, 3, 1),
        ends_on=date(year, 4, 1),
        status="closed",
        closed_at=datetime(year, 4, 2),
    )
    db.session.add(cohort)
    db.session.flush()
    db.session.execute(insert(cohort_trainer), [{"cohort_id": cohort.id, "user_id": trainer.id}])
    enrolments = [Enrolment(user_id=learner.id, course_id=course.id) for learner in learners]
    db.session.add_all(enrolments)
    db.session.flush()
    done = datetime(year, 4, 1, 12)
    members = [
        CohortMember(
            cohort_id=cohort.id,
            user_id=learner.id,
            enrolment_id=enrolment.id,
            status="completed",
            completed_at=done,
            completion_source="rule",
            announced_at=done,
        )
        for learner, enrolment in zip(learners, enrolments, strict=True)
    ]
    db.session.add_all(members)
    db.session.flush()
    db.session.execute(
        insert(completion_trainer), [{"member_id": member.id, "user_id": trainer.id} for member in members]
    )


def build_cascade(db: Any) -> tuple[Any, Any, Any]:
    """The generated cascade and the large cohort; returns (admin, a national trainer, the cohort)."""
    from lms.accounts.services import create_user, grant_role

    root, _regions, centres, hubs = _orgs(db)
    tot, deh = _course(db, "B-TOT"), _course(db, "B-DEH")
    national = _people(db, "national", [root] * NATIONAL)
    regional = _people(
        db, "regional", [centres[number % REGIONS] for number in range(NATIONAL * REGIONAL_PER_NATIONAL)]
    )
    coordinators = _people(db, "coordinator", hubs[:COORDINATORS])
    for number, trainer in enumerate(national):
        trained = regional[number * REGIONAL_PER_NATIONAL : (number + 1) * REGIONAL_PER_NATIONAL]
        _completed_cohort(db, tot, root, trainer, trained, 2024)
    share = COORDINATORS / len(regional)
    for number, trainer in enumerate(regional):
        trained = coordinators[round(number * share) : round((number + 1) * share)]
        _completed_cohort(db, deh, centres[number % REGIONS], trainer, trained, 2025)
    admin = create_user(
        "admin@kaskad.bench", "Адміністратор", "Бенчмарк", organisation=root, password=PASSWORD
    )
    grant_role(admin, "admin", root)
    cohort = _large_cohort(db, centres[0], regional[0], _people(db, "learner", hubs[COORDINATORS:]))
    db.session.commit()
    return admin, national[0], cohort


def _large_cohort(db: Any, centre: Any, trainer: Any, learners: list[Any]) -> Any:
    """A running cohort of 300: 4 modules of 4 items and a quiz of 3 competences, 8 sessions marked."""
    from sqlalchemy import insert

    from courses.cohorts.models import Attendance, Cohort, CohortMember, CohortSession, cohort_trainer
    from courses.frameworks.models import Competence, Framework
    from courses.models import Enrolment, Item, ItemCompletion
    from courses.quizzes.models import Attempt, Quiz, QuizCompetence

    draw = random.Random(8)  # benchmark data: a fixed seed
    course = _course(db, "B-GRADE", modules=4, items=4)
    competences = [
        Competence(idnumber=str(number), shortname={"uk": f"Компетентність {number}"}, path=f"/{number:04d}/")
        for number in range(3)
    ]
    db.session.add(Framework(idnumber="B-FW", shortname={"uk": "Рамка"}, competences=competences))
    quiz_item = Item(key="quiz", position=9, kind="quiz", title={"uk": "Тест"})
    course.modules[-1].items.append(quiz_item)
    quiz = Quiz(
        item=quiz_item,
        competences=[QuizCompetence(competence=c, level=1, position=i) for i, c in enumerate(competences)],
    )
    db.session.add(quiz)
    today = date.today()
    cohort = Cohort(
        course_id=course.id, organisation_id=centre.id, starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=30), status="running", title="Велика група",
    )  # fmt: skip
    db.session.add(cohort)
    db.session.flush()
    db.session.execute(insert(cohort_trainer), [{"cohort_id": cohort.id, "user_id": trainer.id}])
    enrolments = [Enrolment(user_id=learner.id, course_id=course.id) for learner in learners]
    db.session.add_all(enrolments)
    db.session.flush()
    members = [
        CohortMember(cohort_id=cohort.id, user_id=learner.id, enrolment_id=enrolment.id)
        for learner, enrolment in zip(learners, enrolments, strict=True)
    ]
    db.session.add_all(members)
    db.session.flush()
    texts = [item.id for module in course.modules for item in module.items if item.kind == "text"]
    completions, attempts = [], []
    for learner, enrolment in zip(learners, enrolments, strict=True):
        done = draw.randint(0, len(texts))
        completions += [{"enrolment_id": enrolment.id, "item_id": item_id} for item_id in texts[:done]]
        for number in range(1, draw.randint(0, 2) + 1):
            results = []
            for competence in competences:
                percent = round(draw.uniform(20, 100), 2)
                results.append(
                    {
                        "competence_id": competence.id,
                        "level": 1,
                        "percent": percent,
                        "minimum": 60.0,
                        "reached": percent >= 60,
                    }
                )
            passed = all(result["reached"] for result in results)
            score = sum(result["percent"] for result in results) / len(results)
            attempts.append(
                Attempt(
                    quiz_id=quiz.id,
                    user_id=learner.id,
                    number=number,
                    state="finished",
                    score=score,
                    passed=passed,
                    results=results,
                )
            )
    db.session.execute(insert(ItemCompletion), completions)
    db.session.add_all(attempts)
    now = datetime.now()
    statuses = ["present"] * 7 + ["late", "absent", "excused"]
    for number in range(SESSIONS):
        start = now - timedelta(days=7 * (SESSIONS - number))
        session = CohortSession(cohort_id=cohort.id, starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.add(session)
        db.session.flush()
        db.session.execute(
            insert(Attendance),
            [
                {"session_id": session.id, "member_id": member.id, "status": draw.choice(statuses)}
                for member in members
            ],
        )
    db.session.flush()
    return cohort


def _login(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page)
    assert token, "no CSRF token on /login"
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "email": "admin@kaskad.bench", "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def _time(name: str, call: Callable[[], Any], target_ms: float | None = None) -> Timing:
    for _ in range(WARM_UP):
        call()
    seconds, cpu = [], []
    for _ in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing(name, seconds, target_ms, cpu)


def _get(client: Any, path: str) -> Callable[[], Any]:
    def call() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return call


def run() -> list[Timing]:
    from flask_migrate import upgrade

    from courses.cohorts import lineage
    from lms.extensions import db

    with tempfile.TemporaryDirectory(prefix="kaskad-bench-cascade-") as folder:
        app = _app(folder)
        with app.app_context():
            upgrade(revision="heads")
            started = time.perf_counter()
            admin, national, cohort = build_cascade(db)
            print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
            national_id, cohort_id = national.id, cohort.id
            reach = lineage.reach_of(national)
            levels = lineage.levels(lineage.Scope((), is_everything=True))
            print(
                "  levels (people per level): "
                + ", ".join(f"{level.number}: {level.people}" for level in levels)
                + f"; a national trainer: direct {reach.direct}, indirect {reach.indirect}, "
                f"hubs {reach.hubs}, regions {reach.regions}",
                flush=True,
            )
            db.session.remove()
        client = app.test_client()
        _login(client)
        timings = [
            _time("national view /cohorts/lineage", _get(client, "/cohorts/lineage"), NATIONAL_TARGET_MS),
            _time(
                "a national trainer's lineage page", _get(client, f"/cohorts/lineage/trainers/{national_id}")
            ),
            _time(
                f"gradebook of {LEARNERS} learners",
                _get(client, f"/cohorts/{cohort_id}/gradebook"),
                GRADEBOOK_TARGET_MS,
            ),
            _time(f"gradebook of {LEARNERS} as XLSX", _get(client, f"/cohorts/{cohort_id}/gradebook.xlsx")),
        ]
        with app.app_context():
            trainer = db.session.get(type(admin), national_id)
            timings.append(_time("lms lineage's tree (SQL + JSON), national", lambda: lineage.tree(trainer)))
            db.session.remove()
        return timings


def main() -> int:
    print(f"Load average at the start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    timings = run()
    for timing in timings:
        print(timing.line())
    return 0 if all(timing.met for timing in timings) else 1


if __name__ == "__main__":
    raise SystemExit(main())
