"""Forms of the framework pages: a CSV upload, a minimum profile (its levels are read in the view)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from lms.i18n import LOCALE_NAMES, Translated

REQUIRED = _l("This field is required.")
PROFILE_CODE = r"^[A-Z0-9-]{2,40}$"
LANGUAGES = ("uk", "en", "fi", "sv")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class FrameworkImportForm(FlaskForm):
    file = FileField(
        _l("CSV file (Moodle competency framework export)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "txt"], _l("Choose a .csv file.")),
        ],
    )
    lang = SelectField(
        _l("Language of the texts in the file"),
        choices=list(LOCALE_NAMES.items()),
        default="uk",
        description=_l(
            "Short names and descriptions are stored in this language; the framework's other languages "
            "stay as they are."
        ),
    )


class ProfileForm(FlaskForm):
    """A minimum profile's names and jobs; its levels are one select per competence, read by the view."""

    name_uk = StringField(
        _l("Name in Ukrainian"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    name_en = StringField(_l("Name in English"), filters=[_strip], validators=[Optional(), Length(max=200)])
    name_fi = StringField(_l("Name in Finnish"), filters=[_strip], validators=[Optional(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), filters=[_strip], validators=[Optional(), Length(max=200)])
    jobs = SelectMultipleField(
        _l("Jobs that use this profile"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l(
            "A person's job selects her minimum profile. A job ticked here leaves its other profile."
        ),
    )
    # Present when the form showed the job checkboxes: a form without it leaves the jobs as they are.
    jobs_shown = HiddenField(default="1")

    def names(self) -> Translated:
        texts = {code: (getattr(self, f"name_{code}").data or "").strip() for code in LANGUAGES}
        return Translated({code: text for code, text in texts.items() if text})


class NewProfileForm(ProfileForm):
    code = StringField(
        _l("Code"),
        filters=[_upper],
        validators=[
            DataRequired(REQUIRED),
            Regexp(PROFILE_CODE, message=_l("2 to 40 capital Latin letters, digits and dashes.")),
        ],
        description=_l("Unique and permanent, e.g. LIBRARIAN."),
    )
    framework = SelectField(_l("Framework"), coerce=int, validators=[DataRequired(REQUIRED)])
