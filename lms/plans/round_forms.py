"""Forms of the reporting rounds: opening a round, reminding, returning a report. The executor's report
itself has a field per indicator, read by the view (its form here only carries the CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.plans.forms import REQUIRED
from lms.plans.rounds import LATE, PENDING


class OpenRoundForm(FlaskForm):
    period = StringField(
        _l("Period"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description=_l("A half-year (2025-H1, 2025-H2) or a quarter (2025-Q3)."),
    )
    deadline = DateField(
        _l("Deadline"),
        validators=[DataRequired(_l("Enter the deadline as a date, e.g. 2026-07-15."))],
        description=_l("The day by which the executors submit their reports."),
    )


class RemindForm(FlaskForm):
    which = RadioField(
        _l("Remind"),
        choices=[
            (LATE, _l("the late executors (deadline passed)")),
            (PENDING, _l("every executor that has not submitted")),
        ],
        default=LATE,
    )


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("What is to be corrected"),
        validators=[DataRequired(_l("Say what is to be corrected.")), Length(max=5000)],
    )


class ReportForm(FlaskForm):
    """The CSRF token of the executor's report; its fields are named per indicator."""
