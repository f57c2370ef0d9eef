"""Organisation forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import LocalDecimalField, OrganisationCodeField
from lms.orgs.importer import CODE, KATOTTH, WEB_ADDRESS
from lms.orgs.models import (
    HOST_TYPE_LABELS,
    INSTITUTION_TYPE_LABELS,
    KIND_LABELS,
    SERVICE_LABELS,
    STATUS_LABELS,
)

REQUIRED = _l("This field is required.")


class OrganisationForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(REQUIRED), Regexp(CODE, message=_l("Use letters, digits, dots, dashes."))],
        description=_l("A short unique code, e.g. HUB-18-001."),
    )
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), coerce=str)
    parent = OrganisationCodeField(_l("Parent organisation (code)"), validators=[Optional()])
    name_uk = StringField(_l("Name in Ukrainian"), validators=[DataRequired(REQUIRED), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    name_fi = StringField(_l("Name in Finnish"), validators=[Optional(), Length(max=300)])
    name_sv = StringField(_l("Name in Swedish"), validators=[Optional(), Length(max=300)])
    authority_uk = StringField(_l("Regional authority (Ukrainian)"), validators=[Optional(), Length(max=300)])
    authority_en = StringField(_l("Regional authority (English)"), validators=[Optional(), Length(max=300)])
    is_occupied = BooleanField(_l("Temporarily occupied territory"))
    host_type = SelectField(
        _l("Host"), choices=[("", _l("Not a hub")), *list(HOST_TYPE_LABELS.items())], coerce=str
    )
    institution_type = SelectField(
        _l("Type of institution"),
        choices=[("", _l("Not an institution")), *list(INSTITUTION_TYPE_LABELS.items())],
        coerce=str,
        default="",
        validate_choice=False,
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    settlement = StringField(_l("Town or village"), validators=[Optional(), Length(max=150)])
    hromada = StringField(_l("Territorial community (hromada)"), validators=[Optional(), Length(max=200)])
    katotth = StringField(
        _l("KATOTTH code"),
        validators=[Optional(), Regexp(KATOTTH, message=_l("UA followed by 17 digits."))],
    )
    latitude = LocalDecimalField(
        _l("Latitude"),
        places=None,
        validators=[Optional(), NumberRange(-90, 90)],
        description=_l("Decimal degrees, e.g. 50.25465."),
    )
    longitude = LocalDecimalField(
        _l("Longitude"), places=None, validators=[Optional(), NumberRange(-180, 180)]
    )
    opening_hours = StringField(
        _l("Opening hours"),
        validators=[Optional(), Length(max=255)],
        description=_l("OpenStreetMap form, e.g. Mo-Fr 09:00-18:00; Sa 10:00-15:00."),
    )
    services = SelectMultipleField(
        _l("Services"),
        choices=list(SERVICE_LABELS.items()),
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()), coerce=str)
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=100)])
    email = StringField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter an e-mail address."))],
        description=_l("The hub's own address, shown on its public page; never a person's private one."),
    )
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            Regexp(WEB_ADDRESS, message=_l("Enter an address starting with https:// or http://.")),
        ],
    )


class MoveForm(FlaskForm):
    parent = OrganisationCodeField(_l("New parent organisation (code)"), validators=[DataRequired(REQUIRED)])
