"""Question bank forms: upload a GIFT or Aiken file, edit a question with its answer rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from courses.questions.grading import parse_number
from courses.questions.interchange import (
    ESSAY,
    MATCHING,
    MULTIPLE,
    NUMERICAL,
    SHORT,
    SINGLE,
    TRUEFALSE,
    TYPES,
    ParsedAnswer,
)
from lms.forms import LocalDecimalField

REQUIRED = _l("This field is required.")
TYPE_LABELS = {
    SINGLE: _l("Single choice"),
    MULTIPLE: _l("Multiple response"),
    TRUEFALSE: _l("True/false"),
    SHORT: _l("Short answer"),
    NUMERICAL: _l("Numerical"),
    MATCHING: _l("Matching"),
    ESSAY: _l("Essay"),
}
FORMAT_LABELS = {
    "markdown": _l("Markdown"),
    "html": _l("HTML"),
    "moodle": _l("Moodle auto-format"),
    "plain": _l("Plain text"),
}
FILE_FORMAT_LABELS = {"gift": _l("GIFT (Moodle)"), "aiken": _l("Aiken")}
# What an answer row's text is, for each type.
ANSWER_TEXT_LABELS = {
    SINGLE: _l("Choice"),
    MULTIPLE: _l("Choice"),
    TRUEFALSE: _l("Answer"),
    SHORT: _l("Accepted answer"),
    NUMERICAL: _l("Number"),
    MATCHING: _l("Subquestion"),
}
EXTRA_ROWS = 3


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class ImportForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    format = SelectField(_l("Format"), choices=list(FILE_FORMAT_LABELS.items()), default="gift")
    category = StringField(
        _l("Category"),
        filters=[_strip],
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "For questions the file puts in no category (GIFT: no $CATEGORY: line before them), "
            "e.g. Top/Digital safety. Empty: Top."
        ),
    )


class AnswerRow(Form):
    """One answer row; which of its fields count depends on the question's type."""

    text = StringField(_l("Text"), filters=[_strip])
    # Text inputs, not number inputs: a browser's number input refuses the decimal comma typed in Ukraine.
    fraction = LocalDecimalField(
        _l("Marks (%)"),
        validators=[Optional(), NumberRange(-100, 100, _l("Between −100 and 100."))],
        places=None,
        widget=TextInput(),
        render_kw={"inputmode": "decimal"},
    )
    feedback = StringField(_l("Feedback"), filters=[_strip])
    tolerance = LocalDecimalField(
        _l("Tolerance (±)"),
        validators=[Optional(), NumberRange(0, None, _l("Zero or more."))],
        places=None,
        widget=TextInput(),
        render_kw={"inputmode": "decimal"},
    )
    match = StringField(_l("Matching answer"), filters=[_strip])

    def is_blank(self) -> bool:
        return (
            not any((self.text.data, self.feedback.data, self.match.data))
            and self.fraction.data is None
            and self.tolerance.data is None
        )


class QuestionForm(FlaskForm):
    type = SelectField(_l("Question type"), choices=list(TYPE_LABELS.items()), default=SINGLE)
    category = StringField(
        _l("Category"),
        filters=[_strip],
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        description=_l("A path such as Top/Digital safety; a new category is created."),
        render_kw={"list": "category-paths"},
    )
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=255)])
    text = TextAreaField(_l("Question text"), validators=[DataRequired(REQUIRED)], render_kw={"rows": 6})
    format = SelectField(_l("Text format"), choices=list(FORMAT_LABELS.items()), default="markdown")
    general_feedback = TextAreaField(
        _l("General feedback"),
        description=_l("Shown to every learner after answering, whatever the answer."),
        render_kw={"rows": 3},
    )
    competence = SelectField(_l("Competence"), coerce=_text, default="")
    level = SelectField(_l("Proficiency level"), coerce=_text, default="")
    answers = FieldList(FormField(AnswerRow), min_entries=0)
    competence_groups: list[Any] = []  # (framework, its competences) for the select's groups

    def answer_problems(self) -> list[str]:
        """Problems of the answer rows as a whole (a row's own problems are on its fields)."""
        return getattr(self, "_answer_problems", [])

    def parsed_answers(self, kind: str) -> list[ParsedAnswer] | None:
        """The answer rows as answers of a ``kind`` question, or None after adding the errors."""
        problems: list[str] = []
        self._answer_problems = problems
        rows = [entry.form for entry in self.answers if not entry.form.is_blank()]
        for row in rows:
            for name in ("text", "fraction", "feedback", "tolerance", "match"):
                getattr(row, name).errors = list(getattr(row, name).errors)
        if kind == ESSAY:
            return []
        if any(row.fraction.errors or row.tolerance.errors for row in rows):
            return None
        answers: list[ParsedAnswer] = []
        ok = True
        for row in rows:
            percent = row.fraction.data
            fraction = float(percent) / 100 if percent is not None else 0.0
            if kind == MATCHING:
                if not row.match.data:
                    row.match.errors.append(_("Give the answer this subquestion matches."))
                    ok = False
                # As the GIFT reader gives them: a pair is worth 1, an extra answer (no subquestion) 0.
                text = row.text.data or ""
                answers.append(ParsedAnswer(text, 1.0 if text else 0.0, "", match=row.match.data or ""))
                continue
            if not row.text.data:
                row.text.errors.append(_("Give the answer’s text, or clear the whole row."))
                ok = False
                continue
            if kind in (SHORT, NUMERICAL, TRUEFALSE) and fraction < 0:
                row.fraction.errors.append(_("Between 0 and 100."))
                ok = False
            text, tolerance = row.text.data, None
            if kind == NUMERICAL:
                number = parse_number(text)
                if number is None and text != "*":
                    row.text.errors.append(_("Give a number, such as 3,5, or * for any other number."))
                    ok = False
                    continue
                text = text if number is None else _decimal_text(number)
                tolerance = float(row.tolerance.data) if row.tolerance.data is not None else 0.0
            answers.append(ParsedAnswer(text, fraction, row.feedback.data or "", tolerance=tolerance))
        if not ok:
            return None
        problems.extend(_type_problems(kind, answers))
        return None if problems else answers


def _decimal_text(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _type_problems(kind: str, answers: list[ParsedAnswer]) -> list[str]:
    """What a question of ``kind`` with these answers lacks (server-side rules of each type)."""
    full = [answer for answer in answers if answer.fraction >= 0.9999]
    if kind == SINGLE:
        if len(answers) < 2:
            return [_("Give at least two choices.")]
        if not full:
            return [_("One of the choices must be worth 100%.")]
    if kind == MULTIPLE:
        if len(answers) < 2:
            return [_("Give at least two choices.")]
        positive = sum(answer.fraction for answer in answers if answer.fraction > 0)
        if abs(positive - 1.0) > 0.0001:
            return [
                _(
                    "The positive marks must add up to 100%%; they add up to %(total)s%%.",
                    total=_decimal_text(Decimal(str(round(positive * 100, 5)))),
                )
            ]
    if kind == TRUEFALSE:
        texts = sorted(answer.text.lower() for answer in answers)
        if texts != ["false", "true"] or len(full) != 1 or any(0 < a.fraction < 0.9999 for a in answers):
            return [_("Mark either “true” or “false” as the right answer (100%), the other 0%.")]
    if kind in (SHORT, NUMERICAL):
        if not answers:
            return [_("Give at least one accepted answer.")]
        if not full:
            return [_("One of the accepted answers must be worth 100%.")]
    if kind == MATCHING and sum(1 for answer in answers if answer.text) < 2:
        return [_("Give at least two subquestions with their matching answers.")]
    return []


def percent_text(fraction: float) -> str:
    """0.3333333 → "33.33333", 1.0 → "100" (as the form shows a stored fraction)."""
    return _decimal_text(Decimal(str(round(fraction * 100, 5))))


def answer_rows(answers: list[Any], kind: str, extra: int = EXTRA_ROWS) -> list[dict[str, Any]]:
    """Stored answers as the form's rows, with ``extra`` blank rows to add more."""
    if kind == TRUEFALSE:
        by_text = {answer.text.lower(): answer for answer in answers}
        answers = [
            by_text.get("true") or ParsedAnswer("true", 1.0),
            by_text.get("false") or ParsedAnswer("false"),
        ]
        extra = 0
    if kind == ESSAY:
        return []
    rows = [
        {
            "text": answer.text,
            "fraction": Decimal(percent_text(answer.fraction)),
            "feedback": answer.feedback,
            "tolerance": Decimal(_decimal_text(Decimal(repr(answer.tolerance))))
            if answer.tolerance is not None
            else None,
            "match": answer.match or "",
        }
        for answer in answers
    ]
    return rows + [{} for _row in range(extra)]


TYPE_CHOICES = [(kind, TYPE_LABELS[kind]) for kind in TYPES]
