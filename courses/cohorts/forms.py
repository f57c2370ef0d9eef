"""Forms of the cohort pages: a cohort, enrolment (a person, an invitation, the key), transfer, and
licences given by hand."""

from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from courses.cohorts.models import MODE_LABELS
from courses.forms import REQUIRED, WEB_ADDRESS
from courses.forms import _strip as strip
from lms.forms import OrganisationCodeField

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def _email(form: Any, field: Any) -> None:
    if field.data:
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(_l("Enter an e-mail address, e.g. olena.koval@example.org.")) from None


class EmailsField(TextAreaField):
    """E-mail addresses, one per line or separated by commas; ``emails`` after validation."""

    emails: list[str]

    def pre_validate(self, form: Any) -> None:
        self.emails = []
        for part in EMAIL_SEPARATORS.split(self.data or ""):
            if not part:
                continue
            try:
                self.emails.append(validate_email(part, check_deliverability=False).normalized)
            except EmailNotValidError:
                raise ValidationError(_("%(text)s is not an e-mail address.", text=part)) from None


class CohortForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int, choices=[], validators=[InputRequired(REQUIRED)])
    organisation = OrganisationCodeField(
        _l("Organisation that runs it: code"),
        validators=[InputRequired(REQUIRED), Length(max=40)],
        description=_l("A training centre, a region or a national body, e.g. TC-18."),
    )
    title = StringField(
        _l("Name"),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
        description=_l("Optional, e.g. Zhytomyr, spring 2026."),
    )
    starts_on = DateField(
        _l("First day"),
        format=DATE_FORMATS,
        validators=[InputRequired(REQUIRED)],
        description=_l("e.g. 2026-03-02 or 02.03.2026."),
    )
    ends_on = DateField(
        _l("Last day"),
        format=DATE_FORMATS,
        validators=[InputRequired(REQUIRED)],
        description=_l("e.g. 2026-04-30 or 30.04.2026."),
    )
    mode = SelectField(
        _l("Mode"), choices=[(mode.value, label) for mode, label in MODE_LABELS.items()], default="blended"
    )
    capacity = IntegerField(
        _l("Places"),
        validators=[Optional(), NumberRange(min=1, message=_l("Enter a whole number of at least 1."))],
        description=_l("The most learners; leave it empty for no limit."),
    )
    trainers = EmailsField(
        _l("Trainers: e-mail addresses"),
        validators=[InputRequired(REQUIRED)],
        description=_l("One per line. Each needs the trainer role and the licence to train this course."),
    )
    enrolment_key = StringField(
        _l("Enrolment key"),
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^[\w-]{4,64}$", message=_l("Use 4 to 64 letters, digits, - or _.")),
        ],
        description=_l(
            "Optional: learners who know it enrol themselves. Leave it empty to enrol them yourself."
        ),
    )
    venue = OrganisationCodeField(
        _l("Venue: code of an organisation"),
        validators=[Optional(), Length(max=40)],
        description=_l("Optional: the hub or training centre where it meets, e.g. HUB-18-001."),
    )
    venue_address = StringField(
        _l("Or a free address"), filters=[strip], validators=[Optional(), Length(max=300)]
    )
    webinar_url = StringField(
        _l("Webinar link"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=1000),
            Regexp(WEB_ADDRESS, message=_l("Enter an address starting with https:// or http://.")),
        ],
    )
    timezone = SelectField(_l("Time zone of its sessions"), choices=[], default="Europe/Kyiv")


TIMEZONES = ("Europe/Kyiv", "Europe/Helsinki", "Europe/Stockholm", "Europe/Warsaw", "Europe/Berlin", "UTC")


class EnrolForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        filters=[strip],
        validators=[InputRequired(REQUIRED), Length(max=254), _email],
        description=_l("Of someone who already has an account."),
    )


class InviteForm(FlaskForm):
    invite_email = StringField(
        _l("E-mail address"), filters=[strip], validators=[InputRequired(REQUIRED), Length(max=254), _email]
    )
    surname = StringField(
        _l("Surname"), filters=[strip], validators=[InputRequired(REQUIRED), Length(max=120)]
    )
    given_name = StringField(
        _l("Given name"), filters=[strip], validators=[InputRequired(REQUIRED), Length(max=120)]
    )
    patronymic = StringField(_l("Patronymic"), filters=[strip], validators=[Optional(), Length(max=120)])
    organisation = OrganisationCodeField(
        _l("Organisation: code"),
        validators=[InputRequired(REQUIRED), Length(max=40)],
        description=_l("Their hub or training centre, e.g. HUB-18-001."),
    )


class KeyForm(FlaskForm):
    key = StringField(
        _l("Enrolment key"),
        filters=[strip],
        validators=[InputRequired(REQUIRED), Length(max=64)],
        description=_l("The key your trainer gave you."),
    )


class TransferForm(FlaskForm):
    target = SelectField(
        _l("Move to"), coerce=int, choices=[], validators=[InputRequired(_l("Choose a cohort."))]
    )


class LicenceGrantForm(FlaskForm):
    email = StringField(
        _l("E-mail address of the trainer"),
        filters=[strip],
        validators=[InputRequired(REQUIRED), Length(max=254), _email],
    )
    course = SelectField(
        _l("Course to train"),
        coerce=int,
        choices=[],
        validators=[InputRequired(REQUIRED)],
        description=_l("Only courses that some course qualifies trainers for need a licence."),
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[InputRequired(REQUIRED), Length(max=2000)],
        description=_l(
            "Why the licence is given by hand, e.g. trained on paper in 2023. It is kept in the audit log."
        ),
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), filters=[strip], validators=[InputRequired(REQUIRED), Length(max=2000)]
    )
