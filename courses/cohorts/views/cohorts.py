"""Cohort lists, creating and editing cohorts, enrolment (one by one, invitations, key, CSV),
withdrawal and transfer, licences given by hand.

Views are thin: the checks are :mod:`courses.cohorts.access`, the rules the services'.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from courses.cohorts import access, importer, licences, services
from courses.cohorts.forms import (
    TIMEZONES,
    CohortForm,
    EnrolForm,
    InviteForm,
    KeyForm,
    LicenceGrantForm,
    RevokeForm,
    TransferForm,
)
from courses.cohorts.models import (
    COHORT_STATUS_LABELS,
    Cohort,
    CohortMember,
    CohortStatus,
    LicenceGrant,
    MemberStatus,
    cohort_trainer,
)
from courses.cohorts.views import bp
from courses.models import Course, Status, qualification
from lms.accounts.services import find_by_email
from lms.extensions import db
from lms.forms import CsvUploadForm
from lms.imports.services import check_file, keep_upload, take_upload, template_csv
from lms.orgs.models import Organisation
from lms.permissions import Scope, can, require, scope

ERRORS = {
    services.ENDS_BEFORE_START: _l("The last day cannot be before the first."),
    services.NO_TRAINER: _l("Name at least one trainer."),
    services.BAD_CAPACITY: _l("Enter a whole number of at least 1."),
    services.KEY_TAKEN: _l("Another cohort already has this key: choose another."),
    services.BAD_KEY: _l("Use 4 to 64 letters, digits, - or _."),
    services.NOT_A_WEB_ADDRESS: _l("Enter an address starting with https:// or http://."),
    services.UNKNOWN_TIMEZONE: _l("Choose a time zone from the list."),
    services.BAD_STATUS: _l("Choose online, in person or blended."),
    services.COHORT_CLOSED: _l("The cohort is closed: it can no longer be changed."),
    services.COHORT_FULL: _l("The cohort is full: raise its number of places first."),
    services.ALREADY_MEMBER: _l("This person is already a learner of this cohort."),
    services.IN_ANOTHER_COHORT: _l(
        "This person is a learner of another open cohort of this course: transfer them from there instead."
    ),
    services.NOT_A_MEMBER: _l("Only a learner who is enrolled can be transferred."),
    services.ALREADY_WITHDRAWN: _l("This learner has already withdrawn."),
    services.OTHER_COURSE: _l("A learner can only move to a cohort of the same course."),
    services.SAME_COHORT: _l("Choose another cohort."),
    services.NO_SUCH_KEY: _l("No cohort has this key. Check it with your trainer."),
    services.EMAIL_TAKEN: _l("Someone already has this address: enrol them with the form above."),
}
LICENCE_ERRORS = {
    licences.NO_REASON: _l("Write the reason."),
    licences.NOT_QUALIFIED_COURSE: _l(
        "No course qualifies trainers for this course: the trainer role is enough."
    ),
    licences.ALREADY_GRANTED: _l("This person already holds a licence for this course given by hand."),
}


def _message(error: services.CohortError) -> str:
    if error.code == services.TRAINER_NOT_TRAINER:
        return _(
            "Not a trainer: %(people)s. Each trainer needs the trainer role.", people=_names(error.people)
        )
    if error.code == services.TRAINER_UNLICENSED:
        return _(
            "%(people)s cannot train this course: they do not hold the licence for it. A licence comes "
            "from completing a cohort of a course that qualifies trainers for it, or is given by an "
            "administrator.",
            people=_names(error.people),
        )
    if error.code == services.CAPACITY_BELOW_MEMBERS:
        return _(
            "The cohort already has %(count)d learners: the places cannot be fewer.",
            count=error.details.get("count", 0),
        )
    return str(ERRORS[error.code])


def _names(people: Any) -> str:
    return ", ".join(f"{person.full_name} <{person.email}>" for person in people)


# --- lists --------------------------------------------------------------------------------------------


PERIOD_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def _day(text: str) -> date | None:
    from datetime import datetime

    for pattern in PERIOD_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _regions(where: Scope) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == "region", where.filter(Organisation.path))
    return list(db.session.scalars(query.order_by(Organisation.name_sort)))


def _mine(user: Any) -> Any:
    trained = select(cohort_trainer.c.cohort_id).where(cohort_trainer.c.user_id == user.id)
    learning = select(CohortMember.cohort_id).where(
        CohortMember.user_id == user.id, CohortMember.status != MemberStatus.WITHDRAWN.value
    )
    return or_(Cohort.id.in_(trained), Cohort.id.in_(learning))


@bp.get("/")
@login_required
def index() -> Any:
    """Every cohort of the viewer's scope (managers, admins), or her own ("My cohorts")."""
    where = scope(current_user, access.VIEW)
    sees_scope = bool(where.paths) or where.is_everything
    only_mine = not sees_scope or request.args.get("mine") == "1"
    query = (
        select(Cohort)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .options(joinedload(Cohort.course), joinedload(Cohort.organisation), selectinload(Cohort.trainers))
    )
    query = query.where(_mine(current_user)) if only_mine else query.where(where.filter(Organisation.path))
    filters = {
        "course": request.args.get("course", "").strip(),
        "region": request.args.get("region", "").strip(),
        "status": request.args.get("status", "").strip(),
        "since": request.args.get("since", "").strip(),
        "until": request.args.get("until", "").strip(),
        "mine": "1" if only_mine and sees_scope else "",
    }
    problems = []
    if filters["course"]:
        query = query.where(Cohort.course.has(Course.code == filters["course"]))
    regions = _regions(where) if sees_scope else []
    region = next((r for r in regions if r.code == filters["region"]), None)
    if region is not None:
        query = query.where(Organisation.path.startswith(region.path, autoescape=True))
    if filters["status"] in {status.value for status in CohortStatus}:
        query = query.where(Cohort.status == filters["status"])
    since, until = _day(filters["since"]), _day(filters["until"])
    if (filters["since"] and since is None) or (filters["until"] and until is None):
        problems.append(_("Enter dates like 2026-03-02 or 02.03.2026."))
    if since is not None:
        query = query.where(Cohort.ends_on >= since)  # cohorts that run at some time in the period
    if until is not None:
        query = query.where(Cohort.starts_on <= until)
    query = query.order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    courses = db.session.scalars(
        select(Course).where(Course.status == Status.PUBLISHED).order_by(Course.code)
    )
    return render_template(
        "courses/cohorts/index.html",
        page=page,
        filters=filters,
        problems=problems,
        sees_scope=sees_scope,
        courses=list(courses),
        regions=regions,
        statuses=COHORT_STATUS_LABELS,
        flagged=licences.flagged_cohorts(current_user, where) if sees_scope else [],
        may_create=can(current_user, access.CREATE),
        may_grant=can(current_user, access.GRANT_LICENCE),
    )


# --- creating and editing ------------------------------------------------------------------------------


def _creatable_courses() -> list[Course]:
    query = select(Course).where(Course.status == Status.PUBLISHED).order_by(Course.code)
    return list(db.session.scalars(query))


def _fill(form: CohortForm, courses: list[Course] | None = None) -> None:
    form.course.choices = [(course.id, f"{course.code} · {course.title}") for course in courses or []]
    form.timezone.choices = [(zone, zone) for zone in TIMEZONES]


def _trainers(form: CohortForm) -> list[Any] | None:
    """The people named as trainers, or None (with the field's error) when an address is unknown."""
    people, unknown = [], []
    for email in form.trainers.emails:
        person = find_by_email(email)
        if person is None:
            unknown.append(email)
        else:
            people.append(person)
    if unknown:
        form.trainers.errors = [
            *form.trainers.errors,
            _("Nobody has these addresses: %(emails)s.", emails=", ".join(unknown)),
        ]
        return None
    return people


def _details(form: CohortForm, course: Course, organisation: Organisation, trainers: list[Any]) -> Any:
    assert form.starts_on.data is not None and form.ends_on.data is not None
    return services.CohortDetails(
        course=course,
        organisation=organisation,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        trainers=trainers,
        title=form.title.data or "",
        mode=form.mode.data or "blended",
        capacity=form.capacity.data,
        enrolment_key=form.enrolment_key.data or "",
        venue=form.venue.organisation,
        venue_address=form.venue_address.data or "",
        webinar_url=form.webinar_url.data or "",
        timezone=form.timezone.data or "Europe/Kyiv",
    )


def _refused(form: CohortForm, error: services.CohortError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    message = _message(error)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    require(access.CREATE)
    courses = _creatable_courses()
    initial = {"trainers": current_user.email, "organisation": request.args.get("org", "")}
    course_code = request.args.get("course", "")
    chosen = next((course for course in courses if course.code == course_code), None)
    if chosen is not None:
        initial["course"] = chosen.id
    form = CohortForm() if request.method == "POST" else CohortForm(data=initial)
    _fill(form, courses)
    if form.validate_on_submit():
        organisation = form.organisation.organisation
        course = next(course for course in courses if course.id == form.course.data)
        trainers = _trainers(form)
        if organisation is not None and not can(current_user, access.CREATE, organisation):
            form.organisation.errors.append(_("You may only open cohorts in organisations of your scope."))
        elif organisation is not None and trainers is not None:
            try:
                cohort = services.create_cohort(_details(form, course, organisation, trainers), current_user)
            except services.CohortError as error:
                db.session.rollback()
                _refused(form, error)
            else:
                db.session.commit()
                flash(_("The cohort has been created. Enrol its learners next."), "success")
                return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))
    return render_template("courses/cohorts/cohort_form.html", form=form, cohort=None)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def edit(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    if cohort.is_closed:
        flash(_("The cohort is closed: it can no longer be changed."), "error")
        return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))
    details = services.CohortDetails.of(cohort)
    initial = {
        "course": cohort.course_id,
        "organisation": cohort.organisation.code,
        "title": details.title,
        "starts_on": details.starts_on,
        "ends_on": details.ends_on,
        "mode": details.mode,
        "capacity": details.capacity,
        "trainers": "\n".join(trainer.email for trainer in details.trainers),
        "enrolment_key": details.enrolment_key,
        "venue": details.venue.code if details.venue is not None else "",
        "venue_address": details.venue_address,
        "webinar_url": details.webinar_url,
        "timezone": details.timezone,
    }
    form = CohortForm() if request.method == "POST" else CohortForm(data=initial)
    _fill(form, [cohort.course])
    # The course and the organisation stay: they are shown, not posted.
    form.course.data = cohort.course_id
    form.organisation.data = cohort.organisation.code
    if form.validate_on_submit():
        trainers = _trainers(form)
        if trainers is not None:
            try:
                services.update_cohort(
                    cohort, _details(form, cohort.course, cohort.organisation, trainers), current_user
                )
            except services.CohortError as error:
                db.session.rollback()
                _refused(form, error)
            else:
                db.session.commit()
                flash(_("The cohort has been saved."), "success")
                return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))
    return render_template("courses/cohorts/cohort_form.html", form=form, cohort=cohort)


@bp.post("/<int:cohort_id>/start")
@login_required
def start(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    try:
        started = services.start_cohort(cohort, current_user)
    except services.CohortError as error:
        db.session.rollback()
        flash(_message(error), "error")
    else:
        db.session.commit()
        if started:
            flash(_("The cohort is running."), "success")
    return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))


# --- one cohort ------------------------------------------------------------------------------------------


@bp.get("/<int:cohort_id>")
@login_required
def show(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_see_sessions)
    may_view = access.may_view(current_user, cohort)
    return render_template(
        "courses/cohorts/show.html",
        cohort=cohort,
        members=services.members(cohort) if may_view else [],
        may_view=may_view,
        may_teach=access.may_teach(current_user, cohort),
        may_close=access.may_close(current_user, cohort),
        room=services.room_left(cohort),
        active=services.active_count(cohort),
        unlicensed=licences.unlicensed_trainers(cohort) if may_view and not cohort.is_closed else [],
        licence_of={t.id: licences.licence_of(t, cohort.course) for t in cohort.trainers} if may_view else {},
        has_gradebook="courses_cohorts.gradebook" in current_app.view_functions,
        has_close="courses_cohorts.close" in current_app.view_functions,
    )


# --- enrolment -----------------------------------------------------------------------------------------


def _enrol_page(cohort: Cohort, enrol_form: EnrolForm, invite_form: InviteForm, status: int = 200) -> Any:
    return (
        render_template(
            "courses/cohorts/enrol.html",
            cohort=cohort,
            enrol_form=enrol_form,
            invite_form=invite_form,
            room=services.room_left(cohort),
        ),
        status,
    )


def _closed(cohort: Cohort) -> Any:
    flash(_("The cohort is closed: nobody can be enrolled."), "error")
    return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/enrol", methods=["GET", "POST"])
@login_required
def enrol(cohort_id: int) -> Any:
    """Enrol someone who has an account (GET: the page with both forms)."""
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    if cohort.is_closed:
        return _closed(cohort)
    form = EnrolForm()
    invite_form = InviteForm(formdata=None)
    if form.validate_on_submit():
        person = find_by_email(form.email.data or "")
        catchment = importer.catchment(cohort)
        if person is None:
            form.email.errors.append(_("Nobody has this address: invite them with the form below."))
        elif not (
            (person.organisation is not None and catchment.contains(person.organisation))
            or can(current_user, "user.view", person)
        ):
            form.email.errors.append(_("This person is outside your scope."))
        else:
            try:
                services.enrol(cohort, person, current_user)
            except services.CohortError as error:
                db.session.rollback()
                form.email.errors.append(_message(error))
            else:
                db.session.commit()
                flash(_("%(name)s has been enrolled.", name=person.full_name), "success")
                return redirect(url_for("courses_cohorts.enrol", cohort_id=cohort.id))
    return _enrol_page(cohort, form, invite_form)


@bp.post("/<int:cohort_id>/invite")
@login_required
def invite(cohort_id: int) -> Any:
    """Invite someone new to Kaskad and enrol her."""
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    if cohort.is_closed:
        return _closed(cohort)
    form = InviteForm()
    if form.validate_on_submit():
        organisation = form.organisation.organisation
        assert organisation is not None
        if not (
            importer.catchment(cohort).contains(organisation)
            or scope(current_user, "user.invite").contains(organisation)
        ):
            form.organisation.errors.append(_("You may only invite people to organisations in your scope."))
        else:
            try:
                member, token = services.invite(
                    cohort,
                    form.invite_email.data or "",
                    form.surname.data or "",
                    form.given_name.data or "",
                    form.patronymic.data or "",
                    organisation,
                    current_user,
                )
            except services.CohortError as error:
                db.session.rollback()
                field = form.invite_email if error.field == "email" else None
                if field is not None:
                    field.errors = [*field.errors, _message(error)]
                else:
                    flash(_message(error), "error")
            else:
                db.session.commit()
                sent = services.send_invitations(cohort, [(member.user, token)], current_user.full_name)
                return render_template(
                    "courses/cohorts/invited.html",
                    cohort=cohort,
                    person=member.user,
                    link=None if sent else services.invitation_link(token),
                    sent=bool(sent),
                )
    return _enrol_page(cohort, EnrolForm(formdata=None), form)


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join() -> Any:
    """Self-enrolment with the cohort's key."""
    form = KeyForm()
    if form.validate_on_submit():
        try:
            member = services.enrol_with_key(current_user._get_current_object(), form.key.data or "")
        except services.CohortError as error:
            db.session.rollback()
            form.key.errors.append(_message(error))
        else:
            db.session.commit()
            flash(_("You are enrolled in %(cohort)s.", cohort=str(member.cohort)), "success")
            return redirect(url_for("courses.course", code=member.cohort.course.code))
    return render_template("courses/cohorts/join.html", form=form)


# --- CSV import ------------------------------------------------------------------------------------------


def _import_page(cohort: Cohort, form: CsvUploadForm, plan: Any, token: str | None) -> Any:
    return render_template(
        "courses/cohorts/import.html",
        cohort=cohort,
        form=form,
        plan=plan,
        token=token,
        columns=importer.COLUMNS,
        describe=importer.describe,
    )


@bp.route("/<int:cohort_id>/import", methods=["GET", "POST"])
@login_required
def import_upload(cohort_id: int) -> Any:
    """Upload a CSV file: every row is checked and shown before anything is enrolled."""
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    form = CsvUploadForm()
    plan = token = None
    if form.validate_on_submit():
        data = form.file.data.read()
        plan = check_file(importer.CohortImporter(cohort, current_user), data)
        if plan.is_valid:
            token = keep_upload(importer.KIND, current_user.id, form.file.data.filename or "", data)
            db.session.commit()
    return _import_page(cohort, form, plan, token)


@bp.post("/<int:cohort_id>/import/confirm")
@login_required
def import_confirm(cohort_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    upload = take_upload(importer.KIND, current_user.id, request.form.get("token", ""))
    if upload is None:
        flash(_("This import was already done or has expired. Please upload the file again."), "error")
        return redirect(url_for("courses_cohorts.import_upload", cohort_id=cohort.id))
    checker = importer.CohortImporter(cohort, current_user)
    plan = check_file(checker, upload.content)  # the cohort may have changed since the preview
    if not plan.is_valid:
        return _import_page(cohort, CsvUploadForm(formdata=None), plan, None)
    result = checker.enrol_all(plan)
    db.session.delete(upload)
    db.session.commit()
    sent = services.send_invitations(cohort, result.invitations, current_user.full_name)
    flash(
        ngettext("%(num)d learner enrolled", "%(num)d learners enrolled", len(result.enrolled))
        + " "
        + _(
            "(%(created)d new to Kaskad and invited, %(already)d already enrolled).",
            created=len(result.created),
            already=len(result.already),
        ),
        "success",
    )
    if result.invitations and not sent:
        return render_template(
            "courses/cohorts/invited.html",
            cohort=cohort,
            people=[(person, services.invitation_link(token)) for person, token in result.invitations],
            person=None,
            link=None,
            sent=False,
        )
    return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))


@bp.get("/import/template.csv")
@login_required
def import_template() -> Any:
    return Response(
        template_csv(importer.COLUMNS),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="cohort-learners-template.csv"'},
    )


# --- withdrawal and transfer -------------------------------------------------------------------------------


def _member(cohort: Cohort, member_id: int) -> CohortMember:
    member = db.session.get(CohortMember, member_id)
    if member is None or member.cohort_id != cohort.id:
        abort(404)
    return member


@bp.post("/<int:cohort_id>/members/<int:member_id>/withdraw")
@login_required
def withdraw(cohort_id: int, member_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    member = _member(cohort, member_id)
    try:
        services.withdraw(member, current_user)
    except services.CohortError as error:
        db.session.rollback()
        flash(_message(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s has withdrawn. The progress made is kept.", name=member.user.full_name), "success")
    return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))


def _targets(cohort: Cohort) -> list[Cohort]:
    """Open cohorts of the same course that the current user teaches."""
    query = (
        select(Cohort)
        .where(
            Cohort.course_id == cohort.course_id,
            Cohort.id != cohort.id,
            Cohort.status != CohortStatus.CLOSED.value,
        )
        .options(joinedload(Cohort.organisation), selectinload(Cohort.trainers))
        .order_by(Cohort.starts_on, Cohort.id)
    )
    return [target for target in db.session.scalars(query).unique() if access.may_teach(current_user, target)]


@bp.route("/<int:cohort_id>/members/<int:member_id>/transfer", methods=["GET", "POST"])
@login_required
def transfer(cohort_id: int, member_id: int) -> Any:
    cohort = access.cohort_or_abort(cohort_id, access.may_teach)
    member = _member(cohort, member_id)
    targets = _targets(cohort)
    form = TransferForm()
    form.target.choices = [(target.id, f"{target} · {target.organisation}") for target in targets]
    if form.validate_on_submit():
        target = next(target for target in targets if target.id == form.target.data)
        try:
            services.transfer(member, target, current_user)
        except services.CohortError as error:
            db.session.rollback()
            form.target.errors = [*form.target.errors, _message(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s has moved to %(cohort)s, with the progress made.",
                    name=member.user.full_name,
                    cohort=str(target),
                ),
                "success",
            )
            return redirect(url_for("courses_cohorts.show", cohort_id=cohort.id))
    return render_template(
        "courses/cohorts/transfer.html", cohort=cohort, member=member, form=form, targets=targets
    )


# --- licences given by hand -------------------------------------------------------------------------------


def _licence_courses() -> list[Course]:
    """Courses that some course qualifies trainers for: only they need a licence."""
    qualified = exists().where(qualification.c.course_id == Course.id)
    return list(db.session.scalars(select(Course).where(qualified).order_by(Course.code)))


def _licences_page(form: LicenceGrantForm, status: int = 200) -> Any:
    return (
        render_template(
            "courses/cohorts/licences.html",
            form=form,
            grants=licences.grants(scope(current_user, access.GRANT_LICENCE)),
            revoke_form=RevokeForm(formdata=None),
        ),
        status,
    )


@bp.route("/licences", methods=["GET", "POST"])
@login_required
def licence_grants() -> Any:
    """Licences given by hand, and the form to give one (admins)."""
    require(access.GRANT_LICENCE)
    form = LicenceGrantForm()
    courses = _licence_courses()
    form.course.choices = [(course.id, f"{course.code} · {course.title}") for course in courses]
    if form.validate_on_submit():
        person = find_by_email(form.email.data or "")
        course = next(course for course in courses if course.id == form.course.data)
        if person is None:
            form.email.errors.append(_("Nobody has this address."))
        elif not can(current_user, access.GRANT_LICENCE, person):
            form.email.errors.append(_("This person is outside your scope."))
        else:
            try:
                licences.grant_licence(person, course, form.reason.data or "", current_user)
            except licences.LicenceError as error:
                db.session.rollback()
                form.reason.errors.append(str(LICENCE_ERRORS[error.code]))
            else:
                db.session.commit()
                flash(
                    _("%(name)s may now train %(course)s.", name=person.full_name, course=course.code),
                    "success",
                )
                return redirect(url_for("courses_cohorts.licence_grants"))
    return _licences_page(form)


@bp.post("/licences/<int:licence_id>/revoke")
@login_required
def revoke_licence(licence_id: int) -> Any:
    grant = db.session.get(LicenceGrant, licence_id)
    if grant is None:
        abort(404)
    require(access.GRANT_LICENCE, grant.user)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Write the reason for ending the licence."), "error")
        return redirect(url_for("courses_cohorts.licence_grants"))
    if licences.revoke_grant(grant, form.reason.data or "", current_user):
        db.session.commit()
        flash(
            _(
                "The licence has ended. Open cohorts this person trains without another licence are "
                "flagged to managers."
            ),
            "success",
        )
    return redirect(url_for("courses_cohorts.licence_grants"))
