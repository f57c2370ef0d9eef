"""Framework pages for admins: frameworks and their trees, Moodle CSV import (preview, then confirm) and
download, minimum profiles (a level per competence, and the jobs that use each).

Everything is a plain form: no JavaScript is needed.
"""

from __future__ import annotations

import io
import re
import tempfile
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from courses import markdown
from courses.frameworks import moodle_csv, services
from courses.frameworks.forms import FrameworkImportForm, NewProfileForm, ProfileForm
from courses.frameworks.models import Framework, MinimumProfile
from lms.audit.models import ACTION_LABELS, TARGET_LABELS
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import LOCALE_NAMES, Translated, current_locale, fallback_chain
from lms.imports.services import keep_upload, take_upload
from lms.permissions import can

bp = Blueprint(
    "courses_frameworks", __name__, url_prefix="/courses/frameworks", template_folder="../templates"
)

MAX_CSV_BYTES = 20 * 1024 * 1024
UPLOAD_KIND = "courses.framework"

ACTION_LABELS.update(
    {
        "framework.imported": _l("Competence framework imported"),
        "profile.created": _l("Minimum profile created"),
        "profile.updated": _l("Minimum profile changed"),
    }
)
TARGET_LABELS.setdefault("Framework", _l("Competence framework"))
TARGET_LABELS.setdefault("MinimumProfile", _l("Minimum profile"))


def may_manage(user: Any) -> bool:
    """Admins manage frameworks and minimum profiles (the permission that lets them author courses)."""
    return can(user, "courses.author")


@bp.before_request
@login_required
def _require_admin() -> None:
    if not may_manage(current_user):
        abort(403)


def _framework(framework_id: int) -> Framework:
    framework = db.session.get(Framework, framework_id)
    if framework is None:
        abort(404)
    return framework


def _profile(profile_id: int) -> MinimumProfile:
    profile = db.session.get(MinimumProfile, profile_id)
    if profile is None:
        abort(404)
    return profile


# --- showing texts ----------------------------------------------------------------------------------


def shown_language(text: dict[str, str] | None, locale: str) -> str:
    """The language ``str(Translated(text))`` shows in ``locale`` (for a ``lang`` attribute)."""
    text = text or {}
    for code in fallback_chain(locale, current_app.config["BABEL_DEFAULT_LOCALE"]):
        if text.get(code):
            return code
    return next((code for code, value in text.items() if value), locale)


def is_ours(row: Any, locale: str) -> bool:
    """Is the text shown in ``locale`` a translation the team made itself?"""
    return (row.translated_by or {}).get(locale) == services.KASKAD and bool(
        (row.shortname if hasattr(row, "shortname") else row.name).get(locale)
    )


def description_html(row: Any) -> Markup:
    """A description in its Moodle format, safe to show: HTML is sanitised, Markdown rendered, plain
    text kept with its line breaks."""
    text = Translated(row.description or {}).in_locale()
    if not text.strip():
        return Markup("")
    if row.description_format == 1:
        return markdown.sanitise(text)
    if row.description_format == 4:
        return markdown.render(text)
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return Markup("").join(
        Markup("<p>%s</p>") % Markup("<br>").join(escape(line) for line in part.splitlines())
        for part in paragraphs
    )


def _text_helpers() -> dict[str, Any]:
    locale = current_locale()
    return {
        "locale": locale,
        "shown_language": lambda text: shown_language(text, locale),
        "is_ours": lambda row: is_ours(row, locale),
        "description_html": description_html,
    }


# --- frameworks -------------------------------------------------------------------------------------


@bp.get("/")
def index() -> Any:
    rows = [(framework, *services.counts(framework)) for framework in services.frameworks()]
    return render_template(
        "courses/frameworks/index.html",
        rows=rows,
        languages=LOCALE_NAMES,
        profiles=services.profiles(),
        **_text_helpers(),
    )


@bp.get("/<int:framework_id>")
def show(framework_id: int) -> Any:
    framework = _framework(framework_id)
    nodes = services.tree(framework)
    ids = [competence.id for node in nodes for competence in (node.competence, *node.descendants())]
    profiles = [profile for profile in services.profiles() if profile.framework_id == framework.id]
    return render_template(
        "courses/frameworks/show.html",
        framework=framework,
        nodes=nodes,
        related=services.related_of(ids),
        profiles=profiles,
        languages=LOCALE_NAMES,
        **_text_helpers(),
    )


@bp.get("/<int:framework_id>/export.csv")
def export(framework_id: int) -> Any:
    framework = _framework(framework_id)
    lang = request.args.get("lang") or current_locale()
    if lang not in LOCALE_NAMES:
        abort(404)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", framework.idnumber).strip("-") or "framework"
    # Written row by row to a file that stays in memory while small and moves to disk when large.
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (send_file closes it)
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    services.export_framework(framework, lang, text)
    text.flush()
    text.detach()
    spool.seek(0)
    return send_file(spool, mimetype="text/csv", as_attachment=True, download_name=f"{filename}-{lang}.csv")


# --- import -----------------------------------------------------------------------------------------


def _import_page(
    form: FrameworkImportForm, plan: services.ImportPlan | None, token: str | None, **extra: Any
) -> Any:
    return render_template(
        "courses/frameworks/import.html",
        form=form,
        plan=plan,
        token=token,
        columns=moodle_csv.COLUMNS,
        required=moodle_csv.REQUIRED,
        languages=LOCALE_NAMES,
        **extra,
    )


@bp.route("/import", methods=["GET", "POST"])
def import_upload() -> Any:
    form = FrameworkImportForm()
    plan = token = None
    filename = ""
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or ""
        data = upload.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            form.file.errors.append(_("The file is larger than 20 MB."))
        else:
            lang = form.lang.data or "uk"
            plan = services.check_framework(moodle_csv.read_rows(io.BytesIO(data)), lang)
            if plan.is_valid:
                token = keep_upload(f"{UPLOAD_KIND}.{lang}", current_user.id, filename, data)
                db.session.commit()
    elif request.method == "POST" and form.file.data is not None:
        filename = getattr(form.file.data, "filename", "") or ""
    return _import_page(form, plan, token, filename=filename)


@bp.post("/import/confirm")
def import_confirm() -> Any:
    # CSRFProtect has already checked the token of this POST.
    lang = request.form.get("lang", "")
    upload = (
        take_upload(f"{UPLOAD_KIND}.{lang}", current_user.id, request.form.get("token", ""))
        if lang in LOCALE_NAMES
        else None
    )
    if upload is None:
        flash(_("This import was already done or has expired. Please upload the file again."), "error")
        return redirect(url_for("courses_frameworks.import_upload"))
    plan = services.check_framework(moodle_csv.read_rows(io.BytesIO(upload.content)), lang)
    if not plan.is_valid:  # the framework may have changed since the preview
        form = FrameworkImportForm(formdata=None, lang=lang)
        return _import_page(form, plan, None, filename=upload.filename)
    framework = services.apply_plan(plan)
    record(
        "framework.imported",
        framework,
        idnumber=framework.idnumber,
        lang=lang,
        created=len(plan.created),
        updated=len(plan.updated),
        removed=len(plan.removed),
    )
    db.session.delete(upload)
    db.session.commit()
    flash(
        _(
            "The framework %(idnumber)s has been imported: %(created)s competences created, %(updated)s "
            "updated, %(removed)s removed.",
            idnumber=framework.idnumber,
            created=len(plan.created),
            updated=len(plan.updated),
            removed=len(plan.removed),
        ),
        "success",
    )
    return redirect(url_for("courses_frameworks.show", framework_id=framework.id))


# --- minimum profiles -------------------------------------------------------------------------------


def _job_choices(form: ProfileForm, profile: MinimumProfile | None) -> None:
    taken = services.profile_of_jobs()
    names = {other.id: str(other.name) for other in services.profiles()}
    choices = []
    for job in services.jobs():
        label = str(job.name)
        owner = taken.get(job.id)
        if owner is not None and (profile is None or owner != profile.id):
            label = _("%(job)s (now: %(profile)s)", job=label, profile=names.get(owner, ""))
        choices.append((job.id, label))
    form.jobs.choices = choices


@bp.get("/profiles/")
def profiles() -> Any:
    all_profiles = services.profiles()
    return render_template(
        "courses/frameworks/profiles.html",
        profiles=all_profiles,
        jobs={profile.id: services.jobs_of(profile) for profile in all_profiles},
    )


@bp.route("/profiles/new", methods=["GET", "POST"])
def new_profile() -> Any:
    form = NewProfileForm()
    form.framework.choices = [(framework.id, str(framework)) for framework in services.frameworks()]
    _job_choices(form, None)
    if form.validate_on_submit():
        if services.profile_by_code(form.code.data or "") is not None:
            form.code.errors.append(_("Another minimum profile has this code."))
        else:
            framework = _framework(form.framework.data)
            profile = services.create_profile(form.code.data or "", form.names(), framework)
            services.set_jobs(profile, form.jobs.data or [])
            record("profile.created", profile, code=profile.code)
            db.session.commit()
            flash(
                _("The minimum profile %(code)s has been created: set its levels now.", code=profile.code),
                "success",
            )
            return redirect(url_for("courses_frameworks.edit_profile", profile_id=profile.id))
    return render_template("courses/frameworks/profile_new.html", form=form)


@bp.route("/profiles/<int:profile_id>", methods=["GET", "POST"])
def edit_profile(profile_id: int) -> Any:
    profile = _profile(profile_id)
    framework = profile.framework
    form = ProfileForm(
        **{f"name_{code}": text for code, text in profile.name.items()},
        jobs=[job.id for job in services.jobs_of(profile)],
    )
    _job_choices(form, profile)
    nodes = services.tree(framework)
    competences = [competence for node in nodes for competence in (node.competence, *node.descendants())]
    numbers = set(services.level_numbers(framework))
    stored = services.requirements_of(profile)
    chosen: dict[int, str] = {competence_id: str(level) for competence_id, level in stored.items()}
    errors: dict[int, str] = {}
    if request.method == "POST":
        submitted = {
            competence.id: request.form[f"level-{competence.id}"].strip()
            for competence in competences
            if f"level-{competence.id}" in request.form
        }
        chosen.update(submitted)
        levels: dict[int, int | None] = {}
        for competence_id, value in submitted.items():
            if not value:
                levels[competence_id] = None
            elif value.isdigit() and int(value) in numbers:
                levels[competence_id] = int(value)
            else:
                errors[competence_id] = _("Choose one of the framework's levels.")
        if form.validate_on_submit() and not errors:
            profile.name = form.names()
            services.set_requirements(profile, levels)
            if form.jobs_shown.data:
                services.set_jobs(profile, form.jobs.data or [])
            record("profile.updated", profile, code=profile.code)
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("courses_frameworks.profiles"))
    return render_template(
        "courses/frameworks/profile_form.html",
        form=form,
        profile=profile,
        framework=framework,
        nodes=nodes,
        levels=services.level_choices(framework),
        chosen=chosen,
        level_errors=errors,
        **_text_helpers(),
    )
