"""Sessions, calendar feeds, attendance, rosters, offline work.

Every page works without JavaScript. The attendance form is one group of big radio buttons per
learner, all saved by one POST; a learner not marked yet starts as present.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from courses.cohorts import access, calendar, roster
from courses.cohorts import sessions as services
from courses.cohorts.models import ATTENDANCE_LABELS, AttendanceStatus, Cohort, CohortSession
from courses.cohorts.session_forms import OfflineWorkForm, SessionForm
from courses.cohorts.views import bp
from courses.models import Item
from lms.extensions import db, limit
from lms.i18n import utcnow

ERRORS = {
    services.END_NOT_AFTER_START: _l("The session must end after it starts."),
    services.NO_SUCH_TIME: _l("This time does not exist on that day: the clocks go forward then."),
    services.PUBLIC_NEEDS_VENUE: _l("A public session needs a venue: enter its organisation code."),
    services.NOT_A_WEB_ADDRESS: _l("Enter an address starting with https:// or http://."),
    services.COHORT_CLOSED: _l("The cohort is closed: its sessions can no longer be changed."),
    services.SESSION_CANCELLED: _l("The session has been cancelled: it can no longer be changed."),
    services.NOT_YET: _l("Attendance can be marked from the day of the session."),
    services.UNKNOWN_STATUS: _l("Choose present, late, absent or excused for each learner."),
    services.QUIZ_ITEM: _l("A quiz is completed by passing it: it cannot be recorded as done offline."),
}


def _cohort(cohort_id: int, check: Any) -> Cohort:
    return access.cohort_or_abort(cohort_id, check)


def _session(cohort: Cohort, session_id: int) -> CohortSession:
    session = services.session_of(cohort, session_id)
    if session is None:
        abort(404)
    return session


def _back(cohort: Cohort) -> Any:
    return redirect(url_for("courses_cohorts.sessions", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/sessions")
@login_required
def sessions(cohort_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_see_sessions)
    return render_template(
        "courses/cohorts/sessions.html",
        cohort=cohort,
        sessions=services.sessions_of(cohort),
        may_teach=access.may_teach(current_user, cohort),
        may_view=access.may_view(current_user, cohort),
        feed_url=urljoin(
            current_app.config["LMS_BASE_URL"],
            url_for("courses_cohorts.calendar_feed", token=cohort.calendar_token),
        ),
    )


# --- scheduling ---------------------------------------------------------------------------------------


def _session_form(cohort: Cohort, details: services.SessionDetails | None = None) -> SessionForm:
    form = SessionForm() if request.method == "POST" else SessionForm(data=_initial(details))
    form.modules.choices = [(module.id, str(module.title)) for module in cohort.course.modules]
    return form


def _initial(details: services.SessionDetails | None) -> dict[str, Any]:
    if details is None:
        return {}
    return {
        "day": details.day,
        "starts": details.starts,
        "ends": details.ends,
        "topic": details.topic,
        "venue": details.venue.code if details.venue is not None else "",
        "place": details.place,
        "webinar_url": details.webinar_url,
        "modules": [module.id for module in details.modules],
        "is_public": details.is_public,
    }


def _details(cohort: Cohort, form: SessionForm) -> services.SessionDetails:
    chosen = set(form.modules.data or ())
    assert form.day.data is not None and form.starts.data is not None and form.ends.data is not None
    return services.SessionDetails(
        day=form.day.data,
        starts=form.starts.data,
        ends=form.ends.data,
        topic=form.topic.data or "",
        venue=form.venue.organisation,
        place=form.place.data or "",
        webinar_url=form.webinar_url.data or "",
        modules=[module for module in cohort.course.modules if module.id in chosen],
        is_public=bool(form.is_public.data),
    )


def _refused(form: SessionForm, error: services.SessionError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    message = str(ERRORS[error.code])
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


@bp.route("/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(cohort_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_teach)
    form = _session_form(cohort, services.SessionDetails.defaults_for(cohort, _first_day(cohort, utcnow())))
    if form.validate_on_submit():
        try:
            services.schedule_session(cohort, _details(cohort, form), current_user)
        except services.SessionError as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("The session has been scheduled."), "success")
            return _back(cohort)
    return render_template("courses/cohorts/session_form.html", cohort=cohort, form=form, session=None)


def _first_day(cohort: Cohort, now: Any) -> Any:
    """A new session's proposed day: today in the cohort's time zone, or the cohort's first day."""
    today = services.in_cohort_zone(cohort, now).date()
    return max(today, cohort.starts_on)


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(cohort_id: int, session_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_teach)
    session = _session(cohort, session_id)
    form = _session_form(cohort, services.SessionDetails.of(session))
    if form.validate_on_submit():
        try:
            changed = services.update_session(session, _details(cohort, form), current_user)
        except services.SessionError as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("The session has been changed: calendars will show the change."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _back(cohort)
    return render_template("courses/cohorts/session_form.html", cohort=cohort, form=form, session=session)


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_session(cohort_id: int, session_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_teach)
    session = _session(cohort, session_id)
    try:
        cancelled = services.cancel_session(session, current_user)
    except services.SessionError as error:
        db.session.rollback()
        flash(str(ERRORS[error.code]), "error")
        return _back(cohort)
    db.session.commit()
    if cancelled:
        flash(
            _("The session has been cancelled. It stays in the list and calendars show it as cancelled."),
            "success",
        )
    return _back(cohort)


# --- calendars ----------------------------------------------------------------------------------------


def _ics(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = calendar.CONTENT_TYPE
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/calendar/<token>.ics")
@limit("120 per minute")
def calendar_feed(token: str) -> Any:
    """The cohort's feed, for calendar programs: no login, the unguessable address is the key."""
    cohort = services.cohort_by_calendar_token(token)
    if cohort is None:
        abort(404)
    response = _ics(calendar.calendar(cohort, services.sessions_of(cohort)))
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/<int:cohort_id>/sessions/<int:session_id>.ics")
@login_required
def session_ics(cohort_id: int, session_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_see_sessions)
    session = _session(cohort, session_id)
    return _ics(calendar.calendar(cohort, [session]), calendar.filename(session))


@bp.route("/<int:cohort_id>/calendar/reset", methods=["POST"])
@login_required
def reset_calendar(cohort_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_teach)
    services.reset_calendar_token(cohort, current_user)
    db.session.commit()
    flash(_("The calendar has a new address: the old one no longer works. Share the new one."), "success")
    return _back(cohort)


# --- attendance ----------------------------------------------------------------------------------------


def _chosen(rows: list[services.SheetRow]) -> dict[int, str]:
    """The posted mark of each learner on the sheet (missing or unknown ones left out)."""
    chosen: dict[int, str] = {}
    for row in rows:
        value = request.form.get(f"status-{row.member.id}", "")
        if value in services.STATUSES:
            chosen[row.member.id] = value
    return chosen


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(cohort_id: int, session_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_teach)
    session = _session(cohort, session_id)
    rows = services.attendance_sheet(session)
    chosen = {row.member.id: row.status for row in rows}
    wrong: set[int] = set()
    error = None
    if request.method == "POST":
        posted = _chosen(rows)
        chosen.update(posted)
        try:
            changed = services.mark_attendance(session, posted, current_user)
        except services.SessionError as refused:
            db.session.rollback()
            error, wrong = ERRORS[refused.code], set(refused.member_ids)
            rows = services.attendance_sheet(session)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Attendance has been saved: %(num)d mark changed.",
                    "Attendance has been saved: %(num)d marks changed.",
                    len(changed),
                )
                if changed
                else _("Attendance has been saved."),
                "success",
            )
            return _back(cohort)
    return render_template(
        "courses/cohorts/attendance.html",
        cohort=cohort,
        session=session,
        rows=rows,
        chosen=chosen,
        wrong=wrong,
        error=error,
        statuses=[(status.value, ATTENDANCE_LABELS[status]) for status in AttendanceStatus],
        may_be_marked=services.may_be_marked(session),
    )


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/roster.pdf")
@login_required
def roster_pdf(cohort_id: int, session_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_view)
    session = _session(cohort, session_id)
    response = Response(roster.roster_pdf(session), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{roster.filename(session)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- offline work --------------------------------------------------------------------------------------


def _offline_form(cohort: Cohort, rows: list[services.SheetRow]) -> OfflineWorkForm:
    form = OfflineWorkForm()
    groups: dict[str, list[tuple[int, str]]] = {}
    for item in services.offline_items(cohort):
        groups.setdefault(str(item.module.title), []).append((item.id, str(item.title)))
    form.item.choices = groups  # WTForms takes option groups as a dict
    form.members.choices = [(row.member.id, row.member.user.full_name) for row in rows]
    return form


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/offline", methods=["GET", "POST"])
@login_required
def offline_work(cohort_id: int, session_id: int) -> Any:
    cohort = _cohort(cohort_id, access.may_teach)
    session = _session(cohort, session_id)
    rows = services.attendance_sheet(session)
    form = _offline_form(cohort, rows)
    if form.validate_on_submit():
        item = db.session.get(Item, form.item.data)
        chosen = set(form.members.data or ())
        members = [row.member for row in rows if row.member.id in chosen]
        assert item is not None  # one of the choices, checked by the form
        try:
            recorded, already = services.record_offline_work(session, item, members, current_user)
        except services.SessionError as error:
            db.session.rollback()
            form.item.errors = [*form.item.errors, str(ERRORS[error.code])]
        else:
            db.session.commit()
            if recorded:
                flash(
                    ngettext(
                        "Recorded for %(num)d learner.", "Recorded for %(num)d learners.", len(recorded)
                    ),
                    "success",
                )
            if already:
                names = ", ".join(member.user.full_name for member in already)
                flash(_("Already done before, nothing changed: %(names)s.", names=names), "info")
            return redirect(
                url_for("courses_cohorts.offline_work", cohort_id=cohort.id, session_id=session.id)
            )
    return render_template("courses/cohorts/offline.html", cohort=cohort, session=session, form=form)
