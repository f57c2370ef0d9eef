"""Quiz pages: the summary on a quiz item's lesson page, attempt pages, the result with what to revisit,
competence profiles, the trainers' grading queue and extra attempts, and the authors' quiz settings.

No JavaScript: every page of an attempt is a form whose buttons (Previous, Next, a page, Finish) all
save on the server first; the time left is written by the server. Nothing in an attempt's HTML tells
which answer is right until the review: a choice is sent as its place on the page (the stored order
often puts the right answer first), and feedback stays on the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

import nh3
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from courses.frameworks.models import (
    Competence,
    Framework,
    MinimumProfile,
    ProficiencyLevel,
    ProfileRequirement,
    module_competence,
)
from courses.frameworks.services import profile_for, requirements_of
from courses.markdown import URL_SCHEMES
from courses.markdown import render as render_markdown
from courses.models import Course, Enrolment, Item, ItemKind, Module, Status
from courses.questions import interchange
from courses.questions.grading import correct_response, grade, parse_number
from courses.questions.models import Question, QuestionCategory
from courses.questions.rendering import render_text
from courses.quizzes import services
from courses.quizzes.forms import EMPTY_ROWS, FROM_PROFILE, GradeForm, QuizSettingsForm
from courses.quizzes.models import Attempt, AttemptQuestion, AttemptState, Quiz, QuizCompetence
from courses.services import enrolment_of, is_unlocked
from courses.views.authoring import may_author
from lms.accounts.models import User
from lms.extensions import db, loaded, table_columns
from lms.i18n import local_datetime, utcnow
from lms.permissions import can, scope

bp = Blueprint("courses_quizzes", __name__)

GRADE = "courses.quiz.grade"  # trainers and admins grade essays and grant extra attempts
INLINE_TAGS = {"strong", "em", "code", "sub", "sup", "br", "img"}

QUIZ_ERRORS = {
    services.NO_ATTEMPTS_LEFT: _l("You have used all the attempts this quiz allows."),
    services.NO_QUESTIONS: _l("This quiz has no questions to draw yet. Please tell your trainer."),
    services.CLOSED: _l("This attempt is closed."),
}


def may_grade(user: Any) -> bool:
    """May ``user`` grade essays of anyone (trainers and admins, within their organisations)?"""
    return can(user, GRADE)


# --- text of questions ---------------------------------------------------------------------------------


question_html = render_text  # a question's stem or feedback, safe, whatever its format


@lru_cache(maxsize=4096)  # every page of every attempt shows the same few hundred answers
def inline_html(text: str, text_format: str) -> Markup:
    """An answer's text for a label: phrasing content only (no paragraphs, no links)."""
    if text_format == "markdown":
        html = render_markdown(text)
    elif text_format in ("html", "moodle"):
        if "<" not in text and "&" not in text:  # no tag and no entity: nothing to sanitise, only to
            return escape(text.strip())  # escape (most answers; cleaning one costs ~15 µs)
        html = Markup(text)  # noqa: S704 (sanitised just below)
    else:
        return escape(text)
    clean = nh3.clean(
        str(html), tags=INLINE_TAGS, attributes={"img": {"src", "alt"}}, url_schemes=URL_SCHEMES
    )
    return Markup(clean.strip())  # noqa: S704 (sanitised by nh3 just above)


@bp.app_template_filter("quiz_percent")
def quiz_percent(value: float | None) -> str:
    """72.5 → "72,5 %" in the locale's way (a stored percentage, not a fraction)."""
    from flask_babel import format_percent

    return "" if value is None else format_percent(value / 100, "#,##0.#%")


def minutes_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    if attempt.deadline_at is None:
        return None
    seconds = (attempt.deadline_at - (now or utcnow())).total_seconds()
    return max(0, math.ceil(seconds / 60))


def lines(text: str) -> Markup:
    """Text typed by a learner, escaped, its line breaks kept."""
    return Markup("<br>\n").join(escape(text).split("\n"))


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "lines": lines,
        "question_html": question_html,
        "inline_html": inline_html,
        "minutes_left": minutes_left,
        "Type": interchange,
    }


# --- the summary on the lesson page (a template global) --------------------------------------------


@dataclass
class SummaryRow:
    competence: Competence
    level: int | None  # None: from the learner's profile, which she does not have
    count: int
    minimum: float
    from_profile: bool


@dataclass
class Summary:
    quiz: Quiz | None
    rows: list[SummaryRow] = field(default_factory=list)
    is_enrolled: bool = False
    state: services.Availability | None = None
    attempts: list[Attempt] = field(default_factory=list)
    best: Attempt | None = None
    is_overdue: bool = False  # an attempt in progress whose time ran out (opening it finalises it)

    @property
    def question_count(self) -> int:
        return sum(row.count for row in self.rows)


def quiz_summary(item: Item) -> Summary:
    """What the lesson page of a quiz item shows the current user (read-only)."""
    quiz = services.quiz_of(item)
    if quiz is None:
        return Summary(None)
    required = services.required_levels(current_user)
    rows = [
        SummaryRow(
            row.competence,
            row.level if row.level is not None else required.get(row.competence_id),
            row.count,
            row.minimum_percent,
            row.level is None,
        )
        for row in quiz.competences
    ]
    enrolment = enrolment_of(current_user, item.module.course)
    if enrolment is None:
        return Summary(quiz, rows)
    attempts = services.attempts_of(quiz, current_user)
    state = services.availability(quiz, current_user)
    return Summary(
        quiz,
        rows,
        True,
        state,
        attempts,
        services.best_attempt(attempts),
        state.in_progress is not None and services.is_overdue(state.in_progress),
    )


# --- starting and answering ----------------------------------------------------------------------------


def _lesson_url(quiz: Quiz) -> str:
    return url_for("courses.lesson", code=quiz.item.module.course.code, key=quiz.item.key)


@bp.post("/courses/quizzes/<int:quiz_id>/start")
@login_required
def start(quiz_id: int) -> Any:
    """Start an attempt (or continue the one in progress)."""
    quiz = db.get_or_404(Quiz, quiz_id)
    course = quiz.item.module.course
    if not course.is_published:
        abort(404)
    enrolment = enrolment_of(current_user, course)
    if enrolment is None:
        abort(403)
    if not is_unlocked(enrolment, quiz.item.module):
        flash(_("Finish the modules before this one first."), "error")
        return redirect(_lesson_url(quiz))
    try:
        attempt = services.start_attempt(quiz, current_user)
        db.session.commit()
    except services.QuizError as error:
        db.session.commit()  # an overdue attempt may have been finalised on the way
        if error.code == services.TOO_SOON:
            message = _(
                "Your next attempt is possible at %(time)s.", time=local_datetime(error.when, "short")
            )
        else:
            message = str(QUIZ_ERRORS[error.code])
        flash(message, "error")
        return redirect(_lesson_url(quiz))
    except IntegrityError:  # another tab started the same attempt at the same moment
        db.session.rollback()
        other = services.availability(quiz, current_user).in_progress
        if other is None:
            raise
        attempt = other
    return redirect(url_for(".attempt_page", attempt_id=attempt.id, page=attempt.last_page))


class QuizPlace(NamedTuple):
    """Where an attempt's quiz sits: its item's title and key, and its course's code."""

    title: Any
    key: str
    course: str


# Built once: building a statement costs more than running it. The attempt is an ORM object (its
# pages save and finish it), made from its plain columns (lms.extensions.loaded); where its quiz sits
# is read as plain columns too, not four more objects.
_ATTEMPT_COLUMNS = table_columns(Attempt)
_ATTEMPT = (
    select(*_ATTEMPT_COLUMNS, Item.title, Item.key, Course.code)
    .select_from(Attempt)
    .join(Quiz, Quiz.id == Attempt.quiz_id)
    .join(Item, Item.id == Quiz.item_id)
    .join(Module, Module.id == Item.module_id)
    .join(Course, Course.id == Module.course_id)
    .where(Attempt.id == bindparam("attempt_id"))
)


def _own_attempt(attempt_id: int) -> tuple[Attempt, QuizPlace]:
    """The current learner's attempt and where its quiz sits (the pages link to it): one query; 404
    for an unknown attempt, 403 for someone else's."""
    row = db.session.execute(_ATTEMPT, {"attempt_id": attempt_id}).one_or_none()
    if row is None:
        abort(404)
    width = len(_ATTEMPT_COLUMNS)
    attempt = loaded(Attempt, row[:width])
    if attempt.user_id != current_user.id:
        abort(403)
    return attempt, QuizPlace(*row[width:])


def _closed(attempt: Attempt, sending: bool = False) -> Any | None:
    """Where to go instead of an attempt page: the result, when the attempt is finished or its time has
    just run out (then it is finalised now, with the answers saved before). ``sending``: the request
    brought answers, which are then not saved."""
    if services.touch(attempt):
        db.session.commit()
        flash(_("The time ran out: the attempt was finished with the answers saved in time."), "info")
    elif attempt.state == AttemptState.FINISHED and sending:
        flash(_("This attempt was already finished: the answers of this page were not saved."), "error")
    if attempt.state == AttemptState.FINISHED:
        return redirect(url_for(".result", attempt_id=attempt.id))
    return None


def _page_questions(attempt: Attempt, page: int) -> tuple[int, list[services.ShownSlot]]:
    """How many pages the attempt has, and the questions of ``page``: 404 for a page without any."""
    pages, questions = services.page_questions(attempt.id, page)
    if not questions:
        abort(404)
    return pages, questions


def _stored(slot: services.ShownSlot, position: str) -> int | None:
    """The stored index of the answer shown at ``position``: the form sends places on the page, never
    stored indexes (authors often write the right answer first, so index 0 would give it away)."""
    order = slot.answer_order or []
    return order[int(position)] if position.isdigit() and int(position) < len(order) else None


def _submitted(questions: list[services.ShownSlot]) -> dict[int, Any]:
    """slot → the value the page's form sent for it (absent fields are unanswered)."""
    values: dict[int, Any] = {}
    for slot in questions:
        name = f"q{slot.slot}"
        kind = slot.question.type if slot.question is not None else None
        if kind == interchange.SINGLE:
            values[slot.slot] = _stored(slot, request.form.get(name, ""))
        elif kind == interchange.MULTIPLE:
            values[slot.slot] = [_stored(slot, position) for position in request.form.getlist(name)]
        elif kind == interchange.MATCHING:
            values[slot.slot] = {
                str(row): request.form.get(f"{name}-{row}", "") for row in slot.answer_order or []
            }
        else:
            values[slot.slot] = request.form.get(name)
    return values


@bp.route("/courses/quizzes/attempts/<int:attempt_id>/<int:page>", methods=["GET", "POST"])
@login_required
def attempt_page(attempt_id: int, page: int) -> Any:
    attempt, place = _own_attempt(attempt_id)
    if (elsewhere := _closed(attempt, sending=request.method == "POST")) is not None:
        return elsewhere
    pages, questions = _page_questions(attempt, page)  # 404 for a page the attempt does not have
    if request.method == "POST":
        go = request.form.get("go", "")
        target = {"previous": page - 1, "next": page + 1, "finish": page}.get(go, page)
        if go.startswith("page-") and go[5:].isdigit():
            target = int(go[5:])
        target = min(max(target, 1), pages)
        submitted = _submitted(questions)
        refused = _not_numbers(questions, submitted)
        if refused:  # saved without them; the page comes back with what was typed and why
            submitted = {slot: value for slot, value in submitted.items() if slot not in refused}
            target = page
        try:
            services.save_page(attempt, submitted, next_page=target)
        except services.QuizError:
            db.session.rollback()
            if services.touch(attempt):
                db.session.commit()
            flash(_("The time ran out before this page was sent: its answers were not saved."), "error")
            return redirect(url_for(".result", attempt_id=attempt.id))
        db.session.commit()
        if refused:
            return _attempt_form(attempt, place, page, pages, _page_questions(attempt, page)[1], refused)
        if go == "finish":
            return redirect(url_for(".confirm_finish", attempt_id=attempt.id))
        return redirect(url_for(".attempt_page", attempt_id=attempt.id, page=target))
    return _attempt_form(attempt, place, page, pages, questions)


def _not_numbers(questions: list[services.ShownSlot], submitted: dict[int, Any]) -> dict[int, str]:
    """slot → the text typed for a numerical question that is not a number ("ЦНАП"): refused, not
    saved as a wrong answer; an empty field is simply unanswered."""
    refused = {}
    for slot in questions:
        if slot.question is None or slot.question.type != interchange.NUMERICAL:
            continue
        typed = (submitted.get(slot.slot) or "").strip()
        if typed and parse_number(typed) is None:
            refused[slot.slot] = typed[: services.MAX_TEXT]
    return refused


def _attempt_form(
    attempt: Attempt,
    place: QuizPlace,
    page: int,
    pages: int,
    questions: list[services.ShownSlot],
    refused: dict[int, str] | None = None,
) -> Any:
    return render_template(
        "courses/quizzes/attempt.html",
        attempt=attempt,
        place=place,
        questions=questions,
        page=page,
        pages=pages,
        choices={slot.slot: services.matching_choices(slot.question) for slot in questions if slot.question},
        refused=refused or {},
    )


@bp.route("/courses/quizzes/attempts/<int:attempt_id>/finish", methods=["GET", "POST"])
@login_required
def confirm_finish(attempt_id: int) -> Any:
    """The list of unanswered questions, and the button that submits the attempt."""
    attempt, place = _own_attempt(attempt_id)
    if request.method == "POST":
        graded = services.finish_attempt(attempt)
        db.session.commit()
        if not graded:
            flash(_("This attempt had already been submitted; it was graded once."), "info")
        return redirect(url_for(".result", attempt_id=attempt.id))
    if (elsewhere := _closed(attempt)) is not None:
        return elsewhere
    unanswered = [slot for slot in attempt.questions if not services.is_answered(slot)]
    return render_template("courses/quizzes/finish.html", attempt=attempt, place=place, unanswered=unanswered)


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Revisit:
    competence: Competence
    modules: list[tuple[Module, str]]  # with the address of its first lesson


def _revisit(quiz: Quiz, competence_ids: list[int], learner: User) -> list[Revisit]:
    """For each competence not reached, the modules that teach it in the published courses the learner
    may open (she is enrolled, or the course is open to all), those of the quiz's own course first. A
    module of a course by enrolment only that she is not in would answer 403: it is not offered."""
    if not competence_ids:
        return []
    own_course = quiz.item.module.course_id
    query = (
        select(module_competence.c.competence_id, Module)
        .join(Module, Module.id == module_competence.c.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(module_competence.c.competence_id.in_(competence_ids), Course.status == Status.PUBLISHED.value)
        .order_by((Course.id != own_course), Course.code, Module.position)
        .options(selectinload(Module.items), selectinload(Module.course))
    )
    if not may_author(learner):  # authors open every course
        enrolled = select(Enrolment.course_id).where(Enrolment.user_id == learner.id)
        query = query.where(or_(Course.is_open.is_(True), Course.id.in_(enrolled)))
    rows = db.session.execute(query).all()
    competences = {
        c.id: c for c in db.session.scalars(select(Competence).where(Competence.id.in_(competence_ids)))
    }
    found: dict[int, list[tuple[Module, str]]] = {competence_id: [] for competence_id in competence_ids}
    for competence_id, module in rows:
        first = module.items[0] if module.items else None
        url = (
            url_for("courses.lesson", code=module.course.code, key=first.key)
            if first
            else url_for("courses.course", code=module.course.code)
        )
        found[competence_id].append((module, url))
    return [Revisit(competences[key], found[key]) for key in competence_ids if key in competences]


def _describe(question: Question | None, response: Any, order: list[int] | None) -> list[Markup]:
    """A response in words, one line per chosen answer or pair."""
    if question is None or response in (None, "", [], {}):
        return []
    answers = question.answers
    text_format = question.format
    if question.type in (interchange.SINGLE, interchange.MULTIPLE):
        chosen = response if isinstance(response, list) else [response]
        return [
            inline_html(answers[index].text, text_format) for index in chosen if 0 <= index < len(answers)
        ]
    if question.type == interchange.TRUEFALSE:
        return [escape(_("True") if response == "true" else _("False"))]
    if question.type == interchange.MATCHING:
        rows = order if order is not None else [int(key) for key in response]
        return [
            Markup("%s → %s") % (inline_html(answers[row].text, text_format), response.get(str(row), "—"))
            for row in rows
            if 0 <= row < len(answers) and str(row) in response
        ]
    return [lines(str(response))]


@dataclass
class Reviewed:
    slot: AttemptQuestion
    response: list[Markup]
    right: list[Markup]
    feedback: list[Markup]


def _reviewed(attempt: Attempt) -> list[Reviewed]:
    reviewed = []
    for slot in attempt.questions:
        question = slot.question
        if question is None:
            reviewed.append(Reviewed(slot, [], [], []))
            continue
        feedback = [inline_html(text, question.format) for text in grade(question, slot.response).feedback]
        if question.general_feedback:
            feedback.append(question_html(question.general_feedback, question.format))
        reviewed.append(
            Reviewed(
                slot,
                _describe(question, slot.response, slot.answer_order),
                _describe(question, correct_response(question), slot.answer_order),
                feedback,
            )
        )
    return reviewed


@bp.get("/courses/quizzes/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int) -> Any:
    attempt = db.get_or_404(Attempt, attempt_id)
    is_own = attempt.user_id == current_user.id
    if not is_own and not can(current_user, GRADE, attempt.user):
        abort(403)
    if services.touch(attempt):
        db.session.commit()
    if attempt.is_in_progress and is_own:
        return redirect(url_for(".attempt_page", attempt_id=attempt.id, page=attempt.last_page))
    quiz = attempt.quiz
    results = attempt.results or []
    competences = {
        c.id: c
        for c in db.session.scalars(
            select(Competence).where(Competence.id.in_([entry["competence_id"] for entry in results]))
        )
    }
    # What to revisit: the competences below their minimum (not those only short of questions).
    missed = [entry["competence_id"] for entry in results if entry["percent"] < entry["minimum"] - 1e-9]
    full_review = not is_own  # a trainer sees everything
    may_review = full_review or services.may_review(attempt)
    state = services.availability(quiz, attempt.user) if is_own else None
    return render_template(
        "courses/quizzes/result.html",
        attempt=attempt,
        quiz=quiz,
        is_own=is_own,
        results=[(entry, competences.get(entry["competence_id"])) for entry in results],
        revisit=_revisit(quiz, missed, attempt.user) if attempt.score is not None else [],
        show_scores=full_review or (may_review and quiz.review_scores),
        show_responses=full_review or (may_review and quiz.review_responses),
        show_right=full_review or (may_review and quiz.review_correct),
        show_feedback=full_review or (may_review and quiz.review_feedback),
        reviewed=_reviewed(attempt) if may_review else [],
        state=state,
        lesson_url=_lesson_url(quiz),
    )


# --- competence profiles -------------------------------------------------------------------------------


@dataclass
class ProfileRow:
    competence: Competence
    required: int | None
    demonstrated: int | None
    demonstrated_at: datetime | None
    is_untested: bool = False  # required, and no quiz she may take tests it at that level yet

    @property
    def is_reached(self) -> bool:
        return self.required is not None and (self.demonstrated or 0) >= self.required


@dataclass
class ProfileSection:
    framework: Framework
    top: int  # the highest level of its scale
    rows: list[ProfileRow]


def _profile_sections(person: User) -> tuple[MinimumProfile | None, list[ProfileSection]]:
    profile = profile_for(person)  # once: her requirements, and what no quiz tests yet, come from it
    required = requirements_of(profile) if profile is not None else {}
    shown = services.demonstrated_levels(person)
    untested = services.untested_requirements(person, required) if required else set()
    ids = set(required) | set(shown)
    if not ids:  # nothing required, nothing shown yet: no competence to look up
        return profile, []
    competences = db.session.scalars(
        select(Competence)
        .where(Competence.id.in_(ids))
        .order_by(Competence.framework_id, Competence.path)
        .options(selectinload(Competence.framework))
    ).all()
    tops = dict(
        db.session.execute(
            select(ProficiencyLevel.framework_id, func.max(ProficiencyLevel.number)).group_by(
                ProficiencyLevel.framework_id
            )
        ).all()
    )
    sections: dict[int, ProfileSection] = {}
    for competence in competences:
        level = shown.get(competence.id)
        row = ProfileRow(
            competence,
            required.get(competence.id),
            level.level if level else None,
            level.demonstrated_at if level else None,
            competence.id in untested and not (level and level.level >= required[competence.id]),
        )
        section = sections.get(competence.framework_id)
        if section is None:
            top = max(tops.get(competence.framework_id) or 1, row.required or 0, row.demonstrated or 0)
            section = sections[competence.framework_id] = ProfileSection(competence.framework, top, [])
        section.top = max(section.top, row.required or 0, row.demonstrated or 0)
        section.rows.append(row)
    return profile, list(sections.values())


def _profile_page(person: User, is_own: bool) -> Any:
    profile, sections = _profile_sections(person)
    quizzes: list[tuple[Quiz, int, Attempt | None]] = []
    if not is_own and can(current_user, GRADE, person):
        attempts = db.session.scalars(
            select(Attempt).where(Attempt.user_id == person.id).order_by(Attempt.quiz_id, Attempt.number)
        ).all()
        by_quiz: dict[int, list[Attempt]] = {}
        for attempt in attempts:
            by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
        quizzes = [(tried[0].quiz, len(tried), services.best_attempt(tried)) for tried in by_quiz.values()]
    return render_template(
        "courses/quizzes/competences.html",
        person=person,
        is_own=is_own,
        profile=profile,
        sections=sections,
        quizzes=quizzes,
    )


@bp.get("/competences/")
@login_required
def my_competences() -> Any:
    return _profile_page(current_user, is_own=True)


@bp.get("/people/<int:user_id>/competences")
@login_required
def person_competences(user_id: int) -> Any:
    person = db.get_or_404(User, user_id)
    if not can(current_user, "user.view", person):
        abort(403)
    return _profile_page(person, is_own=person.id == current_user.id)


# --- trainers: essays to grade, extra attempts ---------------------------------------------------------


@bp.get("/courses/quizzes/grading")
@login_required
def grading() -> Any:
    """Essays waiting for a grade, of the learners the trainer may see, oldest first."""
    if not may_grade(current_user):
        abort(403)
    where = scope(current_user, GRADE)
    query = services.essays_to_grade(where).options(
        selectinload(AttemptQuestion.attempt).selectinload(Attempt.user),
        selectinload(AttemptQuestion.attempt).selectinload(Attempt.quiz).selectinload(Quiz.item),
        selectinload(AttemptQuestion.question),
    )
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("courses/quizzes/grading.html", page=page)


@bp.route("/courses/quizzes/grading/<int:response_id>", methods=["GET", "POST"])
@login_required
def grade_response(response_id: int) -> Any:
    slot = db.get_or_404(AttemptQuestion, response_id)
    attempt = slot.attempt
    if not can(current_user, GRADE, attempt.user):
        abort(403)
    if slot.question is None or slot.question.type != interchange.ESSAY or attempt.is_in_progress:
        abort(404)
    form = GradeForm(
        percent=round(slot.fraction * 100, 2) if slot.fraction is not None else None, comment=slot.comment
    )
    if form.validate_on_submit():
        services.grade_essay(slot, float(form.percent.data or 0) / 100, form.comment.data or "", current_user)
        db.session.commit()
        flash(_("The answer has been graded."), "success")
        return redirect(url_for(".grading"))
    return render_template("courses/quizzes/grade.html", slot=slot, attempt=attempt, form=form)


def _quiz_and_person(quiz_id: int, person_id: int) -> tuple[Quiz, User]:
    quiz = db.get_or_404(Quiz, quiz_id)
    person = db.get_or_404(User, person_id)
    if not can(current_user, GRADE, person):
        abort(403)
    return quiz, person


@bp.get("/courses/quizzes/<int:quiz_id>/people/<int:person_id>")
@login_required
def person_attempts(quiz_id: int, person_id: int) -> Any:
    """A learner's attempts at a quiz, for a trainer (who may grant one more)."""
    quiz, person = _quiz_and_person(quiz_id, person_id)
    for attempt in services.attempts_of(quiz, person):
        if services.touch(attempt):
            db.session.commit()
    return render_template(
        "courses/quizzes/person_attempts.html",
        quiz=quiz,
        person=person,
        attempts=services.attempts_of(quiz, person),
        state=services.availability(quiz, person),
        extras=services.extra_attempts(quiz, person),
    )


@bp.post("/courses/quizzes/<int:quiz_id>/people/<int:person_id>/extra-attempt")
@login_required
def extra_attempt(quiz_id: int, person_id: int) -> Any:
    quiz, person = _quiz_and_person(quiz_id, person_id)
    services.grant_extra_attempt(quiz, person, current_user)
    db.session.commit()
    flash(_("%(name)s may make one more attempt.", name=person.full_name), "success")
    return redirect(url_for(".person_attempts", quiz_id=quiz.id, person_id=person.id))


# --- authors: the quiz's settings ----------------------------------------------------------------------


@dataclass
class BankCheck:
    """How a competence row of the quiz fares against the bank."""

    level: int
    available: int
    needed: int

    @property
    def is_error(self) -> bool:
        return self.available < self.needed

    @property
    def is_warning(self) -> bool:
        return not self.is_error and self.available < 2 * self.needed


def _bank_checks(quiz: Quiz) -> dict[int, list[BankCheck]]:
    """competence id → a check per level it may be drawn at (a row "from the profile" may be drawn at
    every level a minimum profile requires of it)."""
    checks: dict[int, list[BankCheck]] = {}
    for row in quiz.competences:
        if row.level is not None:
            levels = [row.level]
        else:
            levels = sorted(
                set(
                    db.session.scalars(
                        select(ProfileRequirement.level).where(
                            ProfileRequirement.competence_id == row.competence_id
                        )
                    )
                )
            )
        if not levels:  # no profile asks for it: the lowest level of its framework is drawn
            levels = [services.target_level(row, current_user, {})]
        found = [
            BankCheck(level, services.bank_count(quiz, row.competence_id, level), row.count)
            for level in levels
        ]
        checks[row.competence_id] = [check for check in found if check.is_error or check.is_warning]
    return checks


def _plain(number: float) -> float | int:
    """60.0 → 60: a whole percentage shown without its decimals."""
    return int(number) if float(number).is_integer() else number


def _settings_form(quiz: Quiz) -> QuizSettingsForm:
    rows: list[dict[str, Any]] = [
        {
            "competence": str(row.competence_id),
            "level": FROM_PROFILE if row.level is None else str(row.level),
            "count": row.count,
            "minimum_percent": _plain(row.minimum_percent),
        }
        for row in quiz.competences
    ]
    rows += [{"competence": "", "level": FROM_PROFILE, "count": None, "minimum_percent": None}] * EMPTY_ROWS
    form = QuizSettingsForm(
        category=str(quiz.category_id or ""),
        pass_mark=_plain(quiz.pass_mark),
        time_limit_minutes=quiz.time_limit_minutes,
        attempts_allowed=quiz.attempts_allowed,
        delay_minutes=quiz.delay_minutes,
        questions_per_page=quiz.questions_per_page,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_answers=quiz.shuffle_answers,
        review_responses=quiz.review_responses,
        review_correct=quiz.review_correct,
        review_feedback=quiz.review_feedback,
        review_scores=quiz.review_scores,
        review_when=quiz.review_when,
        rows=rows,
    )
    form.category.choices = [("", _("Whole bank"))] + [
        (str(category.id), category.path)
        for category in db.session.scalars(select(QuestionCategory).order_by(QuestionCategory.path))
    ]
    competences = db.session.scalars(
        select(Competence)
        .join(Competence.framework)
        .order_by(Framework.idnumber, Competence.path)
        .options(selectinload(Competence.framework))
    ).all()
    top = db.session.scalar(select(func.max(ProficiencyLevel.number))) or 8
    form.set_choices(
        [(str(c.id), f"{c.framework.idnumber} · {c.idnumber} {c.shortname}") for c in competences],
        [(str(number), _("Level %(number)s", number=number)) for number in range(1, top + 1)],
    )
    return form


def _apply_settings(form: QuizSettingsForm, quiz: Quiz) -> None:
    quiz.category_id = int(form.category.data) if form.category.data else None
    quiz.pass_mark = float(form.pass_mark.data or 0)
    quiz.time_limit_minutes = form.time_limit_minutes.data or 0
    quiz.attempts_allowed = form.attempts_allowed.data or 0
    quiz.delay_minutes = form.delay_minutes.data or 0
    quiz.questions_per_page = form.questions_per_page.data or 0
    quiz.shuffle_questions = bool(form.shuffle_questions.data)
    quiz.shuffle_answers = bool(form.shuffle_answers.data)
    quiz.review_responses = bool(form.review_responses.data)
    quiz.review_correct = bool(form.review_correct.data)
    quiz.review_feedback = bool(form.review_feedback.data)
    quiz.review_scores = bool(form.review_scores.data)
    quiz.review_when = form.review_when.data or quiz.review_when
    # Rows are changed in place (a competence stays in its row): replacing them would insert a
    # competence again before its old row is deleted, against the unique constraint.
    existing = {row.competence_id: row for row in quiz.competences}
    kept: list[QuizCompetence] = []
    for entry in form.rows:
        values = entry.form
        if not values.competence.data or values.remove.data:
            continue
        competence_id = int(values.competence.data)
        row = existing.pop(competence_id, None) or QuizCompetence(competence_id=competence_id)
        row.level = None if values.level.data == FROM_PROFILE else int(values.level.data or 1)
        row.count = values.count.data or 1
        row.minimum_percent = float(values.minimum_percent.data or 0)
        row.position = len(kept)
        kept.append(row)
    quiz.competences = kept


@bp.route("/courses/quizzes/items/<int:item_id>/settings", methods=["GET", "POST"])
@login_required
def settings(item_id: int) -> Any:
    if not may_author(current_user):
        abort(403)
    item = db.get_or_404(Item, item_id)
    if item.kind != ItemKind.QUIZ:
        abort(404)
    quiz = services.quiz_of(item)
    is_new = quiz is None
    if quiz is None:
        quiz = Quiz(item=item, **{name: column.default.arg for name, column in _defaults().items()})
    form = _settings_form(quiz)
    if form.validate_on_submit():
        _apply_settings(form, quiz)
        db.session.add(quiz)
        db.session.commit()
        flash(_("The quiz settings have been saved."), "success")
        return redirect(url_for(".settings", item_id=item.id))
    return render_template(
        "courses/quizzes/settings.html",
        item=item,
        course=item.module.course,
        quiz=quiz,
        form=form,
        checks=_bank_checks(quiz),
        is_new=is_new,
    )


def _defaults() -> dict[str, Any]:
    """The quiz columns with a plain default value (for a quiz not saved yet)."""
    return {
        column.key: column
        for column in Quiz.__table__.columns
        if column.default is not None and not callable(column.default.arg)
    }
