"""Pages of the core that belong to no feature: home, language switch, health check, the site icon."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

import lms
from lms.extensions import db, limit
from lms.permissions import roles_of, scope
from lms.plugins import HomeEntry, HomeSection, registry
from lms.public.views import landing, public_limit

bp = Blueprint("pages", __name__)


def safe_next(target: str | None, default: str = "pages.home") -> str:
    """A local path to go back to; anything pointing elsewhere becomes the default page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default)


def home_sections(user: Any) -> list[tuple[HomeSection, list[HomeEntry]]]:
    """The sections of ``user``'s home page that have something for her now, with their entries."""
    shown = []
    for section in registry().home_sections:
        if section.visible(user):
            entries = list(section.entries(user))
            if entries:
                shown.append((section, entries))
    return shown


@bp.get("/")
@limit(public_limit, exempt_when=lambda: current_user.is_authenticated)
def home() -> Any:
    """For visitors, what Kaskad is; for a logged-in person, what needs her now (the sections the
    plugins registered with ``add_home_section``) and, for those who monitor, the counts."""
    if not current_user.is_authenticated:
        return landing()  # what visitors see (lms/public/)
    indicators = []
    sections: list[tuple[HomeSection, list[HomeEntry]]] = []
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        sections = home_sections(user)
        where = scope(user, "monitoring.view")
        if where.paths or where.is_everything:
            indicators = [
                (item.label, item.for_scope(where))
                for item in registry().indicators.values()
                # Figures of a period are the dashboard's (they count the fact table): the home page
                # stays cheap for the people who open it most.
                if item.unit == "count" and not item.by_period
            ]
    return render_template(
        "pages/home.html",
        indicators=indicators,
        sections=sections,
        roles=roles_of(current_user) if current_user.is_authenticated else [],
    )


@bp.post("/locale")
def set_locale() -> Any:
    """Switch the language (kept in the account when logged in, else in the session)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LMS_LOCALES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure of the database is "error", never a traceback
        db.session.rollback()
        database = "error"
    body = {
        "status": "ok" if database == "ok" else "error",
        "version": lms.__version__,
        "database": database,
        "plugins": {name: plugin.version for name, plugin in registry().plugins.items()},
    }
    return jsonify(body), 200 if database == "ok" else 503


@bp.get("/favicon.ico")
def favicon() -> Any:
    """The site icon where every browser looks for it first (no page has to link to it)."""
    return send_from_directory(
        str(current_app.static_folder), "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=7 * 86400
    )
