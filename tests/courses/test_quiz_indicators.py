"""The quizzes' monitoring figures against counts made here: the pass rate of a period's graded
attempts, the share of assessed competences below the minimum, and the competence-gap heat map
(competence × region), within the viewer's scope; and the map on the dashboard."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import insert

from courses.frameworks.models import (
    Competence,
    Framework,
    MinimumProfile,
    ProficiencyLevel,
    ProfileRequirement,
    job_profile,
)
from courses.quizzes.models import Attempt, CompetenceLevel, Quiz, QuizCompetence
from lms.accounts.models import Job
from lms.monitoring.aggregates import Filters
from lms.monitoring.periods import Period
from lms.permissions import Scope
from lms.plugins import registry
from lms.testing import login

EVERYTHING = Scope((), is_everything=True)
Q3 = Period.quarter(2026, 3)
QUIZ = (("check", True, [("final-quiz", "quiz", "button", True)]),)


@pytest.fixture
def assessed(app, db, world, make, make_course):
    return build_assessed(db, world, make, make_course("GAP-1", layout=QUIZ))


def build_assessed(db, world, make, course):
    """Two competences required at level 3; four coordinators in r1, two in r2, one without the job;
    their attempts at the course's quiz and the levels they reached, in Q3 and Q4 of 2026."""
    framework = Framework(idnumber="GAP-FW", shortname={"uk": "Рамка", "en": "Framework"})
    for number in range(1, 6):
        framework.levels.append(ProficiencyLevel(number=number, name={"en": f"Level {number}"}))
    search = Competence(idnumber="1.1", shortname={"uk": "Пошук", "en": "Searching"}, path="/0001/")
    safety = Competence(idnumber="4.1", shortname={"uk": "Безпека", "en": "Safety"}, path="/0002/")
    framework.competences.extend([search, safety])
    profile = MinimumProfile(code="GAP-PROFILE", name={"en": "Coordinator"}, framework=framework)
    job = Job(code="GAP-JOB", name={"en": "Coordinator"})
    db.session.add_all([framework, profile, job])
    db.session.flush()
    profile.requirements.extend(
        [
            ProfileRequirement(competence_id=search.id, level=3),
            ProfileRequirement(competence_id=safety.id, level=3),
        ]
    )
    db.session.execute(insert(job_profile).values(job_id=job.id, profile_id=profile.id))
    item = next(item for item in course.items if item.kind == "quiz")
    quiz = Quiz(item=item, pass_mark=50)
    quiz.competences.extend(
        [
            QuizCompetence(competence_id=search.id, position=0),
            QuizCompetence(competence_id=safety.id, position=1),
        ]
    )
    db.session.add(quiz)
    people = {}
    for name, org in (("a", "hub@r1"), ("b", "hub@r1"), ("c", "hub@r1"), ("d", "hub@r1"), ("e", "hub@r2")):
        people[name] = make.user(world.orgs[org], ("learner",), email=f"{name}@gap.test", job=job)
    people["f"] = make.user(world.orgs["hub@r2"], ("learner",), email="f@gap.test", job=job)
    people["x"] = make.user(world.orgs["hub@r1"], ("learner",), email="x@gap.test")  # no job: no minimum
    db.session.flush()

    def attempt(person, number, finished, score, passed):
        db.session.add(
            Attempt(
                quiz_id=quiz.id,
                user_id=person.id,
                number=number,
                state="finished",
                finished_at=finished,
                score=score,
                passed=passed,
            )
        )

    in_q3, in_q4 = datetime(2026, 8, 10, 10), datetime(2026, 11, 2, 10)
    attempt(people["a"], 1, in_q3, 90, True)
    attempt(people["b"], 1, in_q3, 40, False)
    attempt(people["b"], 2, in_q3, 70, True)
    attempt(people["c"], 1, in_q3, 20, False)
    attempt(people["d"], 1, in_q3, None, None)  # an essay not graded yet: not assessed, not counted
    attempt(people["e"], 1, in_q3, 30, False)
    attempt(people["f"], 1, in_q4, 95, True)  # after Q3
    attempt(people["x"], 1, in_q3, 80, True)
    levels = [
        ("a", search, 4, in_q3),
        ("a", safety, 3, in_q3),
        ("b", search, 3, in_q3),
        ("b", safety, 2, in_q3),
        ("c", search, 1, in_q3),
        ("e", search, 5, in_q4),  # reached only after Q3: below as Q3 ends
        ("f", search, 5, in_q4),
        ("f", safety, 5, in_q4),
    ]
    for name, competence, level, when in levels:
        db.session.add(
            CompetenceLevel(
                user_id=people[name].id, competence_id=competence.id, level=level, demonstrated_at=when
            )
        )
    db.session.commit()
    return {"search": search, "safety": safety}


def test_the_pass_rate_of_graded_attempts_in_the_period_within_the_scope(app, db, world, assessed):
    rate = registry().indicators["quizzes.pass-rate"]
    assert rate.value(Filters(EVERYTHING, Q3)) == 3 / 6  # a, b(2nd), x passed; b(1st), c, e failed
    assert rate.value(Filters(Scope((world.orgs["r1"].path,)), Q3)) == 3 / 5
    assert rate.value(replace(Filters(EVERYTHING, Q3), region_id=world.orgs["r2"].id)) == 0
    assert rate.value(Filters(EVERYTHING, Period.quarter(2026, 4))) == 1
    assert rate.value(Filters(EVERYTHING, Period.quarter(2026, 2))) is None


def test_below_the_minimum_counts_assessed_pairs_as_the_period_ends(app, db, world, assessed):
    below = registry().indicators["quizzes.below-minimum"]
    # Q3: a, b, c (r1) and e (r2) assessed in both competences: 8 pairs; at level 3 or more by then:
    # a×2 and b's search; below: b's safety, c×2, e×2.
    assert below.value(Filters(EVERYTHING, Q3)) == 5 / 8
    assert below.value(Filters(Scope((world.orgs["r1"].path,)), Q3)) == 3 / 6
    # Q4 adds f (above in both) and e reached search in November.
    assert below.value(Filters(EVERYTHING, Period.quarter(2026, 4))) == 4 / 10


def test_the_competence_gap_map_by_competence_and_region(app, db, world, assessed):
    gaps = registry().heat_maps["quizzes.competence-gaps"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = gaps.build(Filters(EVERYTHING, Q3))
    search, safety = assessed["search"].id, assessed["safety"].id
    r1, r2 = world.orgs["r1"].id, world.orgs["r2"].id
    assert [key for key, _label in data.rows] == [search, safety]
    assert [key for key, _label in data.columns] == [r1, r2]  # only regions with assessed people
    assert (data.cells[(search, r1)].count, data.cells[(search, r1)].total) == (1, 3)  # c
    assert (data.cells[(safety, r1)].count, data.cells[(safety, r1)].total) == (2, 3)  # b, c
    assert data.cells[(search, r2)].share == 1.0 and data.cells[(safety, r2)].share == 1.0  # e
    with app.test_request_context():
        mine = gaps.build(Filters(Scope((world.orgs["r1"].path,)), Q3))
    assert [key for key, _label in mine.columns] == [r1]


def test_the_dashboard_draws_the_map_with_its_table(client, db, world, assessed):
    login(client, world.people["admin@root"])
    page = client.get("/monitoring/?period=2026-Q3", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Competence gaps: learners below the minimum" in page
    assert 'class="chart heat-map"' in page and '<title id="quizzes-competence-gaps-title">' in page
    assert "1 of 3" in page and "2 of 3" in page
    assert (
        "Quiz pass rate" in page and "Trainers licensed" in page and "People reached by the cascade" in page
    )
