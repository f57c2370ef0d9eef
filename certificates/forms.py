"""Forms of the certificates pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ReasonForm(FlaskForm):
    """Revoking or correcting a certificate: a written reason is required."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why.")), Length(max=2000)],
        description=_l("Kept in the record and the audit log; a revocation's reason is shown publicly."),
    )


class TemplateForm(FlaskForm):
    """A course's certificate template and issuance settings."""

    issue_on = SelectField(_l("Issue certificates"), choices=[])
    valid_months = IntegerField(
        _l("Valid for (months)"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Leave empty for certificates that never expire."),
    )
    issuer = StringField(
        _l("Issuing organisation"),
        validators=[Length(max=300)],
        description=_l("Leave empty to print the organisation that runs the cohort."),
    )
    html = TextAreaField(
        _l("Template (HTML and CSS)"),
        validators=[DataRequired(_l("The template cannot be empty.")), Length(max=200_000)],
        render_kw={"rows": 24, "spellcheck": "false"},
    )
    preview = SubmitField(_l("Preview on sample data (PDF)"))
    save = SubmitField(_l("Save"))
    reset = SubmitField(_l("Go back to the default template"))


class DeskForm(FlaskForm):
    """The verification desk: numbers pasted or uploaded (CSV or text), one a line."""

    numbers = TextAreaField(
        _l("Certificate numbers"),
        validators=[Length(max=400_000)],
        description=_l(
            "One a line; in a CSV file the first column that holds a number is read. Up to 5,000."
        ),
        render_kw={"rows": 10, "spellcheck": "false"},
    )
    file = FileField(
        _l("Or a file (CSV or text)"),
        validators=[FileAllowed(["csv", "txt"], _l("Choose a .csv or .txt file."))],
    )
    check = SubmitField(_l("Check"))
    csv = SubmitField(_l("Download as CSV"))
    xlsx = SubmitField(_l("Download as XLSX"))


class IssueForm(FlaskForm):
    """An admin's issue of a certificate by hand, outside any cohort, with a reason."""

    email = StringField(
        _l("E-mail of the learner"),
        validators=[DataRequired(_l("Enter the learner's e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    course = SelectField(_l("Course"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why the certificate is issued by hand.")), Length(max=2000)],
        description=_l("Kept in the certificate's record and the audit log."),
    )


class CorrectionForm(FlaskForm):
    """Issuing a certificate again after the holder's name was corrected: a reason is required."""

    correction = TextAreaField(
        _l("Reason for the correction"),
        validators=[DataRequired(_l("Say why the certificate is issued again.")), Length(max=2000)],
        description=_l(
            "Correct the person's name in her profile first: the new certificate takes her name as it "
            "is now, gets a new number, and the old number points to it."
        ),
    )


class RenderJobForm(FlaskForm):
    """Re-render the certificates of a region (or of the whole programme) after a template change."""

    region = SelectField(_l("Certificates of"), choices=[], validate_choice=False)
    course = SelectField(_l("Course"), choices=[], validate_choice=False)
