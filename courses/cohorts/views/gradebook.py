"""The gradebook and its exports, and closing a cohort.

The gradebook only reads: whoever may view the cohort sees it (its trainers, and the managers and
admins of its scope, who also may close it)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from courses.cohorts import access, completion, gradebook, wording
from courses.cohorts.models import MEMBER_STATUS_LABELS, MemberStatus
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
        may_view=access.may_view(current_user, cohort),
    )


# --- the gradebook -----------------------------------------------------------------------------------


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filters() -> gradebook.Filters:
    status = request.args.get("status", "")
    sort = request.args.get("sort", "name")
    return gradebook.Filters(
        status=status if status in {status.value for status in MemberStatus} else "",
        organisation_id=_number("organisation"),
        target_group_id=_number("group"),
        sort=sort if sort in gradebook.SORTS else "name",
        descending=request.args.get("order") == "desc",
    )


def _query(filters: gradebook.Filters) -> dict[str, Any]:
    """The filters as URL parameters (for links that keep them)."""
    query: dict[str, Any] = {}
    if filters.status:
        query["status"] = filters.status
    if filters.organisation_id is not None:
        query["organisation"] = filters.organisation_id
    if filters.target_group_id is not None:
        query["group"] = filters.target_group_id
    return query


SORT_LABELS = {
    "name": _l("Name"),
    "organisation": _l("Organisation"),
    "progress": _l("Progress"),
    "attendance": _l("Attendance"),
    "status": _l("Status"),
}


@bp.route("/<int:cohort_id>/gradebook", endpoint="gradebook")
@login_required
def gradebook_page(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_view)
    filters = _filters()
    book = gradebook.gradebook(cohort, filters)
    page = gradebook.paginate(book.rows, _number("page") or 1, current_app.config["LMS_PAGE_SIZE"])
    organisations, groups = gradebook.filter_choices(cohort)
    return render_template(
        "courses/cohorts/gradebook.html",
        cohort=cohort,
        book=book,
        page=page,
        filters=filters,
        query=_query(filters),
        organisations=organisations,
        groups=groups,
        statuses=[(status.value, MEMBER_STATUS_LABELS[status]) for status in MemberStatus],
        sorts=SORT_LABELS,
        completed_on=gradebook.completed_on,
        n=wording.Numbers(),
        may_close=access.may_close(current_user, cohort),
    )


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:cohort_id>/gradebook.csv")
@login_required
def gradebook_csv(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_view)
    book = gradebook.gradebook(cohort, _filters())
    return _download(gradebook.to_csv(book), "text/csv", gradebook.filename(cohort, "csv"))


@bp.route("/<int:cohort_id>/gradebook.xlsx")
@login_required
def gradebook_xlsx(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_view)
    book = gradebook.gradebook(cohort, _filters())
    return _download(
        gradebook.to_xlsx(book, str(cohort)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gradebook.filename(cohort, "xlsx"),
    )
