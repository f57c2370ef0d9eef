"""The pages changed by the fixes of issue 14, walked in Chromium without JavaScript on a 320 px phone,
every page checked by axe-core and for sideways scrolling (see conftest.py): a password reset on a
site without e-mail, the people list searched by a full name with an invited person, the organisations
as a tree, and a numerical answer that is not a number refused on the attempt page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from courses.frameworks.models import Competence, Framework, ProficiencyLevel
from courses.models import Course, Item, Module, Status
from courses.questions.models import Answer, Question, QuestionCategory
from courses.quizzes.models import Attempt, Quiz, QuizCompetence
from courses.services import enrol

from .conftest import Journey, log_in


def has(person: Journey, selector: str) -> bool:
    return person.page.locator(selector).count() > 0


@pytest.mark.browser
def test_a_reset_without_e_mail_says_so_and_an_admin_finds_people_and_the_tree(
    world: Any, journey: Any, make: Any
) -> None:
    visitor = journey()
    visitor.goto("/login")
    visitor.click('main a[href="/password/reset"]')
    assert not has(visitor, 'main input[name="email"]')  # no form that would pretend to send
    assert has(visitor, "main .msg.info")
    visitor.click('main a[href="/login"]')

    make.user(
        world.orgs["hub@r1"], ("learner",), surname="Мельник", given_name="Олена", patronymic="Петрівна"
    )
    make.user(world.orgs["hub@r1"], ("learner",), surname="Запрошена", given_name="Ірина", password="")
    make.commit()
    admin = journey()
    admin.goto("/")
    log_in(admin, world.people["admin@r1"].email)
    admin.goto("/people")
    admin.fill({"#q": "Олена Петрівна Мельник"})
    admin.click('main form[role="search"] button')
    assert "Мельник Олена Петрівна" in admin.page.inner_text("main table")
    admin.fill({"#q": "Запрошена"})
    admin.click('main form[role="search"] button')
    assert "Запрошено" in admin.page.inner_text("main table")  # "Invited, not accepted yet"

    admin.goto("/orgs/")
    admin.click('main a[href="/orgs/?view=tree"]')
    assert has(admin, f'main .org-tree a[href="/orgs/{world.orgs["tc@r1"].id}"]')
    admin.click('main a[href="/orgs/"]')  # "Show as a list"


@pytest.fixture
def numerical_quiz(world: Any, db: Any) -> Quiz:
    """An open course whose quiz asks three numerical questions; learner@r1 is enrolled."""
    framework = Framework(idnumber="FIX-TEST", shortname={"uk": "Рамка", "en": "Framework"})
    framework.levels.append(ProficiencyLevel(number=1, name={"en": "Level 1"}))
    competence = Competence(idnumber="1.1", shortname={"uk": "Пошук"}, path="/0001/", position=1)
    framework.competences.append(competence)
    category = QuestionCategory(name="Числа", path="Top/Числа")
    db.session.add_all([framework, category])
    db.session.flush()
    for number in range(3):
        question = Question(
            category=category,
            name=f"number-{number}",
            type="numerical",
            text=f"Скільки буде {number} + 12?",
            format="markdown",
            competence_id=competence.id,
            level=1,
        )
        question.answers.append(Answer(position=0, text=str(number + 12), fraction=1.0, tolerance=0))
        db.session.add(question)
    course = Course(
        code="FIX-NUM", title={"uk": "Курс"}, status=Status.PUBLISHED.value, is_open=True, language="uk"
    )
    module = Module(key="check", position=0, title={"uk": "Перевірка"})
    item = Item(key="quiz", position=0, kind="quiz", title={"uk": "Тест: числа"})
    module.items.append(item)
    course.modules.append(module)
    db.session.add(course)
    quiz = Quiz(item=item, questions_per_page=0, time_limit_minutes=0)
    quiz.competences.append(QuizCompetence(competence_id=competence.id, level=1, count=3, minimum_percent=60))
    db.session.add(quiz)
    enrol(world.people["learner@r1"], course)
    db.session.commit()
    return quiz


@pytest.mark.browser
def test_a_numerical_answer_that_is_not_a_number_is_refused_on_the_page(
    world: Any, journey: Any, db: Any, numerical_quiz: Quiz
) -> None:
    learner = journey()
    learner.goto("/")
    log_in(learner, world.people["learner@r1"].email)
    learner.goto("/courses/FIX-NUM/items/quiz")
    learner.click('main .quiz-summary form[action$="/start"] button')
    attempt = db.session.scalar(select(Attempt).where(Attempt.quiz_id == numerical_quiz.id))
    assert attempt is not None
    first, *others = attempt.questions
    learner.fill({f"#q{first.slot}": "ЦНАП"})
    for slot in others:
        learner.fill({f"#q{slot.slot}": str(slot.question.answers[0].text)})
    learner.click('main form button[name="go"][value="finish"]')

    assert learner.path == f"/courses/quizzes/attempts/{attempt.id}/1"  # kept on the page
    assert has(learner, 'main .msg.error[role="alert"]')
    assert learner.page.input_value(f"#q{first.slot}") == "ЦНАП"
    assert learner.page.get_attribute(f"#q{first.slot}", "aria-invalid") == "true"
