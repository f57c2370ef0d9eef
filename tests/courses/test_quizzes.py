"""Quizzes on competence minimums: drawing questions (stratified, new ones on a retake), attempts allowed,
delays and extra attempts, grading exactly once (twice in a row, two tabs, two threads), the time limit
with its grace, abandoned attempts, results per competence with what to revisit, the highest level kept,
completion of the item and the course, essays graded by a trainer, and every page in the browser."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from courses import services as course_services
from courses.frameworks.models import (
    Competence,
    Framework,
    MinimumProfile,
    ProficiencyLevel,
    ProfileRequirement,
    job_profile,
    module_competence,
)
from courses.models import ItemCompletion
from courses.questions.models import Answer, Question, QuestionCategory
from courses.quizzes import services
from courses.quizzes.models import (
    Attempt,
    AttemptState,
    CompetenceLevel,
    Quiz,
    QuizCompetence,
    ReviewWhen,
)
from courses.signals import course_completed
from lms.accounts.models import Job
from lms.i18n import utcnow
from lms.permissions import scope
from lms.testing import csrf_token, login, post, statements

EN = {"Accept-Language": "en"}
LAYOUT = (
    ("basics", True, [("intro", "text", "next", True)]),
    ("safety", True, [("passwords", "text", "button", False)]),  # teaches competence 1.2
    ("check", True, [("final-quiz", "quiz", "button", True)]),
)
QUIZ_ONLY = (("check", True, [("final-quiz", "quiz", "button", True)]),)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- a small framework and bank, built here (no shipped data) ------------------------------------------


class Bank:
    """A framework with competences 1.1 and 1.2 (levels 1 … 8) and questions of every type."""

    def __init__(self, db) -> None:
        self.db = db
        self.framework = Framework(idnumber="QUIZ-TEST", shortname={"uk": "Рамка", "en": "Test framework"})
        for number in range(1, 9):
            self.framework.levels.append(ProficiencyLevel(number=number, name={"en": f"Level {number}"}))
        self.a = Competence(idnumber="1.1", shortname={"en": "Searching"}, path="/0001/", position=1)
        self.b = Competence(idnumber="1.2", shortname={"en": "Evaluating"}, path="/0002/", position=2)
        self.framework.competences.extend([self.a, self.b])
        self.category = QuestionCategory(name="Quiz test", path="Top/Quiz test")
        db.session.add_all([self.framework, self.category])
        db.session.flush()

    def single(self, competence, level: int, name: str) -> Question:
        return self._add(
            competence,
            level,
            name,
            "single",
            [
                (f"{name} right", 1.0, f"{name} SECRET-RIGHT-FEEDBACK"),
                (f"{name} wrong", 0.0, ""),
                (f"{name} no", 0.0, ""),
            ],
        )

    def _add(self, competence, level, name, kind, answers, feedback="") -> Question:
        question = Question(
            category=self.category,
            name=name,
            type=kind,
            text=f"What about **{name}**?",
            format="markdown",
            general_feedback=feedback,
            competence_id=competence.id,
            level=level,
        )
        for position, entry in enumerate(answers):  # (text, fraction, feedback[, tolerance[, match]])
            text_, fraction, answer_feedback, tolerance, match = (*entry, None, None)[:5]
            question.answers.append(
                Answer(
                    position=position,
                    text=text_,
                    fraction=fraction,
                    feedback=answer_feedback,
                    tolerance=tolerance,
                    match=match,
                )
            )
        self.db.session.add(question)
        self.db.session.flush()
        return question

    def fill(self, competence, level: int, count: int, prefix: str) -> list[Question]:
        """``count`` single-choice questions (committed, so the pages see them)."""
        questions = [self.single(competence, level, f"{prefix}{number}") for number in range(1, count + 1)]
        self.db.session.commit()
        return questions


@pytest.fixture
def bank(db) -> Bank:
    return Bank(db)


def make_quiz(db, course, rows, **settings) -> Quiz:
    """A quiz on the course's quiz item: rows of (competence, level, count, minimum %)."""
    item = next(item for item in course.items if item.kind == "quiz")
    quiz = Quiz(item=item, shuffle_questions=True, shuffle_answers=True, **settings)
    for position, (competence, level, count, minimum) in enumerate(rows):
        quiz.competences.append(
            QuizCompetence(
                competence_id=competence.id,
                level=level,
                count=count,
                minimum_percent=minimum,
                position=position,
            )
        )
    db.session.add(quiz)
    db.session.commit()
    return quiz


@pytest.fixture
def learner(world):
    return world.people["learner@r1"]


@pytest.fixture
def course(make_course, db, bank):
    course = make_course("QUIZ-1", layout=LAYOUT)
    safety = next(module for module in course.modules if module.key == "safety")
    db.session.execute(insert(module_competence).values(module_id=safety.id, competence_id=bank.b.id))
    db.session.commit()
    return course


@pytest.fixture
def enrolled(db, course, learner):
    enrolment = course_services.enrol(learner, course)
    db.session.commit()
    return enrolment


def respond(attempt, right: bool | dict = True) -> dict[int, object]:
    """Responses for every slot: the right one or a wrong one (per competence id when a dict)."""
    from courses.questions.grading import correct_response

    responses = {}
    for slot in attempt.questions:
        is_right = right.get(slot.competence_id, False) if isinstance(right, dict) else right
        good = correct_response(slot.question)
        if is_right:
            responses[slot.slot] = good
        elif slot.question.type == "single":
            responses[slot.slot] = next(
                index for index, answer in enumerate(slot.question.answers) if not answer.fraction
            )
        else:
            responses[slot.slot] = None
    return responses


def take(db, quiz, user, right: bool | dict = True, now=None):
    attempt = services.start_attempt(quiz, user, now=now)
    services.save_page(attempt, respond(attempt, right), now=now)
    services.finish_attempt(attempt, now=now)
    db.session.commit()
    return attempt


# --- drawing -------------------------------------------------------------------------------------------


def test_questions_are_drawn_per_competence_at_its_level(db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 6, "a2-")
    bank.fill(bank.a, 4, 6, "a4-")
    bank.fill(bank.b, 2, 6, "b2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60), (bank.b, 2, 2, 50)])

    attempt = services.start_attempt(quiz, learner)

    drawn = [(slot.question.competence_id, slot.question.level) for slot in attempt.questions]
    assert sorted(drawn) == sorted([(bank.a.id, 2)] * 3 + [(bank.b.id, 2)] * 2)
    assert [slot.slot for slot in attempt.questions] == [1, 2, 3, 4, 5]
    assert all(slot.level == 2 for slot in attempt.questions)


def test_a_retake_draws_questions_not_seen_before_while_the_bank_has_them(
    db, bank, course, enrolled, learner
):
    bank.fill(bank.a, 2, 6, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])

    first = take(db, quiz, learner, right=False)
    second = take(db, quiz, learner, right=False)
    third = services.start_attempt(quiz, learner)

    ids = [{slot.question_id for slot in attempt.questions} for attempt in (first, second, third)]
    assert len(ids[0]) == len(ids[1]) == len(ids[2]) == 3
    assert not ids[0] & ids[1]  # six questions: the retake draws three new ones
    assert ids[2] <= ids[0] | ids[1]  # all seen: it draws again from them


def test_the_level_can_come_from_the_learners_minimum_profile(db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 3, "a2-")
    bank.fill(bank.a, 5, 3, "a5-")
    profile = MinimumProfile(code="QUIZ-PROFILE", name={"en": "Coordinator"}, framework=bank.framework)
    profile.requirements.append(ProfileRequirement(competence_id=bank.a.id, level=5))
    job = Job(code="QUIZ-JOB", name={"en": "Coordinator"})
    db.session.add_all([profile, job])
    db.session.flush()
    db.session.execute(insert(job_profile).values(job_id=job.id, profile_id=profile.id))
    learner.job_id = job.id
    quiz = make_quiz(db, course, [(bank.a, None, 2, 60)])

    attempt = services.start_attempt(quiz, learner)

    assert {slot.question.level for slot in attempt.questions} == {5}


def test_questions_and_answer_order_are_fixed_when_the_attempt_starts(db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 4, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 4, 60)], questions_per_page=2)

    attempt = services.start_attempt(quiz, learner)
    db.session.commit()
    stored = [(slot.slot, slot.page, slot.question_id, slot.answer_order) for slot in attempt.questions]
    again = services.start_attempt(quiz, learner)  # continuing: the same attempt, unchanged

    assert again.id == attempt.id
    assert [(slot.slot, slot.page, slot.question_id, slot.answer_order) for slot in again.questions] == stored
    assert [page for _, page, _, _ in stored] == [1, 1, 2, 2]
    assert all(sorted(order) == [0, 1, 2] for _, _, _, order in stored)


def test_an_empty_bank_cannot_start_an_attempt(db, bank, course, enrolled, learner):
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])
    with pytest.raises(services.QuizError) as error:
        services.start_attempt(quiz, learner)
    assert error.value.code == services.NO_QUESTIONS


# --- attempts allowed, delay, extra attempts ------------------------------------------------------------


def test_attempts_allowed_are_enforced_and_a_trainer_can_grant_one_more(
    db, bank, course, enrolled, learner, world
):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)], attempts_allowed=1)
    take(db, quiz, learner, right=False)

    with pytest.raises(services.QuizError) as error:
        services.start_attempt(quiz, learner)
    assert error.value.code == services.NO_ATTEMPTS_LEFT

    services.grant_extra_attempt(quiz, learner, world.people["admin@r1"])
    second = services.start_attempt(quiz, learner)
    assert second.number == 2


def test_a_delay_applies_between_attempts(db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 6, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)], delay_minutes=60)
    start = utcnow()
    first = take(db, quiz, learner, right=False, now=start)

    with pytest.raises(services.QuizError) as error:
        services.start_attempt(quiz, learner, now=start + timedelta(minutes=30))
    assert error.value.code == services.TOO_SOON
    assert error.value.when == first.finished_at + timedelta(minutes=60)
    assert services.start_attempt(quiz, learner, now=start + timedelta(minutes=61)).number == 2


# --- graded exactly once -------------------------------------------------------------------------------


@pytest.fixture
def completions(app):
    """The enrolments whose course completed, as the signal announced them."""
    heard = []

    def receiver(sender, enrolment, **kwargs):
        heard.append(enrolment.id)

    course_completed.connect(receiver, sender=app)
    yield heard
    course_completed.disconnect(receiver, sender=app)


def test_finishing_twice_grades_once(db, bank, make_course, learner, completions):
    bank.fill(bank.a, 2, 3, "a2-")
    course = make_course("QUIZ-2", layout=QUIZ_ONLY)
    enrolment = course_services.enrol(learner, course)
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])
    attempt = services.start_attempt(quiz, learner)
    services.save_page(attempt, respond(attempt))

    assert services.finish_attempt(attempt) is True
    finished_at = attempt.finished_at
    assert services.finish_attempt(attempt) is False
    db.session.commit()

    assert attempt.finished_at == finished_at and attempt.passed and attempt.score == 100
    assert completions == [enrolment.id]
    assert db.session.scalar(select(func.count()).select_from(ItemCompletion)) == 1


def test_two_requests_finishing_at_the_same_moment_grade_once(
    app, db, bank, make_course, learner, completions
):
    bank.fill(bank.a, 2, 3, "a2-")
    course = make_course("QUIZ-3", layout=QUIZ_ONLY)
    course_services.enrol(learner, course)
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])
    attempt = services.start_attempt(quiz, learner)
    services.save_page(attempt, respond(attempt))
    db.session.commit()
    attempt_id = attempt.id
    db.session.close()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def second_tab() -> None:
        with app.app_context():
            from lms.extensions import db as thread_db

            mine = thread_db.session.get(Attempt, attempt_id)
            barrier.wait()
            try:
                outcomes.append(services.finish_attempt(mine))
                thread_db.session.commit()
            except Exception as problem:
                outcomes.append(problem)
                thread_db.session.rollback()
            finally:
                thread_db.session.remove()

    tabs = [threading.Thread(target=second_tab) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(30)

    assert sorted(outcomes, key=str) == [False, True]
    assert len(completions) == 1
    assert db.session.scalar(select(func.count()).select_from(ItemCompletion)) == 1


def test_a_second_tab_submitting_again_is_told_the_attempt_was_graded_once(
    app, db, bank, course, enrolled, learner
):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])
    attempt = services.start_attempt(quiz, learner)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, learner)
    login(second, learner)
    finish = f"/courses/quizzes/attempts/{attempt.id}/finish"
    tokens = [csrf_token(client, finish) for client in (first, second)]  # both tabs show the page

    one = first.post(finish, data={"csrf_token": tokens[0]}, headers=EN)
    two = second.post(finish, data={"csrf_token": tokens[1]}, headers=EN, follow_redirects=True)

    assert one.status_code == 302
    assert "already been submitted" in text(two)
    page = f"/courses/quizzes/attempts/{attempt.id}/1"
    late = second.post(page, data={"csrf_token": tokens[1], "q1": "0"}, headers=EN, follow_redirects=True)
    assert "the answers of this page were not saved" in text(late)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state == AttemptState.FINISHED


# --- the time limit ------------------------------------------------------------------------------------


def test_answers_saved_in_time_count_and_later_ones_are_refused(app, db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 2, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 2, 50)], time_limit_minutes=10, questions_per_page=1)
    start = utcnow()
    attempt = services.start_attempt(quiz, learner, now=start)
    grace = timedelta(seconds=app.config["COURSES_QUIZ_GRACE_SECONDS"])
    right = respond(attempt)

    services.save_page(
        attempt, {1: right[1]}, now=start + timedelta(minutes=10) + grace - timedelta(seconds=1)
    )
    with pytest.raises(services.QuizError) as error:
        services.save_page(
            attempt, {2: right[2]}, now=start + timedelta(minutes=10) + grace + timedelta(seconds=1)
        )
    assert error.value.code == services.CLOSED
    assert services.touch(attempt, now=start + timedelta(minutes=11)) is True
    db.session.commit()

    assert attempt.state == AttemptState.FINISHED and attempt.is_overdue
    assert attempt.finished_at == attempt.deadline_at
    assert attempt.score == 50  # only the answer saved in time counts
    assert [slot.response for slot in attempt.questions][1] is None


def test_an_abandoned_attempt_is_finalised_on_the_next_request_that_touches_it(
    db, bank, course, enrolled, learner
):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)], time_limit_minutes=5)
    start = utcnow() - timedelta(hours=1)
    attempt = services.start_attempt(quiz, learner, now=start)
    services.save_page(attempt, respond(attempt), now=start + timedelta(minutes=1))
    db.session.commit()

    services.start_attempt(quiz, learner)  # the next visit: the old attempt is finalised first

    assert attempt.state == AttemptState.FINISHED and attempt.is_overdue and attempt.passed
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_the_periodic_command_finalises_abandoned_attempts(
    db, bank, course, enrolled, learner, runner, make_course
):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)], time_limit_minutes=5)
    other = make_quiz(db, make_course("QUIZ-9", layout=QUIZ_ONLY), [(bank.a, 2, 1, 60)], time_limit_minutes=5)
    attempt = services.start_attempt(quiz, learner, now=utcnow() - timedelta(hours=1))
    fresh = services.start_attempt(other, learner)  # still within its time
    db.session.commit()

    result = runner.invoke(args=["quizzes", "finalise-overdue"])

    assert result.exit_code == 0, result.output
    assert "1 overdue attempt finalised." in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state == AttemptState.FINISHED
    assert db.session.get(Attempt, fresh.id).state == AttemptState.IN_PROGRESS


# --- results -------------------------------------------------------------------------------------------


def test_results_per_competence_say_what_to_revisit(client, db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 3, "a2-")
    bank.fill(bank.b, 3, 2, "b3-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60), (bank.b, 3, 2, 50)], pass_mark=40)

    attempt = take(db, quiz, learner, right={bank.a.id: True, bank.b.id: False})

    by_competence = {entry["competence_id"]: entry for entry in attempt.results}
    assert by_competence[bank.a.id]["percent"] == 100 and by_competence[bank.a.id]["reached"]
    assert by_competence[bank.b.id]["percent"] == 0 and not by_competence[bank.b.id]["reached"]
    assert attempt.score == 60 and not attempt.passed  # over the pass mark, but 1.2 was not reached
    login(client, learner)
    page = text(client.get(f"/courses/quizzes/attempts/{attempt.id}", headers=EN))
    assert "What to revisit" in page
    assert "/courses/QUIZ-1/items/passwords" in page  # the module tagged with 1.2
    assert "Not passed yet." in page


def test_what_to_revisit_links_only_to_modules_the_learner_may_open(
    client, db, bank, course, enrolled, learner, make_course
):
    closed = make_course("QUIZ-CLOSED", is_open=False)  # by enrolment only; she is not in it
    for module in closed.modules:
        db.session.execute(insert(module_competence).values(module_id=module.id, competence_id=bank.a.id))
    db.session.commit()
    bank.fill(bank.a, 2, 3, "a2-")
    bank.fill(bank.b, 2, 3, "b2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60), (bank.b, 2, 3, 60)])
    attempt = take(db, quiz, learner, right=False)
    login(client, learner)

    page = text(client.get(f"/courses/quizzes/attempts/{attempt.id}", headers=EN))

    assert "/courses/QUIZ-1/items/passwords" in page  # 1.2: taught in her own course
    assert "/courses/QUIZ-CLOSED/" not in page  # 1.1: taught only where she would get a 403
    assert "none of the modules you can open teaches it yet; ask your trainer." in page
    course_services.enrol(learner, closed)
    db.session.commit()
    assert "/courses/QUIZ-CLOSED/items/" in text(client.get(f"/courses/quizzes/attempts/{attempt.id}"))


def test_the_profile_keeps_the_highest_level_demonstrated(db, bank, course, enrolled, learner):
    bank.fill(bank.a, 4, 3, "a4-")
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 4, 3, 60)])
    take(db, quiz, learner)
    assert services.demonstrated_levels(learner)[bank.a.id].level == 4

    quiz.competences[0].level = 2
    take(db, quiz, learner)
    take(db, quiz, learner, right=False)

    assert services.demonstrated_levels(learner)[bank.a.id].level == 4
    assert db.session.scalar(select(func.count()).select_from(CompetenceLevel)) == 1


def test_two_right_answers_out_of_two_do_not_confirm_a_level(
    client, db, app, bank, course, enrolled, learner
):
    assert app.config["COURSES_QUIZ_MIN_EVIDENCE"] == 3  # the default
    bank.fill(bank.a, 2, 6, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 2, 50)])

    attempt = take(db, quiz, learner)

    [result] = attempt.results
    assert result["percent"] == 100 and result["questions"] == 2 and not result["reached"]
    assert not attempt.passed and services.demonstrated_levels(learner) == {}
    login(client, learner)
    page = text(client.get(f"/courses/quizzes/attempts/{attempt.id}", headers=EN))
    assert "not confirmed" in page and "only 2 questions asked; a level needs at least 3" in page
    assert "What to revisit" not in page  # nothing was answered wrong

    app.config["COURSES_QUIZ_MIN_EVIDENCE"] = 2  # a setting: an installation may ask for less, or more
    assert take(db, quiz, learner).passed
    assert services.demonstrated_levels(learner)[bank.a.id].level == 2


def test_the_profile_shows_which_required_competences_no_quiz_of_hers_tests_yet(
    client, db, bank, course, enrolled, learner, make_course
):
    profile = MinimumProfile(code="QUIZ-PROFILE", name={"en": "Coordinator"}, framework=bank.framework)
    profile.requirements.append(ProfileRequirement(competence_id=bank.a.id, level=3))
    profile.requirements.append(ProfileRequirement(competence_id=bank.b.id, level=4))
    job = Job(code="QUIZ-JOB", name={"en": "Coordinator"})
    db.session.add_all([profile, job])
    db.session.flush()
    db.session.execute(insert(job_profile).values(job_id=job.id, profile_id=profile.id))
    learner.job_id = job.id
    make_quiz(db, course, [(bank.a, None, 3, 60), (bank.b, 3, 3, 60)])  # 1.2 below its minimum of 4
    closed = make_course("QUIZ-CLOSED", is_open=False, layout=QUIZ_ONLY)
    make_quiz(db, closed, [(bank.b, 4, 3, 60)])  # tests 1.2 at 4, but she may not take it

    assert services.untested_requirements(learner) == {bank.b.id}
    login(client, learner)
    page = text(client.get("/competences/", headers=EN))
    start = page.index('id="untested-heading"')
    section = page[start : page.index("</section>", start)]
    assert "1.2 Evaluating" in section and "1.1 Searching" not in section
    assert "no quiz tests it yet" in page

    course_services.enrol(learner, closed)
    db.session.commit()
    assert services.untested_requirements(learner) == set()
    assert 'id="untested-heading"' not in text(client.get("/competences/", headers=EN))


def test_passing_completes_the_quiz_item_and_the_course(db, bank, make_course, learner, completions):
    bank.fill(bank.a, 2, 6, "a2-")
    course = make_course("QUIZ-4", layout=QUIZ_ONLY)
    enrolment = course_services.enrol(learner, course)
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])

    take(db, quiz, learner, right=False)
    assert completions == [] and enrolment.completed_at is None
    take(db, quiz, learner)

    assert completions == [enrolment.id]
    assert enrolment.completed_at is not None


def test_a_quiz_item_cannot_be_marked_as_done(client, db, bank, course, enrolled, learner):
    item = next(item for item in course.items if item.kind == "quiz")
    with pytest.raises(course_services.NotCompletable):
        course_services.complete_item(enrolled, item)
    login(client, learner)
    assert post(client, "/courses/QUIZ-1/items/final-quiz/complete").status_code == 400
    assert post(client, "/courses/QUIZ-1/items/final-quiz/next").status_code == 302
    db.session.expire_all()
    assert item.id not in course_services.enrolment_of(learner, course).completed_item_ids


def test_essays_wait_for_a_trainer_and_then_the_result_is_computed(
    app, db, bank, course, enrolled, learner, world
):
    app.config["COURSES_QUIZ_MIN_EVIDENCE"] = 1  # one essay is the whole quiz here
    essay = bank._add(bank.b, 2, "essay", "essay", [])
    quiz = make_quiz(db, course, [(bank.b, 2, 1, 50)])
    attempt = services.start_attempt(quiz, learner)
    services.save_page(attempt, {1: "Я б перевірила джерело."})
    services.finish_attempt(attempt)
    db.session.commit()

    assert attempt.is_waiting_for_grading and attempt.passed is None
    slot = attempt.questions[0]
    assert slot.question_id == essay.id and slot.needs_grading
    services.grade_essay(slot, 0.75, "Добре.", world.people["admin@r1"])
    db.session.commit()

    assert attempt.score == 75 and attempt.passed
    assert services.demonstrated_levels(learner)[bank.b.id].level == 2


def test_the_home_page_counts_the_essays_waiting_for_a_grade(
    client, db, bank, course, enrolled, learner, world
):
    bank._add(bank.b, 2, "essay", "essay", [])
    quiz = make_quiz(db, course, [(bank.b, 2, 1, 50)])
    attempt = services.start_attempt(quiz, learner)
    services.save_page(attempt, {1: "Я б перевірила джерело."})
    services.finish_attempt(attempt)
    db.session.commit()
    grader = world.people["admin@r1"]
    login(client, grader)

    home = text(client.get("/", headers=EN))
    assert '<a href="/courses/quizzes/grading">1 essay waits for a grade</a>' in home
    assert services.count_essays_to_grade(scope(world.people["admin@r2"], "courses.quiz.grade")) == 0
    services.grade_essay(attempt.questions[0], 0.75, "Добре.", grader)
    db.session.commit()
    assert "waits for a grade" not in text(client.get("/", headers=EN))


def test_review_waits_for_the_last_attempt_when_the_quiz_says_so(db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 6, "a2-")
    quiz = make_quiz(
        db, course, [(bank.a, 2, 3, 60)], attempts_allowed=2, review_when=ReviewWhen.AFTER_CLOSE.value
    )
    first = take(db, quiz, learner, right=False)
    assert not services.may_review(first)
    take(db, quiz, learner, right=False)
    assert services.may_review(first)


# --- pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def every_type(db, bank):
    """One question of each type for competence 1.1 at level 3, in the bank."""
    bank.single(bank.a, 3, "single")
    bank._add(
        bank.a, 3, "multiple", "multiple", [("m-one", 0.5, ""), ("m-two", 0.5, ""), ("m-bad", -1.0, "")]
    )
    bank._add(bank.a, 3, "truefalse", "truefalse", [("true", 1.0, ""), ("false", 0.0, "")])
    bank._add(bank.a, 3, "short", "short", [("Київ", 1.0, "")])
    bank._add(bank.a, 3, "numerical", "numerical", [("3.5", 1.0, "", 0.1)])
    bank._add(
        bank.a, 3, "matching", "matching", [("cat", 0.0, "", None, "meow"), ("dog", 0.0, "", None, "bark")]
    )
    bank._add(bank.a, 3, "essay", "essay", [], feedback="SECRET-GENERAL-FEEDBACK")


def _form_for(attempt) -> dict[str, object]:
    """What a learner who knows every answer sends from the page."""
    data: dict[str, object] = {}
    for slot in attempt.questions:
        name, question = f"q{slot.slot}", slot.question
        if question.type == "single":  # the form sends places on the page, not stored indexes
            data[name] = str(slot.answer_order.index(0))
        elif question.type == "multiple":
            data[name] = [str(slot.answer_order.index(0)), str(slot.answer_order.index(1))]
        elif question.type == "truefalse":
            data[name] = "true"
        elif question.type == "short":
            data[name] = " КИЇВ "
        elif question.type == "numerical":
            data[name] = "3,5"
        elif question.type == "matching":
            data[f"{name}-0"], data[f"{name}-1"] = "meow", "bark"
        else:
            data[name] = "Моя відповідь."
    return data


def test_a_learner_takes_a_quiz_with_every_type_in_the_browser(
    client, db, bank, course, enrolled, learner, every_type
):
    quiz = make_quiz(db, course, [(bank.a, 3, 7, 80)], questions_per_page=4)
    login(client, learner)

    lesson = text(client.get("/courses/QUIZ-1/items/final-quiz", headers=EN))
    assert "7 questions, drawn at random for each attempt." in lesson and "Start the quiz" in lesson
    started = post(client, f"/courses/quizzes/{quiz.id}/start")
    assert started.status_code == 302
    attempt = db.session.scalar(select(Attempt))
    assert started.location.endswith(f"/courses/quizzes/attempts/{attempt.id}/1")
    form = _form_for(attempt)

    first_page = client.get(f"/courses/quizzes/attempts/{attempt.id}/1", headers=EN)
    assert first_page.status_code == 200
    page_one = {key: value for key, value in form.items() if int(re.match(r"q(\d+)", key)[1]) <= 4}
    saved = post(client, f"/courses/quizzes/attempts/{attempt.id}/1", {**page_one, "go": "next"})
    assert saved.location.endswith(f"/courses/quizzes/attempts/{attempt.id}/2")
    page_two = {key: value for key, value in form.items() if key not in page_one}
    to_finish = post(client, f"/courses/quizzes/attempts/{attempt.id}/2", {**page_two, "go": "finish"})
    assert to_finish.location.endswith(f"/courses/quizzes/attempts/{attempt.id}/finish")
    confirm = text(client.get(f"/courses/quizzes/attempts/{attempt.id}/finish", headers=EN))
    assert "You have answered every question." in confirm

    done = post(client, f"/courses/quizzes/attempts/{attempt.id}/finish", follow_redirects=True, headers=EN)
    assert "Waiting for grading." in text(done)
    db.session.expire_all()
    graded = {slot.question.type: slot.fraction for slot in db.session.get(Attempt, attempt.id).questions}
    assert graded == {
        "single": 1.0,
        "multiple": 1.0,
        "truefalse": 1.0,
        "short": 1.0,
        "numerical": 1.0,
        "matching": 1.0,
        "essay": None,
    }


def test_previous_and_page_buttons_save_too_and_the_finish_page_lists_unanswered(
    client, db, bank, course, enrolled, learner
):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)], questions_per_page=1)
    attempt = services.start_attempt(quiz, learner)
    db.session.commit()
    login(client, learner)

    back = post(client, f"/courses/quizzes/attempts/{attempt.id}/2", {"q2": "1", "go": "previous"})
    assert back.location.endswith(f"/courses/quizzes/attempts/{attempt.id}/1")
    jump = post(client, f"/courses/quizzes/attempts/{attempt.id}/1", {"q1": "2", "go": "page-3"})
    assert jump.location.endswith(f"/courses/quizzes/attempts/{attempt.id}/3")
    first, second, _third = attempt.questions
    db.session.expire_all()
    saved = [slot.response for slot in db.session.get(Attempt, attempt.id).questions]
    assert saved == [first.answer_order[2], second.answer_order[1], None]
    confirm = text(client.get(f"/courses/quizzes/attempts/{attempt.id}/finish", headers=EN))
    assert "1 question has no answer yet:" in confirm and "#slot-3" in confirm


def test_a_numerical_answer_that_is_not_a_number_is_refused_and_the_page_kept(
    client, db, bank, course, enrolled, learner
):
    bank._add(bank.a, 2, "numerical", "numerical", [("12", 1.0, "", 0)])
    bank.fill(bank.a, 2, 1, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 2, 50)])
    attempt = services.start_attempt(quiz, learner)
    db.session.commit()
    number = next(slot for slot in attempt.questions if slot.question.type == "numerical")
    choice = next(slot for slot in attempt.questions if slot.question.type == "single")
    login(client, learner)

    form = {f"q{number.slot}": "ЦНАП", f"q{choice.slot}": "1", "go": "finish"}
    response = post(client, f"/courses/quizzes/attempts/{attempt.id}/1", form, headers=EN)

    assert response.status_code == 200  # the page again, not the finish page
    page = text(response)
    assert "“ЦНАП” is not a number." in page and 'aria-invalid="true"' in page
    assert 'value="ЦНАП"' in page  # what was typed is kept
    db.session.expire_all()
    saved = {slot.slot: slot.response for slot in db.session.get(Attempt, attempt.id).questions}
    assert saved[number.slot] is None  # never stored as a wrong answer
    assert saved[choice.slot] == choice.answer_order[1]  # the rest of the page is saved
    fixed = post(
        client, f"/courses/quizzes/attempts/{attempt.id}/1", {f"q{number.slot}": "12", "go": "finish"}
    )
    assert fixed.location.endswith(f"/courses/quizzes/attempts/{attempt.id}/finish")


def test_right_answers_and_feedback_never_reach_the_attempt_page(
    client, db, bank, course, enrolled, learner, every_type
):
    quiz = make_quiz(db, course, [(bank.a, 3, 7, 80)], review_correct=True, review_feedback=True)
    attempt = services.start_attempt(quiz, learner)
    db.session.commit()
    login(client, learner)

    page = text(client.get(f"/courses/quizzes/attempts/{attempt.id}/1", headers=EN))

    assert "single right" in page  # the answers are there…
    assert "SECRET" not in page  # …their feedback is not
    assert "fraction" not in page
    radios = re.findall(r"<input type=\"radio\"[^>]*>", page)
    assert radios and all(
        re.fullmatch(r'<input type="radio" id="q\d+-\w+" name="q\d+" value="\w+">', tag) for tag in radios
    )
    for slot in attempt.questions:
        if slot.question.type == "matching":  # the choices are sorted, not in their pairs' order
            assert page.index(">bark<") < page.index(">meow<")
        if slot.question.type in ("single", "multiple"):  # values are places on the page, 0, 1, 2…
            values = re.findall(rf'name="q{slot.slot}" value="(\d+)"', page)
            assert values == ["0", "1", "2"]


def test_the_review_shows_what_the_quiz_allows(client, db, bank, course, enrolled, learner):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)], review_correct=False, review_feedback=True)
    attempt = take(db, quiz, learner, right=True)
    login(client, learner)

    page = text(client.get(f"/courses/quizzes/attempts/{attempt.id}", headers=EN))

    assert "Passed." in page and "SECRET-RIGHT-FEEDBACK" in page
    assert "Right answer" not in page
    assert "level 2 demonstrated" in page


def test_the_competence_profile_has_a_chart_and_a_table_with_the_same_numbers(
    client, db, bank, course, enrolled, learner, world
):
    bank.fill(bank.a, 3, 3, "a3-")
    quiz = make_quiz(db, course, [(bank.a, 3, 3, 60)])
    take(db, quiz, learner)
    login(client, learner)

    page = text(client.get("/competences/", headers=EN))

    assert '<figure class="level-chart" aria-labelledby="chart-title-1">' in page
    assert '<figcaption id="chart-title-1">' in page
    # The chart names each competence in page text and sizes its bars in percent of the page's width:
    # no picture scaled to the viewport (unreadable at 320 px, huge at 1280 px).
    chart = page[page.index('<ul class="level-bars">') : page.index("</figure>")]
    assert '<span class="level-name">1.1 Searching</span>' in chart
    assert 'width="37.5%"' in chart and "level 3" in chart  # 3 of 8 levels
    assert "viewBox" not in chart and 'font-size="' not in chart
    assert re.search(r"<th scope=\"row\">1\.1 Searching</th>\s*<td>—</td>\s*<td>3 ", page)
    assert 'href="/competences/"' in page  # "My competences" in the navigation


def test_download_my_data_has_enrolments_progress_attempts_and_competence_levels(
    client, db, bank, course, enrolled, learner
):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])
    course_services.complete_item(enrolled, next(item for item in course.items if item.key == "intro"))
    db.session.commit()
    attempt = take(db, quiz, learner)
    login(client, learner)

    response = client.get("/profile/export")

    assert response.status_code == 200
    data = response.get_json()["courses"]
    [enrolment] = data["enrolments"]
    assert enrolment["course"] == "QUIZ-1" and enrolment["enrolled_at"].endswith("Z")
    assert [done["item"] for done in enrolment["completed_items"]] == ["intro", "final-quiz"]
    assert {entry["module"]: entry["required_items_done"] for entry in enrolment["progress"]} == {
        "basics": 1,
        "safety": 0,
        "check": 1,
    }
    [taken] = data["quiz_attempts"]
    assert (taken["quiz"], taken["number"], taken["score_percent"], taken["passed"]) == (
        "final-quiz",
        attempt.number,
        100,
        True,
    )
    assert len(taken["answers"]) == 3 and all(answer["fraction"] == 1.0 for answer in taken["answers"])
    assert taken["per_competence"][0]["competence"] == {"framework": "QUIZ-TEST", "idnumber": "1.1"}
    assert data["competence_levels"] == [
        {
            "competence": {"framework": "QUIZ-TEST", "idnumber": "1.1"},
            "level": 2,
            "demonstrated_at": data["competence_levels"][0]["demonstrated_at"],
        }
    ]


def test_trainers_and_admins_see_a_persons_competences_other_learners_do_not(
    client, db, bank, learner, world
):
    login(client, world.people["admin@r1"])
    assert client.get(f"/people/{learner.id}/competences").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, world.people["learner@r2"])
    assert client.get(f"/people/{learner.id}/competences").status_code == 403


def test_a_trainer_grades_essays_from_the_queue_and_grants_an_extra_attempt(
    client, db, bank, course, enrolled, learner, world
):
    bank._add(bank.b, 2, "essay", "essay", [])
    quiz = make_quiz(db, course, [(bank.b, 2, 1, 50)], attempts_allowed=1)
    attempt = services.start_attempt(quiz, learner)
    services.save_page(attempt, {1: "Перевірю джерело."})
    services.finish_attempt(attempt)
    db.session.commit()
    login(client, world.people["admin@r1"])

    queue = text(client.get("/courses/quizzes/grading", headers=EN))
    slot = attempt.questions[0]
    assert f"/courses/quizzes/grading/{slot.id}" in queue
    form = text(client.get(f"/courses/quizzes/grading/{slot.id}", headers=EN))
    assert "Перевірю джерело." in form
    graded = post(client, f"/courses/quizzes/grading/{slot.id}", {"percent": "40", "comment": "Мало."})
    assert graded.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.score == 40 and attempt.passed is False
    assert "nothing to grade" in text(client.get("/courses/quizzes/grading", headers=EN))

    attempts_page = text(client.get(f"/courses/quizzes/{quiz.id}/people/{learner.id}", headers=EN))
    assert "1 of 1 attempts used." in attempts_page
    granted = post(client, f"/courses/quizzes/{quiz.id}/people/{learner.id}/extra-attempt")
    assert granted.status_code == 302
    assert services.availability(quiz, learner).may_start


def test_the_attempts_page_names_the_quiz_once(client, db, bank, course, learner, world):
    bank.fill(bank.a, 2, 3, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 3, 60)])
    quiz.item.title = {"uk": "Тест: мінімум координатора"}
    db.session.commit()
    login(client, world.people["admin@r1"])

    page = text(
        client.get(f"/courses/quizzes/{quiz.id}/people/{learner.id}", headers={"Accept-Language": "uk"})
    )

    assert "Тест: мінімум координатора" in page
    assert "Тест: Тест:" not in page and "Тест: <strong>" not in page


def test_authors_set_up_a_quiz_and_are_warned_about_a_short_bank(client, db, bank, course, world):
    bank.fill(bank.a, 2, 5, "a2-")
    item = next(item for item in course.items if item.kind == "quiz")
    login(client, world.people["admin@root"])
    outline = text(client.get("/courses/author/QUIZ-1", headers=EN))
    assert f"/courses/quizzes/items/{item.id}/settings" in outline

    assert client.get(f"/courses/quizzes/items/{item.id}/settings", headers=EN).status_code == 200
    form = {
        "pass_mark": "60",
        "time_limit_minutes": "20",
        "attempts_allowed": "3",
        "delay_minutes": "0",
        "questions_per_page": "0",
        "shuffle_questions": "y",
        "review_responses": "y",
        "review_when": "immediately",
        "category": "",
        "rows-0-competence": str(bank.a.id),
        "rows-0-level": "2",
        "rows-0-count": "3",
        "rows-0-minimum_percent": "60",
        "rows-1-competence": str(bank.b.id),
        "rows-1-level": "2",
        "rows-1-count": "2",
        "rows-1-minimum_percent": "50,5",
    }
    refused = text(post(client, f"/courses/quizzes/items/{item.id}/settings", form, headers=EN))
    assert "Draw at least 3 questions: fewer cannot confirm a level." in refused
    assert services.quiz_of(item) is None
    form["rows-1-count"] = "3"
    saved = post(
        client, f"/courses/quizzes/items/{item.id}/settings", form, follow_redirects=True, headers=EN
    )

    page = text(saved)
    assert "The quiz settings have been saved." in page
    assert "a retake cannot draw new ones" in page  # 5 questions of 1.1 at level 2 for 3 drawn
    assert "Error: the bank has only 0 questions" in page  # none of 1.2 at level 2
    quiz = services.quiz_of(item)
    assert [(row.competence_id, row.level, row.count, row.minimum_percent) for row in quiz.competences] == [
        (bank.a.id, 2, 3, 60.0),
        (bank.b.id, 2, 3, 50.5),
    ]
    assert (quiz.time_limit_minutes, quiz.attempts_allowed, quiz.shuffle_answers) == (20, 3, False)


def test_a_time_limit_shows_the_time_left_and_a_late_page_is_refused(
    client, db, bank, course, enrolled, learner
):
    bank.fill(bank.a, 2, 2, "a2-")
    quiz = make_quiz(db, course, [(bank.a, 2, 2, 50)], time_limit_minutes=15)
    attempt = services.start_attempt(quiz, learner)
    db.session.commit()
    login(client, learner)

    page = text(client.get(f"/courses/quizzes/attempts/{attempt.id}/1", headers=EN))
    assert "Time left: about 15 minutes." in page

    attempt.deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    late = post(client, f"/courses/quizzes/attempts/{attempt.id}/1", {"q1": "0", "go": "finish"}, headers=EN)
    assert late.location.endswith(f"/courses/quizzes/attempts/{attempt.id}")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == AttemptState.FINISHED and attempt.questions[0].response is None


def test_the_attempt_page_shows_its_questions_in_order_with_the_answers_so_far_in_three_queries(
    app, client, db, bank, course, enrolled, learner, every_type
):
    quiz = make_quiz(db, course, [(bank.a, 3, 7, 80)], questions_per_page=7)
    attempt = services.start_attempt(quiz, learner)
    single = next(slot for slot in attempt.questions if slot.question.type == "single")
    single.response = single.answer_order[1]
    shown_answers = [single.question.answers[index].text for index in single.answer_order]
    essay = next(slot for slot in attempt.questions if slot.question.type == "essay")
    essay.question_id = None  # deleted from the bank since the attempt drew it
    db.session.commit()
    attempt_id, single_slot, essay_slot = attempt.id, single.slot, essay.slot
    login(client, learner)

    with statements(app) as ran:
        page = text(client.get(f"/courses/quizzes/attempts/{attempt_id}/1", headers=EN))

    # The learner with her grants and whether her hub has tasks in an action plan (the header's
    # link), the attempt with where its quiz sits, and the page's questions with their answers.
    assert len(ran) == 3, ran
    places = [page.index(f'id="slot-{number}"') for number in range(1, 8)]
    assert places == sorted(places)
    labels = re.findall(rf'<label for="q{single_slot}-\d+">(.*?)</label>', page)
    assert labels == shown_answers  # in the attempt's order, not the bank's
    assert f'name="q{single_slot}" value="1" checked>' in page  # her answer so far
    removed = page[page.index(f'id="slot-{essay_slot}"') :]
    assert "This question has been removed from the bank; it earns no marks." in removed[:400]


@pytest.mark.parametrize(
    "text",
    ["Узяти всю фразу в лапки", "  a > b, \"quoted\" and 'single'  ", "Обовʼязково: ЦНАП’и", ""],
)
def test_an_answer_without_markup_reads_as_the_sanitiser_would_give_it(text):
    """Answers in HTML or Moodle format without a tag or an entity skip the sanitiser: the page
    must show exactly what it would have given."""
    import html

    import nh3

    from courses.quizzes.views import INLINE_TAGS, URL_SCHEMES, inline_html

    for text_format in ("html", "moodle"):
        shown = inline_html(text, text_format)
        cleaned = nh3.clean(
            text, tags=INLINE_TAGS, attributes={"img": {"src", "alt"}}, url_schemes=URL_SCHEMES
        )
        assert html.unescape(str(shown)) == html.unescape(cleaned.strip())
        assert "<" not in str(shown) and '"' not in str(shown)


def test_an_answer_with_markup_or_an_entity_is_still_sanitised():
    from courses.quizzes.views import inline_html

    shown = str(
        inline_html(
            '<strong>bold</strong> <script>alert(1)</script><a href="javascript:x">R&amp;D</a>', "moodle"
        )
    )
    assert "<strong>bold</strong>" in shown and "<script" not in shown and "javascript:" not in shown
    assert "R&amp;D" in shown
