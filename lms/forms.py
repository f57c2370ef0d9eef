"""Form pieces shared by the features."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DecimalField, StringField, ValidationError

from lms.orgs.models import Organisation
from lms.orgs.services import by_code


class OrganisationCodeField(StringField):
    """An organisation chosen by its code (a select of 6,200 hubs would be too heavy a page)."""

    organisation: Organisation | None = None
    data: str | None

    def pre_validate(self, form: Any) -> None:
        self.organisation = None
        if self.data:
            self.data = self.data.strip()
            self.organisation = by_code(self.data)
            if self.organisation is None:
                raise ValidationError(_l("There is no organisation with this code."))


class CsvUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "txt"], _l("Choose a .csv file.")),
        ],
    )


class LocalDecimalField(DecimalField):
    """A decimal number that also accepts a decimal comma (as typed in Ukraine, Finland, Sweden)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            valuelist = [str(valuelist[0]).replace(",", ".").replace(" ", "").replace("\u00a0", "")]
        super().process_formdata(valuelist)
