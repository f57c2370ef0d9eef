"""Account forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.models import ROLE_LABELS
from lms.accounts.passwords import MIN_LENGTH
from lms.forms import OrganisationCodeField
from lms.i18n import LOCALE_NAMES

REQUIRED = _l("This field is required.")
# The zones of the programmes Kaskad serves; a short list keeps the form light.
TIMEZONES = {
    "Europe/Kyiv": _l("Kyiv time"),
    "Europe/Helsinki": _l("Helsinki time"),
    "Europe/Stockholm": _l("Stockholm time"),
    "Europe/Warsaw": _l("Warsaw time"),
    "Europe/Berlin": _l("Berlin time"),
    "UTC": _l("Coordinated Universal Time (UTC)"),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


def _new_password_fields() -> tuple[Any, Any]:
    return (
        PasswordField(
            _l("New password"),
            validators=[
                DataRequired(REQUIRED),
                Length(
                    min=MIN_LENGTH, max=200, message=_l("Use at least %(min)d characters.", min=MIN_LENGTH)
                ),
            ],
            description=_l(
                "At least %(min)d characters. A short sentence is easy to remember.", min=MIN_LENGTH
            ),
        ),
        PasswordField(
            _l("Repeat the new password"),
            validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
        ),
    )


class SetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password, confirm = _new_password_fields()


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    """A person's profile, as an admin (or an inviting trainer) fills it in."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter an e-mail address such as name@example.org."))],
    )
    surname = StringField(_l("Surname"), validators=[DataRequired(REQUIRED), Length(max=120)])
    given_name = StringField(_l("Given name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=120)])
    organisation = OrganisationCodeField(
        _l("Organisation code"),
        validators=[DataRequired(REQUIRED)],
        description=_l("The code of the person's hub, training centre or region, e.g. HUB-18-001."),
    )
    job = SelectField(_l("Job"), coerce=str, validators=[Optional()])
    target_groups = MultiCheckboxField(_l("Target groups"), coerce=str)
    locale = SelectField(
        _l("Language"), choices=[("", _l("As the browser asks")), *list(LOCALE_NAMES.items())], coerce=str
    )
    timezone = SelectField(_l("Time zone"), choices=list(TIMEZONES.items()), coerce=str)

    def validate_email(self, field: Any) -> None:
        from lms.accounts.services import find_by_email

        existing = find_by_email(field.data or "")
        if existing is not None and existing.id != getattr(self, "editing_user_id", None):
            raise ValidationError(_l("Someone already has this e-mail address."))


class SettingsForm(FlaskForm):
    """What people choose for themselves: language and time zone."""

    locale = PersonForm.locale
    timezone = PersonForm.timezone


class InviteForm(PersonForm):
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()), coerce=str, default="learner")


class GrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()), coerce=str)
    organisation = OrganisationCodeField(
        _l("Over organisation (code)"),
        validators=[DataRequired(REQUIRED)],
        description=_l("The role applies to this organisation and everything below it."),
    )


class TargetGroupForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)])
    name_uk = StringField(_l("Name in Ukrainian"), validators=[DataRequired(REQUIRED), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_fi = StringField(_l("Name in Finnish"), validators=[Optional(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[Optional(), Length(max=200)])
    is_active = SelectField(
        _l("Status"), choices=[("1", _l("In use")), ("0", _l("No longer used"))], coerce=str, default="1"
    )
