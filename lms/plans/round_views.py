"""Pages of the reporting rounds: a plan's rounds and opening one (the owner), a round with every
executor's state, reminders, returning and closing (the owner), an executor's report (the people who
act for the executor organisation), and its attached files (both)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lms.audit.models import ACTION_LABELS, TARGET_LABELS
from lms.extensions import db
from lms.orgs.models import Organisation
from lms.permissions import require
from lms.plans import rounds, services
from lms.plans.models import (
    ACTION_STATUS_LABELS,
    ROUND_STATE_LABELS,
    SUBMISSION_STATE_LABELS,
    ActionStatus,
    Plan,
    ReportingRound,
    Submission,
    SubmissionState,
    SubmittedValue,
)
from lms.plans.round_forms import OpenRoundForm, RemindForm, ReportForm, ReturnForm
from lms.plugins import HomeEntry, add_home_section

bp = Blueprint("plans_rounds", __name__, url_prefix="/plans")

ACTION_LABELS.update(
    {
        "plan.round-opened": _l("Reporting round opened"),
        "plan.report-submitted": _l("Plan report submitted"),
        "plan.report-returned": _l("Plan report returned for correction"),
        "plan.round-reminded": _l("Reminders sent for a reporting round"),
        "plan.round-closed": _l("Reporting round closed"),
    }
)
TARGET_LABELS.update({"ReportingRound": _l("Reporting round"), "Submission": _l("Plan report")})
STATE_LABELS: dict[str, Any] = {rounds.NOT_STARTED: _l("Not started")} | {
    str(k): v for k, v in SUBMISSION_STATE_LABELS.items()
}


def _plan(plan_id: int, edit: bool = False) -> Plan:
    """The plan, for its owner: those who may view (or edit) its owner organisation."""
    plan = db.get_or_404(Plan, plan_id)
    require(services.EDIT if edit else services.VIEW, plan.owner)
    return plan


def _round(plan: Plan, round_id: int) -> ReportingRound:
    round_ = db.get_or_404(ReportingRound, round_id)
    if round_.plan_id != plan.id:
        abort(404)
    return round_


def _submission(round_: ReportingRound, submission_id: int) -> Submission:
    submission = db.get_or_404(Submission, submission_id)
    if submission.round_id != round_.id:
        abort(404)
    return submission


def _acts_for(organisation_id: int) -> bool:
    return organisation_id in services.acting_organisation_ids(current_user)


@bp.get("/<int:plan_id>/rounds")
@login_required
def index(plan_id: int) -> Any:
    plan = _plan(plan_id)
    return render_template(
        "plans/round_index.html",
        plan=plan,
        may_edit=services.may_edit(current_user, plan),
        round_states=ROUND_STATE_LABELS,
    )


@bp.route("/<int:plan_id>/rounds/new", methods=["GET", "POST"])
@login_required
def create(plan_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    form = OpenRoundForm()
    if form.validate_on_submit():
        assert form.deadline.data is not None
        try:
            period = rounds.parse_period(form.period.data or "", plan)
        except rounds.RoundError as error:
            form.period.errors.append(str(error))
        else:
            try:
                round_ = rounds.open_round(plan, period, form.deadline.data, current_user)
            except rounds.RoundError as error:
                form.period.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("The round for %(period)s is open.", period=period.label()), "success")
                return redirect(url_for("plans_rounds.show", plan_id=plan.id, round_id=round_.id))
    return render_template("plans/round_form.html", form=form, plan=plan)


@bp.get("/<int:plan_id>/rounds/<int:round_id>")
@login_required
def show(plan_id: int, round_id: int) -> Any:
    plan = _plan(plan_id)
    round_ = _round(plan, round_id)
    states = rounds.executor_states(round_)
    computed = [
        indicator for action in plan.actions for indicator in action.indicators if indicator.is_computed
    ]
    return render_template(
        "plans/round_show.html",
        plan=plan,
        round=round_,
        period=rounds.period_of(round_),
        states=states,
        late=[state for state in states if state.is_late],
        state_labels=STATE_LABELS,
        round_states=ROUND_STATE_LABELS,
        may_edit=services.may_edit(current_user, plan),
        remind_form=RemindForm(formdata=None),
        computed=computed,
        frozen={indicator.id: rounds.frozen_value(round_, indicator) for indicator in computed},
    )


@bp.post("/<int:plan_id>/rounds/<int:round_id>/remind")
@login_required
def remind(plan_id: int, round_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    round_ = _round(plan, round_id)
    form = RemindForm()
    back = redirect(url_for("plans_rounds.show", plan_id=plan.id, round_id=round_.id))
    if not form.validate_on_submit():
        flash(_("Choose whom to remind."), "error")
        return back
    if not round_.is_open:
        flash(_("The round is closed: it accepts no more reports."), "error")
        return back
    which = form.which.data or rounds.LATE
    recipients = rounds.reminder_recipients(round_, which)
    if not recipients:
        flash(_("Nobody to remind."), "info")
        return back
    rounds.record_reminder(round_, which, recipients, current_user)
    db.session.commit()
    sent = rounds.send_reminders(round_, recipients)
    if sent:
        flash(_("Reminders sent: %(count)s.", count=sent), "success")
    else:
        flash(_("No reminder could be sent: e-mail is not configured or the server refused it."), "error")
    return back


@bp.post("/<int:plan_id>/rounds/<int:round_id>/close")
@login_required
def close(plan_id: int, round_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    round_ = _round(plan, round_id)
    try:
        rounds.close_round(round_, current_user)
    except rounds.RoundError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The round is closed; the counted values are frozen."), "success")
    return redirect(url_for("plans_rounds.show", plan_id=plan.id, round_id=round_.id))


def _submission_page(plan: Plan, round_: ReportingRound, submission: Submission, form: ReturnForm) -> Any:
    values = {value.indicator_id: value for value in submission.values}
    return render_template(
        "plans/round_submission.html",
        plan=plan,
        round=round_,
        period=rounds.period_of(round_),
        submission=submission,
        tasks=rounds.tasks(plan, submission.organisation),
        values=values,
        state_labels=STATE_LABELS,
        status_labels=ACTION_STATUS_LABELS,
        is_late=rounds.is_late(round_, submission),
        may_return=services.may_edit(current_user, plan)
        and round_.is_open
        and submission.state == SubmissionState.SUBMITTED,
        form=form,
    )


@bp.get("/<int:plan_id>/rounds/<int:round_id>/submissions/<int:submission_id>")
@login_required
def submission(plan_id: int, round_id: int, submission_id: int) -> Any:
    plan = _plan(plan_id)
    round_ = _round(plan, round_id)
    return _submission_page(plan, round_, _submission(round_, submission_id), ReturnForm(formdata=None))


@bp.post("/<int:plan_id>/rounds/<int:round_id>/submissions/<int:submission_id>/return")
@login_required
def return_submission(plan_id: int, round_id: int, submission_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    round_ = _round(plan, round_id)
    submission = _submission(round_, submission_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            rounds.return_submission(submission, form.comment.data or "", current_user)
        except rounds.RoundError as error:
            form.comment.errors = [*form.comment.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "The report of %(organisation)s is returned for correction.",
                    organisation=submission.organisation.name,
                ),
                "success",
            )
            return redirect(url_for("plans_rounds.show", plan_id=plan.id, round_id=round_.id))
    return _submission_page(plan, round_, submission, form)


# --- the executor's report -------------------------------------------------------------------------


def _read_entries(tasks: list[Any]) -> tuple[dict[int, rounds.Entry], dict[int, dict[str, str]], list[str]]:
    """What the form holds per indicator; errors by indicator and field; files stored meanwhile."""
    entries: dict[int, rounds.Entry] = {}
    errors: dict[int, dict[str, str]] = {}
    stored: list[str] = []
    statuses = {status.value for status in ActionStatus}
    for _action, indicators in tasks:
        for indicator in indicators:
            key = str(indicator.id)
            entry = rounds.Entry(note=request.form.get(f"note-{key}", "")[:5000])
            try:
                entry.value = rounds.parse_number(request.form.get(f"value-{key}", ""))
            except rounds.RoundError as error:
                errors.setdefault(indicator.id, {})["value"] = str(error)
            status = request.form.get(f"status-{key}", "")
            entry.status = status if status in statuses else None
            entry.remove_attachment = request.form.get(f"remove-{key}") == "1"
            upload = request.files.get(f"file-{key}")
            if upload is not None and upload.filename:
                data = upload.read(rounds.max_attachment_bytes() + 1)
                try:
                    entry.attachment = rounds.store_attachment(upload.filename, data)
                    stored.append(entry.attachment[1])
                except rounds.RoundError as error:
                    errors.setdefault(indicator.id, {})["file"] = str(error)
            entries[indicator.id] = entry
    return entries, errors, stored


@bp.route("/<int:plan_id>/rounds/<int:round_id>/report/<int:executor_id>", methods=["GET", "POST"])
@login_required
def report(plan_id: int, round_id: int, executor_id: int) -> Any:
    plan = db.get_or_404(Plan, plan_id)
    round_ = _round(plan, round_id)
    organisation = db.get_or_404(Organisation, executor_id)
    if not _acts_for(organisation.id) or not rounds.is_executor(plan, organisation.id):
        abort(403)
    tasks = rounds.tasks(plan, organisation)
    submission = rounds.submission_of(round_, organisation)
    form = ReportForm()
    errors: dict[int, dict[str, str]] = {}
    typed: dict[int, rounds.Entry] | None = None
    problem = None
    if form.validate_on_submit():
        entries, errors, stored = _read_entries(tasks)
        if errors:
            rounds.remove_files(stored)  # nothing is kept of a form sent back
            typed = entries
        else:
            try:
                submission = rounds.start_submission(round_, organisation)
                obsolete = rounds.save_entries(submission, entries, current_user)
                if request.form.get("submit") == "submit":
                    rounds.submit(submission, current_user)
            except rounds.RoundError as error:
                db.session.rollback()
                rounds.remove_files(stored)
                problem, typed = str(error), entries
                submission = rounds.submission_of(round_, organisation)
            else:
                db.session.commit()
                rounds.remove_files(obsolete)
                submitted = submission.state == SubmissionState.SUBMITTED
                flash(_("Your report is submitted.") if submitted else _("Draft saved."), "success")
                return redirect(request.path)
    elif request.method == "POST":
        problem = _("The form has expired. Please send it again.")
    values: dict[int, SubmittedValue] = (
        {value.indicator_id: value for value in submission.values} if submission else {}
    )
    return render_template(
        "plans/round_report.html",
        plan=plan,
        round=round_,
        period=rounds.period_of(round_),
        organisation=organisation,
        submission=submission,
        tasks=tasks,
        values=values,
        typed=typed,
        errors=errors,
        problem=problem,
        form=form,
        state_labels=STATE_LABELS,
        status_labels=ACTION_STATUS_LABELS,
        editable=round_.is_open and (submission is None or submission.state != SubmissionState.SUBMITTED),
        is_late=rounds.is_late(round_, submission),
        today=date.today(),
        max_mb=rounds.max_attachment_bytes() // (1024 * 1024),
    )


@bp.get("/<int:plan_id>/rounds/<int:round_id>/attachments/<int:value_id>")
@login_required
def attachment(plan_id: int, round_id: int, value_id: int) -> Any:
    plan = db.get_or_404(Plan, plan_id)
    round_ = _round(plan, round_id)
    value = db.get_or_404(SubmittedValue, value_id)
    if value.submission.round_id != round_.id:
        abort(404)
    if not _acts_for(value.submission.organisation_id):
        require(services.VIEW, plan.owner)
    path = rounds.attachment_file(value)
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype=rounds.attachment_mimetype(value),
        as_attachment=True,
        download_name=value.attachment_name or path.name,
    )


# --- the home page -------------------------------------------------------------------------------


def due_entries(user: Any) -> list[HomeEntry]:
    """What the organisations a person acts for must report in open rounds, with the deadline."""
    from flask_babel import format_date

    entries = []
    for due in rounds.due_reports(user)[:10]:
        round_ = due.round
        detail = _(
            "%(organisation)s · due %(deadline)s",
            organisation=str(due.organisation.name),
            deadline=format_date(round_.deadline, "medium"),
        )
        if due.submission is not None and due.submission.state == SubmissionState.RETURNED:
            detail = _("%(detail)s · returned for correction", detail=detail)
        elif rounds.is_late(round_, due.submission):
            detail = _("%(detail)s · late", detail=detail)
        entries.append(
            HomeEntry(
                _(
                    "%(plan)s: report for %(period)s",
                    plan=round_.plan.code,
                    period=rounds.period_of(round_).label(),
                ),
                url_for(
                    "plans_rounds.report",
                    plan_id=round_.plan_id,
                    round_id=round_.id,
                    executor_id=due.organisation.id,
                ),
                detail,
            )
        )
    return entries


def install(app: Flask) -> None:
    app.register_blueprint(bp)
    add_home_section(
        app,
        "plans.reports-due",
        _l("Plan reports to submit"),
        due_entries,
        lambda user: user.is_authenticated,
        order=40,
    )
