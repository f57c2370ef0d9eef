"""Pages of a plan's execution report: the report for a period (with its downloads), freezing a
version with sign-off, and a frozen version (its downloads, and its differences from another).

Who sees what: those who may view the plan's owner (its managers and admins) see every action and the
frozen versions, and those who may edit it freeze them. An executor (a person acting for an
organisation named as an action's executor) sees the report with the rows of her own actions only,
as it stands now, and downloads that; the frozen versions are the owner's sign-off of the whole plan,
so she does not see them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.extensions import db
from lms.monitoring.models import FrozenReport
from lms.monitoring.periods import Period
from lms.permissions import require
from lms.plans import report, services
from lms.plans.models import ROUND_STATE_LABELS, Plan

bp = Blueprint("plan_reports", __name__, url_prefix="/plans")


def _plan(code: str) -> Plan:
    """The plan, if the current user may see it; 401/403/404 otherwise."""
    plan = services.by_code(code)
    if plan is None:
        abort(404)
    if not services.may_view(current_user, plan):
        require(services.VIEW, plan.owner)  # says 403 (or 401) the one way every view does
    return plan


def _download(content: dict[str, Any], export_format: str, version: FrozenReport | None = None) -> Response:
    data, mime = report.export(content, export_format, version)
    name = report.filename(content, export_format, version.version if version is not None else None)
    return Response(data, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _page_helpers() -> dict[str, Any]:
    return {
        "headers": report.headers(),
        "status_label": report.status_label,
        "submitted_text": report.submitted_text,
        "source_labels": report.SOURCE_LABELS,
        "value_rule": report.VALUE_RULE,
        "status_rule": report.STATUS_RULE,
    }


@bp.get("/<plan_code>/report")
@login_required
def show(plan_code: str) -> Any:
    plan = _plan(plan_code)
    whole = services.can_view_whole(current_user, plan)
    problem = None
    try:
        period = report.parse_period(request.args["period"]) if request.args.get("period") else None
    except report.PeriodError as error:
        period, problem = None, str(error)
    if period is None:
        period = report.default_period(plan)
    content = report.build(plan, period, None if whole else services.acting_organisation_ids(current_user))
    export_format = request.args.get("format")
    if export_format in report.FORMATS and problem is None:
        return _download(content, export_format)
    round_ = report.round_for(plan, period)
    return render_template(
        "plans/report.html",
        plan=plan,
        period=period,
        content=content,
        problem=problem,
        typed=request.args.get("period", ""),
        choices=report.period_choices(plan, period),
        whole=whole,
        round=round_,
        round_states=ROUND_STATE_LABELS,
        provisional=report.provisional_text(content),
        versions=report.versions(plan, period) if whole else [],
        may_freeze=services.may_edit(current_user, plan),
        **_page_helpers(),
    )


@bp.post("/<plan_code>/report/freeze")
@login_required
def freeze(plan_code: str) -> Any:
    """Freeze the whole plan's report for the period as it stands now, signed off by the user."""
    plan = services.by_code(plan_code)
    if plan is None:
        abort(404)
    require(services.EDIT, plan.owner)
    try:
        period = report.parse_period(request.form.get("period", ""))
    except report.PeriodError as error:
        flash(str(error), "error")
        return redirect(url_for("plan_reports.show", plan_code=plan.code))
    version = report.freeze(plan, period, current_user._get_current_object())
    db.session.commit()
    flash(_("Version %(number)s of the report has been frozen.", number=version.version), "success")
    return redirect(url_for("plan_reports.version", plan_code=plan.code, version_id=version.id))


@bp.get("/<plan_code>/report/versions/<int:version_id>")
@login_required
def version(plan_code: str, version_id: int) -> Any:
    plan = services.by_code(plan_code)
    if plan is None:
        abort(404)
    require(services.VIEW, plan.owner)
    frozen = report.version_of(plan, version_id)
    if frozen is None:
        abort(404)
    export_format = request.args.get("format")
    if export_format in report.FORMATS:
        return _download(frozen.content, export_format, frozen)
    others = report.versions(plan, Period.parse(frozen.content["period"]))
    against_id = request.args.get("against", type=int)
    against = next((other for other in others if other.id == against_id and other.id != frozen.id), None)
    return render_template(
        "plans/report_version.html",
        plan=plan,
        version=frozen,
        content=frozen.content,
        period_label=report.period_label(frozen.content),
        provisional=report.provisional_text(frozen.content),
        others=others,
        against=against,
        changes=report.differences(against, frozen) if against is not None else None,
        **_page_helpers(),
    )


def install(app: Flask) -> None:
    app.register_blueprint(bp)
