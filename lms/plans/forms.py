"""Plan forms: a plan, an action, an indicator (with a target per year of the plan), an import."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.accounts.forms import MultiCheckboxField
from lms.forms import LocalDecimalField, OrganisationCodeField
from lms.plans.models import INDICATOR_KIND_LABELS

REQUIRED = _l("This field is required.")
PLAN_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$"
YEARS = [NumberRange(2000, 2100, message=_l("A year between 2000 and 2100."))]


class PlanForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(PLAN_CODE, message=_l("Use letters, digits, dots, dashes.")),
        ],
        description=_l("A short unique code, e.g. ZHY-2021-2025."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=500)])
    owner = OrganisationCodeField(
        _l("Owner organisation (code)"),
        validators=[DataRequired(REQUIRED)],
        description=_l("The region or national body whose plan it is, e.g. UA-18."),
    )
    start_year = IntegerField(_l("First year"), validators=[DataRequired(REQUIRED), *YEARS])
    end_year = IntegerField(_l("Last year"), validators=[DataRequired(REQUIRED), *YEARS])

    def validate_end_year(self, field: Any) -> None:
        if self.start_year.data and field.data and field.data < self.start_year.data:
            raise ValidationError(_l("The last year is before the first."))


class ActionForm(FlaskForm):
    number = StringField(
        _l("Number"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{1,3}(\.\d{1,3}){0,3}$", message=_l("A number such as 1, 2 or 2.1.")),
        ],
    )
    name = TextAreaField(_l("Action"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    content = TextAreaField(_l("Content"), validators=[Optional(), Length(max=20000)])
    term = StringField(
        _l("Term"),
        validators=[Optional(), Length(max=200)],
        description=_l("As the decree writes it, e.g. 2021-2025 or «щокварталу»."),
    )
    executors = MultiCheckboxField(_l("Responsible executors"), coerce=int, choices=[])


class IndicatorForm(FlaskForm):
    text = TextAreaField(
        _l("Indicator"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("In the decree's words, e.g. «Кількість отриманих сертифікатів»."),
    )
    kind = RadioField(
        _l("Who gives the number"), choices=list(INDICATOR_KIND_LABELS.items()), default="reported"
    )
    registry_key = SelectField(_l("Counted figure"), choices=[], validate_choice=False)
    target_groups = MultiCheckboxField(
        _l("Only these target groups"), coerce=str, choices=[], description=_l("None ticked: every group.")
    )
    source = SelectField(
        _l("Certificates"),
        choices=[
            ("all", _l("Kaskad's and external certificates")),
            ("kaskad", _l("Kaskad's certificates")),
            ("external", _l("External certificates")),
        ],
        default="all",
    )

    def validate_registry_key(self, field: Any) -> None:
        if self.kind.data == "computed":
            if not field.data:
                raise ValidationError(_l("Choose what Kaskad counts."))
            if field.data not in {value for value, _label in field.choices}:
                raise ValidationError(_l("Choose one of the figures listed."))


def indicator_form(years: list[int], **kwargs: Any) -> IndicatorForm:
    """An indicator form with a target field for each year of the plan (``target_2025``)."""

    class WithTargets(IndicatorForm):
        pass

    for year in years:
        setattr(
            WithTargets,
            f"target_{year}",
            LocalDecimalField(
                _l("Target for %(year)s", year=year), places=None, validators=[Optional(), NumberRange(min=0)]
            ),
        )
    return WithTargets(**kwargs)


class PlanImportForm(FlaskForm):
    code = PlanForm.code
    title = PlanForm.title
    owner = PlanForm.owner
    start_year = IntegerField(
        _l("First year"),
        validators=[Optional(), *YEARS],
        description=_l("Empty: from the code, the title or the actions' terms."),
    )
    end_year = IntegerField(_l("Last year"), validators=[Optional(), *YEARS])
    file = FileField(
        _l("CSV or Excel file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "txt", "xlsx"], _l("Choose a .csv or .xlsx file.")),
        ],
    )
