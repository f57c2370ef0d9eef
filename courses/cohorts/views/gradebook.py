"""The gradebook and its exports, and closing a cohort."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from courses.cohorts import access, completion, wording
from courses.cohorts.views import bp
from lms.extensions import db


@bp.route("/<int:cohort_id>/close", methods=["GET", "POST"])
@login_required
def close(cohort_id: int) -> Any:
    """The confirmation page: who completed and who did not, and why; the POST closes the cohort."""
    cohort = access.cohort_or_abort(cohort_id, access.may_close)
    if request.method == "POST":
        closed = completion.close_cohort(cohort, current_user._get_current_object())
        db.session.commit()
        if closed is None:
            flash(_("The cohort had been closed already: nothing was changed or sent again."), "info")
        else:
            flash(
                ngettext(
                    "The cohort has been closed. %(num)d learner completed it on closing.",
                    "The cohort has been closed. %(num)d learners completed it on closing.",
                    len(closed.completed_now),
                )
                if closed.completed_now
                else _("The cohort has been closed."),
                "success",
            )
        return redirect(url_for("courses_cohorts.close", cohort_id=cohort.id))
    preview = completion.closing_preview(cohort)
    return render_template(
        "courses/cohorts/close.html",
        cohort=cohort,
        preview=preview,
        missing=wording.missing,
        may_teach=access.may_teach(current_user, cohort),
    )
