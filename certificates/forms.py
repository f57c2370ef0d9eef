"""Forms of the certificates pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class ReasonForm(FlaskForm):
    """Revoking or correcting a certificate: a written reason is required."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why.")), Length(max=2000)],
        description=_l("Kept in the record and the audit log; a revocation's reason is shown publicly."),
    )
