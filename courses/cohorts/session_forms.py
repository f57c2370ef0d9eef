"""Forms of the session pages: a session, recording offline work. (Attendance is one radio group per
learner, read by the view from the posted fields: a form class per cohort size would gain nothing.)"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from courses.forms import REQUIRED, WEB_ADDRESS
from courses.forms import _strip as strip
from lms.accounts.forms import MultiCheckboxField
from lms.forms import OrganisationCodeField


class SessionForm(FlaskForm):
    day = DateField(
        _l("Date"),
        format=["%Y-%m-%d", "%d.%m.%Y"],
        validators=[InputRequired(REQUIRED)],
        description=_l("In the cohort's time zone, e.g. 2026-03-02 or 02.03.2026."),
    )
    starts = TimeField(
        _l("Starts at"),
        format=["%H:%M", "%H.%M"],
        validators=[InputRequired(REQUIRED)],
        description=_l("Hours and minutes, e.g. 10:00."),
    )
    ends = TimeField(
        _l("Ends at"),
        format=["%H:%M", "%H.%M"],
        validators=[InputRequired(REQUIRED)],
        description=_l("Hours and minutes, e.g. 12:00."),
    )
    topic = StringField(_l("Topic"), filters=[strip], validators=[Optional(), Length(max=300)])
    venue = OrganisationCodeField(
        _l("Venue: code of an organisation"),
        validators=[Optional(), Length(max=40)],
        description=_l("A hub or training centre where the session takes place, e.g. HUB-18-001."),
    )
    place = StringField(
        _l("Address or room"),
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description=_l("A free address, or the room at the venue."),
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
    modules = MultiCheckboxField(_l("Modules covered"), coerce=int, choices=[])
    is_public = BooleanField(
        _l("Public: show it on the venue's public page"),
        description=_l("Anyone may come, e.g. an open class for the hub's visitors."),
    )


class OfflineWorkForm(FlaskForm):
    item = SelectField(_l("What was done"), coerce=int, choices=[], validators=[InputRequired(REQUIRED)])
    members = MultiCheckboxField(
        _l("Learners who did it"),
        coerce=int,
        choices=[],
        validators=[InputRequired(_l("Tick at least one learner."))],
    )
