"""Monitoring forms: one external certificate; the dashboard's and reports' filters are plain GET."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import OrganisationCodeField

REQUIRED = _l("This field is required.")


def not_in_future(form: Any, field: Any) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_l("The date is in the future."))


class ExternalCertificateForm(FlaskForm):
    source = StringField(
        _l("Source"),
        default="diia",
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("diia for Diia.Osvita, or the name of the other platform."),
    )
    reference = StringField(
        _l("Certificate number or link"), validators=[DataRequired(REQUIRED), Length(max=500)]
    )
    course_title = StringField(_l("Course"), validators=[DataRequired(REQUIRED), Length(max=300)])
    issued_on = DateField(
        _l("Date of the certificate"),
        validators=[DataRequired(_l("Enter the date as on the certificate.")), not_in_future],
    )
    surname = StringField(_l("Surname"), validators=[DataRequired(REQUIRED), Length(max=120)])
    given_name = StringField(_l("Given name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=120)])
    email = StringField(
        _l("E-mail"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        description=_l("When someone in Kaskad has this address, the record is linked to that person."),
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    institution = OrganisationCodeField(
        _l("Institution (code)"),
        validators=[Optional()],
        description=_l("The employer's code in Kaskad; its region is taken from it."),
    )
    institution_name = StringField(
        _l("Institution (name, when it has no code)"), validators=[Optional(), Length(max=300)]
    )
    region = OrganisationCodeField(
        _l("Region (code)"),
        validators=[Optional()],
        description=_l("Needed when no institution code is given."),
    )
    target_groups = SelectMultipleField(
        _l("Target groups"),
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
