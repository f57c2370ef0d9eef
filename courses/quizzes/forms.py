"""Quiz forms: an author's settings with a row per competence, and a trainer's grade of an essay."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from courses.quizzes.models import REVIEW_WHEN_LABELS
from lms.forms import LocalDecimalField

REQUIRED = _l("This field is required.")
FROM_PROFILE = "profile"
EMPTY_ROWS = 2  # blank competence rows offered below the filled ones (no JavaScript adds rows)


def _percent_field(label: Any, description: Any = None, optional: bool = False) -> LocalDecimalField:
    return LocalDecimalField(
        label,
        places=None,
        validators=[Optional() if optional else InputRequired(REQUIRED), NumberRange(0, 100)],
        description=description,
        widget=TextInput(),  # a text box: type="number" may refuse a decimal comma
        render_kw={"inputmode": "decimal"},
    )


def _whole(label: Any, high: int, description: Any = None, optional: bool = False) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional() if optional else InputRequired(REQUIRED), NumberRange(0, high)],
        description=description,
        render_kw={"inputmode": "numeric"},
    )


class CompetenceRowForm(Form):
    """One competence of a quiz; a row without a competence is ignored (that is how rows are added)."""

    competence = SelectField(_l("Competence"), coerce=str, validate_choice=True)
    level = SelectField(_l("Level of its questions"), coerce=str, validate_choice=True)
    count = _whole(_l("Questions to draw"), 50, optional=True)
    minimum_percent = _percent_field(
        _l("Minimum to reach (%)"), _l("Reaching it demonstrates the level."), optional=True
    )
    remove = BooleanField(_l("Remove this competence from the quiz"))


class QuizSettingsForm(FlaskForm):
    category = SelectField(
        _l("Draw from the bank category"),
        coerce=str,
        description=_l("Its subcategories are included. Leave “Whole bank” to draw from every category."),
    )
    pass_mark = _percent_field(
        _l("Pass mark (percentage of all marks)"),
        _l("To pass, a learner needs this overall and the minimum in every competence."),
    )
    time_limit_minutes = _whole(_l("Time limit in minutes"), 24 * 60, _l("0: no time limit."))
    attempts_allowed = _whole(_l("Attempts allowed"), 100, _l("0: unlimited."))
    delay_minutes = _whole(_l("Wait between attempts, in minutes"), 30 * 24 * 60, _l("0: no wait."))
    questions_per_page = _whole(_l("Questions per page"), 100, _l("0: all questions on one page."))
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_answers = BooleanField(_l("Shuffle the answers of each question"))
    review_responses = BooleanField(_l("Their responses, with the mark of each question"))
    review_correct = BooleanField(_l("The right answers"))
    review_feedback = BooleanField(_l("The feedback"))
    review_scores = BooleanField(_l("Their score in each competence"))
    review_when = SelectField(
        _l("When learners may review"), choices=list(REVIEW_WHEN_LABELS.items()), coerce=str
    )
    rows = FieldList(FormField(CompetenceRowForm), min_entries=0)

    def set_choices(self, competences: list[tuple[str, str]], levels: list[tuple[str, str]]) -> None:
        for row in self.rows:
            row.form.competence.choices = [("", _l("(none)")), *competences]
            row.form.level.choices = [
                (FROM_PROFILE, _l("The level of the learner’s minimum profile")),
                *levels,
            ]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        seen: set[str] = set()
        for row in self.rows:
            form = row.form
            if not form.competence.data or form.remove.data:
                continue
            if form.competence.data in seen:
                form.competence.errors.append(_l("This competence is already in the quiz."))
                valid = False
            seen.add(form.competence.data)
            evidence = current_app.config["COURSES_QUIZ_MIN_EVIDENCE"]
            if not form.count.data:
                form.count.errors.append(_l("Draw at least one question."))
                valid = False
            elif form.count.data < evidence:
                form.count.errors.append(
                    _l(
                        "Draw at least %(number)s questions: fewer cannot confirm a level.",
                        number=evidence,
                    )
                )
                valid = False
            if form.minimum_percent.data is None:
                form.minimum_percent.errors.append(REQUIRED)
                valid = False
        return valid


class GradeForm(FlaskForm):
    percent = _percent_field(
        _l("Mark (percentage of the question’s marks)"), _l("From 0 to 100; 50 is half the marks.")
    )
    comment = TextAreaField(
        _l("Comment for the learner"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 5}
    )
