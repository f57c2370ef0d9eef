"""Certificate pages: a learner's certificates and their downloads; managers' search and revocation;
trainers' cohort ZIPs; the public verification page, API and key set (no login, rate-limited)."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select

from certificates import access, bulk, credentials, desk, numbers, pdf, services
from certificates.forms import CorrectionForm, DeskForm, IssueForm, ReasonForm, RenderJobForm, TemplateForm
from certificates.models import ISSUE_ON_LABELS, Certificate, RenderJob, Status, Template
from lms.accounts.models import User
from lms.accounts.services import people_matching
from lms.extensions import db, limiter
from lms.i18n import Translated
from lms.permissions import can, scope

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")
public = Blueprint("certificates_public", __name__, template_folder="templates")


@bp.app_template_filter("certificate_day")
def certificate_day(value: Any) -> str:
    """A date (or a UTC timestamp, in the viewer's zone) in the viewer's locale, e.g. 3 грудня 2026 р."""
    return format_date(value, "long") if value else ""


def _verify_limit() -> str:
    return str(current_app.config["CERTIFICATES_VERIFY_LIMIT"])


def verify_limit(view: Any) -> Any:
    """One budget per address for the page, the form and the API together: a shared limit, checked
    when the view is called as :func:`lms.extensions.limit` checks its limits (auto_check is off)."""
    shared = limiter.shared_limit(_verify_limit, scope="certificates-verify")(view)

    @wraps(shared)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not request.environ.get("lms.limits_checked"):
            request.environ["lms.limits_checked"] = True
            limiter.check()
        return shared(*args, **kwargs)

    return checked


def certificate_or_abort(number: str, check: Any) -> Certificate:
    """The certificate of ``number`` for the current user: 404 when there is none, 401/403 when
    ``check(user, certificate)`` says no."""
    parsed = numbers.parse(number)
    certificate = services.by_number(parsed.number) if parsed.number else None
    if certificate is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(401)
    if not check(current_user, certificate):
        abort(403)
    return certificate


def _may_download(user: Any, certificate: Certificate) -> bool:
    return access.is_holder(user, certificate) or access.may(user, access.VIEW, certificate)


@bp.get("/")
@login_required
def index() -> Any:
    return render_template(
        "certificates/index.html", certificates=services.certificates_of(current_user), Status=Status
    )


@bp.get("/<number>/credential.jwt")
def download_credential(number: str) -> Any:
    """The Open Badges 3.0 credential, signed (VC-JWT)."""
    certificate = certificate_or_abort(number, _may_download)
    response = current_app.response_class(credentials.signed(certificate) + "\n", mimetype="application/jwt")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.number}.jwt"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<number>/certificate.pdf")
def download_pdf(number: str) -> Any:
    certificate = certificate_or_abort(number, _may_download)
    response = current_app.response_class(certificate.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-SHA256"] = certificate.pdf_sha256
    return response


# --- public verification --------------------------------------------------------------------------


@public.get("/verify")
@verify_limit
def verify() -> Any:
    typed = request.args.get("number", "")
    if not typed.strip():
        return render_template("certificates/verify.html", typed="", problem=None)
    parsed = numbers.parse(typed)
    if parsed.number is None:
        return render_template("certificates/verify.html", typed=typed, problem=parsed.problem), 400
    return redirect(url_for("certificates_public.verify_number", number=parsed.number))


@public.get("/verify/<number>")
@verify_limit
def verify_number(number: str) -> Any:
    parsed = numbers.parse(number)
    if parsed.number is None:
        return render_template("certificates/verify.html", typed=number, problem=parsed.problem), 400
    if parsed.number != number:
        return redirect(url_for("certificates_public.verify_number", number=parsed.number))
    certificate = services.by_number(parsed.number)
    if certificate is None:
        return render_template("certificates/verify.html", typed=number, problem="not_found"), 404
    return render_template(
        "certificates/verified.html",
        certificate=certificate,
        record=services.public_record(certificate),
        Status=Status,
    )


@public.get("/api/v1/certificates/<number>")
@verify_limit
def api_certificate(number: str) -> Any:
    parsed = numbers.parse(number)
    if parsed.number is None:
        return jsonify(error="mistyped"), 400
    certificate = services.by_number(parsed.number)
    if certificate is None:
        return jsonify(error="not_found"), 404
    response = jsonify(services.public_record(certificate))
    response.headers["Cache-Control"] = "no-cache"
    return response


@public.get("/.well-known/jwks.json")
def jwks() -> Any:
    """The instance's public keys, for checking its credentials."""
    response = jsonify(credentials.public_jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- managers: search, details, revocation ----------------------------------------------------------


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/manage")
@login_required
def manage() -> Any:
    where = scope(current_user, access.VIEW)
    if not where.paths and not where.is_everything:
        abort(403)
    text = request.args.get("q", "").strip()
    course = request.args.get("course", "").strip()
    since, until = request.args.get("from", ""), request.args.get("to", "")
    query = select(Certificate).where(where.filter(Certificate.holder_path))
    errors = []
    if text:
        parsed = numbers.parse(text)
        if parsed.number:
            query = query.where(Certificate.number == parsed.number)
        else:
            # The holder as she is called now, or as the certificate names her.
            query = query.join(User, User.id == Certificate.user_id).where(
                or_(
                    and_(*people_matching(text)),
                    Certificate.holder_name.contains(text, autoescape=True),
                    Certificate.holder_name_latin.icontains(text, autoescape=True),
                )
            )
    if course:
        query = query.where(Certificate.course_code == course)
    first, last = _day(since), _day(until)
    if (since and first is None) or (until and last is None):
        errors.append(_("Enter dates as YYYY-MM-DD."))
    if first:
        query = query.where(Certificate.issued_at >= datetime.combine(first, time.min))
    if last:
        query = query.where(Certificate.issued_at <= datetime.combine(last, time.max))
    query = query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template(
        "certificates/manage.html",
        page=page,
        q=text,
        course=course,
        since=since,
        until=until,
        errors=errors,
        may_issue=access.may_issue(current_user),
    )


def _may_see(user: Any, certificate: Certificate) -> bool:
    return access.may(user, access.VIEW, certificate)


@bp.get("/<number>")
def detail(number: str) -> Any:
    certificate = certificate_or_abort(number, _may_see)
    return _detail(certificate, ReasonForm(), CorrectionForm())


def _detail(certificate: Certificate, form: ReasonForm, correction: CorrectionForm, status: int = 200) -> Any:
    may_revoke = access.may(current_user, access.REVOKE, certificate) and certificate.status == Status.VALID
    return (
        render_template(
            "certificates/detail.html",
            certificate=certificate,
            record=services.public_record(certificate),
            form=form,
            correction=correction,
            may_revoke=may_revoke,
            Status=Status,
        ),
        status,
    )


def _may_revoke(user: Any, certificate: Certificate) -> bool:
    return access.may(user, access.REVOKE, certificate)


@bp.post("/<number>/revoke")
def revoke(number: str) -> Any:
    certificate = certificate_or_abort(number, _may_revoke)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _detail(certificate, form, CorrectionForm(formdata=None))
    try:
        services.revoke(certificate, form.reason.data or "", current_user._get_current_object())
    except services.CertificateError as error:
        form.reason.errors = [str(error)]
        return _detail(certificate, form, CorrectionForm(formdata=None))
    db.session.commit()
    flash(_("Certificate %(number)s was revoked.", number=certificate.number), "success")
    return redirect(url_for("certificates.detail", number=certificate.number))


@bp.post("/<number>/reissue")
def reissue(number: str) -> Any:
    """Issue the certificate again after the holder's name was corrected: a new number, the old one
    superseded and pointing at it (same rights as revoking)."""
    certificate = certificate_or_abort(number, _may_revoke)
    correction = CorrectionForm()
    if not correction.validate_on_submit():
        return _detail(certificate, ReasonForm(formdata=None), correction)
    try:
        actor = current_user._get_current_object()
        new = services.reissue(certificate, correction.correction.data or "", actor)
    except services.CertificateError as error:
        correction.correction.errors = [str(error)]
        return _detail(certificate, ReasonForm(formdata=None), correction)
    db.session.commit()
    flash(
        _(
            "Certificate %(number)s was issued again as %(new)s.",
            number=certificate.number,
            new=new.number,
        ),
        "success",
    )
    return redirect(url_for("certificates.detail", number=new.number))


# --- admins: a certificate issued by hand -------------------------------------------------------------


def _course_choices() -> list[tuple[str, str]]:
    from courses.models import Course

    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    return [(course.code, f"{course.code} — {Translated(dict(course.title))}") for course in courses]


@bp.route("/issue", methods=["GET", "POST"])
@login_required
def issue() -> Any:
    """An admin issues a certificate by hand, outside any cohort, to a learner of her scope."""
    from courses.services import by_code
    from lms.accounts.services import find_by_email

    if not access.may_issue(current_user):
        abort(403)
    where = scope(current_user, access.ISSUE)
    form = IssueForm()
    form.course.choices = [("", _("Choose a course")), *_course_choices()]
    if request.method == "POST":
        valid = form.validate_on_submit()  # the CSRF token and the reason
        email = (form.email.data or "").strip()
        person = find_by_email(email) if email else None
        course = by_code(form.course.data) if form.course.data else None
        if email and (person is None or not where.contains(person.organisation)):
            unknown = _("Nobody of your organisations has this e-mail address.")
            form.email.errors = [*form.email.errors, unknown]
            person = None
        if course is None:
            form.course.errors = [*form.course.errors, _("Choose a course.")]
        if valid and person is not None and course is not None:
            try:
                issued = services.issue_manually(
                    person, course, form.reason.data or "", current_user._get_current_object()
                )
            except services.CertificateError as error:
                form.reason.errors = [str(error)]
            else:
                db.session.commit()
                if issued.created:
                    flash(
                        _("Certificate %(number)s was issued.", number=issued.certificate.number), "success"
                    )
                else:
                    flash(
                        _(
                            "%(name)s already holds a valid certificate of %(code)s: %(number)s.",
                            name=person.full_name,
                            code=course.code,
                            number=issued.certificate.number,
                        ),
                        "info",
                    )
                return redirect(url_for("certificates.detail", number=issued.certificate.number))
    return render_template("certificates/issue.html", form=form)


# --- trainers: a cohort's certificates as one ZIP -----------------------------------------------------


@bp.get("/cohorts")
@login_required
def cohorts() -> Any:
    """The cohorts the person teaches or may view, with their certificates."""
    if not access.may_list_cohorts(current_user):
        abort(403)
    from courses.cohorts import access as cohort_access
    from courses.cohorts.models import Cohort, cohort_trainer

    taught = select(cohort_trainer.c.cohort_id).where(cohort_trainer.c.user_id == current_user.id)
    where = scope(current_user, cohort_access.VIEW)
    from lms.orgs.models import Organisation

    query = (
        select(Cohort)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .where(or_(Cohort.id.in_(taught), where.filter(Organisation.path)))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    )
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    counts = {cohort.id: len(bulk.cohort_certificate_ids(cohort)) for cohort in page.items}
    return render_template("certificates/cohorts.html", page=page, counts=counts)


@bp.get("/cohorts/<int:cohort_id>.zip")
def cohort_zip(cohort_id: int) -> Any:
    from courses.cohorts.access import cohort_or_abort

    cohort = cohort_or_abort(cohort_id)
    ids = bulk.cohort_certificate_ids(cohort)
    response = current_app.response_class(bulk.zip_bytes(ids), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="cohort-{cohort.id}-certificates.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- templates and settings (admins) ----------------------------------------------------------------


def _require_templates() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not can(current_user, access.TEMPLATES):
        abort(403)


@bp.get("/templates")
@login_required
def templates() -> Any:
    from courses.models import Course

    _require_templates()
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    own = set(db.session.scalars(select(Template.course_id)))
    return render_template("certificates/templates.html", courses=courses, own=own)


@bp.route("/templates/<code>", methods=["GET", "POST"])
def edit_template(code: str) -> Any:
    from courses.services import by_code

    _require_templates()
    course = by_code(code)
    if course is None:
        abort(404)
    setting = services.setting_of(course)
    form = TemplateForm()
    form.issue_on.choices = [(value.value, label) for value, label in ISSUE_ON_LABELS.items()]
    if request.method == "GET":
        form.issue_on.data = setting.issue_on
        form.valid_months.data = setting.valid_months
        form.issuer.data = setting.issuer
        form.html.data = services.template_source(course)
    if form.validate_on_submit():
        if form.reset.data:
            existing = db.session.scalar(select(Template).where(Template.course_id == course.id))
            if existing is not None:
                db.session.delete(existing)
                db.session.commit()
            flash(_("The course uses the default template again."), "success")
            return redirect(url_for("certificates.edit_template", code=course.code))
        source = form.html.data or ""
        try:
            body = pdf.render(source, services.pdf_context(services.sample_values(course)))
        except (pdf.TemplateProblem, pdf.RenderError) as error:
            form.html.errors = [_("The template cannot be used: %(error)s", error=str(error))]
        else:
            if form.preview.data:
                response = current_app.response_class(body, mimetype="application/pdf")
                response.headers["Content-Disposition"] = f'inline; filename="preview-{course.code}.pdf"'
                response.headers["Cache-Control"] = "no-store"
                return response
            services.save_settings(
                course,
                source,
                issue_on=form.issue_on.data or "",
                valid_months=form.valid_months.data,
                issuer=(form.issuer.data or "").strip(),
                actor=current_user._get_current_object(),
            )
            db.session.commit()
            flash(_("The certificate settings of %(code)s were saved.", code=course.code), "success")
            return redirect(url_for("certificates.edit_template", code=course.code))
    return render_template(
        "certificates/template_form.html", course=course, form=form, variables=pdf.VARIABLES
    )


# --- re-rendering many certificates as a background job (admins) --------------------------------------

NATION = "*"


def _regions_for(user: Any) -> list[tuple[str, str]]:
    """What ``user`` may re-render: the whole programme (admins of all of it) and her regions."""
    from lms.orgs.models import Kind, Organisation

    where = scope(user, access.TEMPLATES)
    choices = [(NATION, _("The whole programme"))] if where.is_everything else []
    regions = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == Kind.REGION, where.filter(Organisation.path))
        .order_by(Organisation.path)
    )
    choices += [(str(region.id), str(region.name)) for region in regions]
    return choices


def _jobs_page(form: RenderJobForm, status: int = 200) -> Any:
    where = scope(current_user, access.TEMPLATES)
    query = select(RenderJob).order_by(RenderJob.created_at.desc(), RenderJob.id.desc())
    if not where.is_everything:
        query = query.where(RenderJob.region_path != "", where.filter(RenderJob.region_path))
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("certificates/jobs.html", form=form, page=page), status


@bp.route("/jobs", methods=["GET", "POST"])
@login_required
def jobs() -> Any:
    """Re-render a region's or the nation's certificates with their templates as they are now."""
    from courses.services import by_code
    from lms.orgs.models import Organisation

    _require_templates()
    form = RenderJobForm()
    regions = _regions_for(current_user)
    form.region.choices = [("", _("Choose")), *regions]
    form.course.choices = [("", _("All courses")), *_course_choices()]
    if request.method == "GET" and request.args.get("course"):
        form.course.data = request.args["course"]
    if request.method == "POST":
        valid = form.validate_on_submit()
        chosen = form.region.data or ""
        if chosen not in {value for value, _label in regions}:
            form.region.errors = [*form.region.errors, _("Choose the certificates to re-render.")]
            valid = False
        course = by_code(form.course.data) if form.course.data else None
        if form.course.data and course is None:
            form.course.errors = [*form.course.errors, _("Choose a course.")]
            valid = False
        if valid:
            from certificates import rerender

            region = None if chosen == NATION else db.session.get(Organisation, int(chosen))
            job = rerender.start(current_user._get_current_object(), region, course)
            started = ngettext(
                "Re-rendering %(num)d certificate has started.",
                "Re-rendering %(num)d certificates has started.",
                job.total,
            )
            flash(started, "success")
            return redirect(url_for("certificates.job", job_id=job.id))
    return _jobs_page(form)


def _job_or_abort(job_id: int) -> RenderJob:
    _require_templates()
    job = db.session.get(RenderJob, job_id)
    if job is None:
        abort(404)
    where = scope(current_user, access.TEMPLATES)
    if not where.is_everything and not (
        job.region_path and any(job.region_path.startswith(path) for path in where.paths)
    ):
        abort(403)
    return job


@bp.get("/jobs/<int:job_id>")
@login_required
def job(job_id: int) -> Any:
    """A job's progress; while it runs the page reloads itself every few seconds (no JavaScript)."""
    return render_template("certificates/job.html", job=_job_or_abort(job_id))


@bp.post("/jobs/<int:job_id>/run")
@login_required
def run_job_again(job_id: int) -> Any:
    """Run an interrupted or failed job again: what it already re-rendered is skipped."""
    from certificates.models import JobStatus
    from certificates.rerender import JOB
    from lms import jobs as background

    job = _job_or_abort(job_id)
    if job.status == JobStatus.DONE:
        flash(_("This job has finished: there is nothing to run again."), "info")
        return redirect(url_for("certificates.job", job_id=job.id))
    job.status = JobStatus.QUEUED.value
    job.run += 1  # a worker still on the earlier run stops at its next certificate
    db.session.commit()
    background.enqueue(JOB, job.id, job.run)
    flash(_("The job was started again."), "success")
    return redirect(url_for("certificates.job", job_id=job.id))


# --- the verification desk (managers) -----------------------------------------------------------------


@bp.route("/desk", methods=["GET", "POST"])
@login_required
def verification_desk() -> Any:
    from lms.audit.services import record

    if not can(current_user, access.DESK):
        abort(403)
    form = DeskForm()
    rows: list[desk.Row] | None = None
    if form.validate_on_submit():
        text = form.numbers.data or ""
        if form.file.data:
            text = form.file.data.read(4_000_000).decode("utf-8-sig", errors="replace")
        try:
            rows = desk.check(text)
        except desk.TooMany:
            form.numbers.errors = [_("At most 5,000 numbers at once.")]
        else:
            if not rows:
                form.numbers.errors = [_("Paste some numbers or choose a file.")]
            else:
                counts: dict[str, int] = {}
                for row in rows:
                    counts[row.status] = counts.get(row.status, 0) + 1
                user = current_user._get_current_object()
                record("certificates.desk-used", user, "", actor=user, numbers=len(rows), statuses=counts)
                db.session.commit()
                if form.csv.data or form.xlsx.data:
                    kind = "csv" if form.csv.data else "xlsx"
                    body = desk.as_csv(rows) if kind == "csv" else desk.as_xlsx(rows)
                    mimetype = (
                        "text/csv; charset=utf-8"
                        if kind == "csv"
                        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    )
                    response = current_app.response_class(body, mimetype=mimetype)
                    response.headers["Content-Disposition"] = f'attachment; filename="certificates.{kind}"'
                    return response
    return render_template("certificates/desk.html", form=form, rows=rows, labels=DESK_LABELS)


DESK_LABELS = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
    "superseded": _l("Superseded"),
    "not_found": _l("Not found"),
    "mistyped": _l("Mistyped"),
}
