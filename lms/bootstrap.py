"""Wiring the core into an app: extensions, security headers, error pages, templates, blueprints."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import numbers
from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from lms.accounts.forms import TIMEZONES
from lms.extensions import SignedCookieSessions, babel, csrf, db, limiter, login_manager, migrate
from lms.i18n import (
    LOCALE_NAMES,
    current_babel_locale,
    current_locale,
    install_catalog_domain,
    install_template_gettext,
    local_datetime,
    select_locale,
    select_timezone,
)
from lms.plugins import (
    ADMINISTRATION,
    AREAS,
    MONITORING,
    TEACHING,
    NavLink,
    Registry,
    add_demo_loader,
    add_indicator,
    add_nav_item,
    registry,
)

PACKAGE_DIR = Path(__file__).parent
log = logging.getLogger("lms")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
    "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def tiles_source(template: str) -> str:
    """The CSP source of the map's tile server: its scheme and host (``{s}`` subdomains: ``*.``)."""
    if not template:
        return ""
    parts = urlsplit(template.replace("{s}", "tile-subdomain"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"LMS_MAP_TILES_URL must be an http(s) address template, not {template!r}")
    host = parts.netloc.replace("tile-subdomain.", "*.")
    return f"{parts.scheme}://{host}"


def content_security_policy(app: Flask) -> str:
    """Kaskad's own files only, and images from the map's tile server (exactly that host)."""
    source = tiles_source(app.config.get("LMS_MAP_TILES_URL", ""))
    return CONTENT_SECURITY_POLICY.format(tiles=f" {source}" if source else "")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and a busy timeout instead of 'database is locked'."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@migrate.configure
def _version_locations(alembic_config: Any) -> Any:
    """Alembic finds the core's and every enabled plugin's migrations."""
    from flask import current_app

    alembic_config.set_main_option("version_locations", os.pathsep.join(registry(current_app).migration_dirs))
    return alembic_config


def init_extensions(app: Flask) -> None:
    app.extensions["lms"] = Registry(migration_dirs=[str(PACKAGE_DIR / "migrations" / "versions")])
    app.session_interface = SignedCookieSessions()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PACKAGE_DIR / "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_catalog_domain(babel)
    install_template_gettext(app)
    csrf.init_app(app)
    limiter.init_app(app)  # auto_check off: limits are checked by the views that declare them
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.unauthorized_handler(_login_needed)


def _login_needed() -> Any:
    """A visitor on a page that needs a login (``@login_required`` or ``require()``): a GET goes to the
    login form and comes back after; any other method gets 401, as a POST cannot be replayed."""
    if request.method != "GET":
        abort(401)
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def init_core(app: Flask) -> None:
    from lms.accounts.views import bp as accounts_bp
    from lms.api.views import bp as api_bp
    from lms.audit.views import bp as audit_bp
    from lms.cli import register_commands
    from lms.monitoring import indicators as monitoring_indicators
    from lms.monitoring.views import bp as monitoring_bp
    from lms.orgs.views import bp as orgs_bp
    from lms.pages import bp as pages_bp
    from lms.permissions import GLOBAL, add_person_fact, can
    from lms.plans import demo as plans_demo
    from lms.plans import services as plans
    from lms.plans.views import bp as plans_bp
    from lms.public.views import bp as public_bp

    for blueprint in (pages_bp, accounts_bp, orgs_bp, audit_bp, public_bp, monitoring_bp, api_bp, plans_bp):
        app.register_blueprint(blueprint)
    register_commands(app)

    # The same page sits in the area of what a person does with it: an admin administers the tree
    # and the people; a manager watches them; a trainer looks people up to enrol and invite them.
    def may(action: str) -> Any:
        return lambda user: can(user, action)

    def may_only(action: str, *but_not: str) -> Any:
        return lambda user: can(user, action) and not any(can(user, other) for other in but_not)

    def staff_link(endpoint: str, label: Any, visible: Any, order: int, area: str) -> None:
        add_nav_item(app, endpoint, label, visible, order, area=area, staff=True)  # never asked of learners

    staff_link("orgs.index", _l("Organisations"), may("org.edit"), 10, ADMINISTRATION)
    staff_link("orgs.index", _l("Organisations"), may_only("org.view", "org.edit"), 10, MONITORING)
    staff_link("accounts.users", _l("People"), may("user.edit"), 20, ADMINISTRATION)
    staff_link("accounts.users", _l("People"), may_only("user.invite", "user.edit"), 20, TEACHING)
    staff_link(
        "accounts.users", _l("People"), may_only("user.view", "user.edit", "user.invite"), 20, MONITORING
    )
    staff_link(
        "accounts.target_groups",
        _l("Target groups"),
        lambda user: can(user, "targetgroup.edit", GLOBAL),
        30,
        ADMINISTRATION,
    )
    staff_link("audit.index", _l("Audit log"), may("audit.view"), 90, ADMINISTRATION)
    from lms.permissions import allow
    from lms.public.figures import EDIT as PUBLIC_FIGURES

    allow("admin", PUBLIC_FIGURES)  # with a grant at the root (GLOBAL): figures are the whole country's
    staff_link(
        "public.edit_figures",
        _l("Public figures"),
        lambda user: can(user, PUBLIC_FIGURES, GLOBAL),
        95,
        ADMINISTRATION,
    )

    from lms.accounts.services import count_active_people, count_invited_people
    from lms.orgs.services import count_hubs

    add_indicator(app, "lms.hubs", _l("Digital Education Hubs"), count_hubs)
    add_indicator(app, "lms.people", _l("Active people"), count_active_people)
    add_indicator(app, "lms.people-invited", _l("Invited, not accepted yet"), count_invited_people)
    monitoring_indicators.register(app)
    staff_link("monitoring.dashboard", _l("Dashboard"), may("monitoring.view"), 5, MONITORING)
    staff_link(
        "monitoring.external_index", _l("External certificates"), may("monitoring.view"), 40, MONITORING
    )
    add_nav_item(app, "plans.index", _l("Action plans"), plans.may_list, 45, area=MONITORING)
    add_person_fact(plans.HAS_TASKS, plans.executes_any_action)  # the link above asks on every page
    add_demo_loader(app, "plans", plans_demo.load_demo)
    from lms.plans import round_views as plans_rounds

    plans_rounds.install(app)
    from lms.plans import report_views as plan_reports

    plan_reports.install(app)

    _init_templates(app)
    _init_security_headers(app)
    _init_error_pages(app)


def _init_templates(app: Flask) -> None:
    from lms.fragments import FragmentCacheExtension, csrf_token, hole
    from lms.permissions import can, may_act

    app.jinja_env.add_extension(FragmentCacheExtension)

    def nav_items() -> list[Any]:
        """The navigation items the current person sees (cached for the request)."""
        user = current_user._get_current_object()  # once, not per item
        if not user.is_authenticated:
            return []
        cache = g.setdefault("_lms_nav", {})  # the header and the home page ask
        if user.id not in cache:
            staff = may_act(user)  # a learner's links are not asked about the staff's
            cache[user.id] = [
                item for item in registry().nav if (staff or not item.staff) and item.visible(user)
            ]
        return cache[user.id]

    def nav_areas() -> list[tuple[str, Any, list[NavLink]]]:
        """(area, label, links) of each area the current person sees, in the order of ``AREAS``;
        each link's address and label worked out here, in one pass (a template loop costs more)."""
        here = request.endpoint
        links = [
            NavLink(item.endpoint, item.area, url_for(item.endpoint), str(item.label), item.endpoint == here)
            for item in nav_items()
        ]
        grouped = (
            (area, label, [link for link in links if link.area == area]) for area, label in AREAS.items()
        )
        return [(area, label, area_links) for area, label, area_links in grouped if area_links]

    # Flask-WTF's context processor offers its own csrf_token(); ours (safe in cached pieces) wins.
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        hole=hole,
        can=can,
        nav_items=nav_items,
        nav_areas=nav_areas,
        locale_names=LOCALE_NAMES,
        current_locale=current_locale,
        timezones=TIMEZONES,
        lms_version=__import__("lms").__version__,
    )
    app.jinja_env.filters["datetime"] = local_datetime
    # A stored timestamp's day in the person's time zone: "long" spells the month out.
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["date_short"] = app.jinja_env.filters["date"]
    # Flask-Babel's format_decimal and format_percent are these with get_locale(): the locale in
    # force is read the cheap way (a page formats dozens of numbers).
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["percent"] = lambda value: numbers.format_percent(
        value, locale=current_babel_locale()
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


# The macros of lms/templates/_macros.html, which most pages use, are template globals: importing
# them (``{% from "_macros.html" import field %}``) made Jinja compare the page's ~50 globals with
# theirs on every render. They are built once the plugins have added their globals, so editing
# _macros.html needs a restart even in development.
SHARED_MACROS = ("field", "form_errors", "pager", "post_button")


def share_macros(app: Flask) -> None:
    macros = app.jinja_env.get_template("_macros.html").module
    app.jinja_env.globals.update({name: getattr(macros, name) for name in SHARED_MACROS})


def _number(value: Any, fmt: str | None = None) -> str:
    """The ``number`` filter: Flask-Babel's format_decimal. A whole number from 0 to 999 is its digits
    in every locale (Babel writes Latin digits, and no grouping below a thousand), so it skips the
    pattern; pages show many such counts."""
    if fmt is None and type(value) is int and 0 <= value < 1000:
        return str(value)
    return numbers.format_decimal(value, format=fmt, locale=current_babel_locale())


def _init_security_headers(app: Flask) -> None:
    # Built once: every response gets them, each unless the view set its own.
    every = [
        ("Content-Security-Policy", content_security_policy(app)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    https = ("Strict-Transport-Security", "max-age=31536000")
    personal = ("Cache-Control", "private, no-store")

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        wanted = [*every, https] if app.config["SESSION_COOKIE_SECURE"] else list(every)
        if current_user and current_user.is_authenticated:
            wanted.append(personal)
        present = {key.lower() for key, _value in headers.items()}  # one pass, not one per header
        headers.extend([(key, value) for key, value in wanted if key.lower() not in present])
        return response


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The page could not understand what was sent. Please try again.")),
    401: (_l("Please log in"), _l("You need to log in to open this page.")),
    403: (_l("Not allowed"), _l("Your roles do not allow you to open this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. Check the link or start again.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("File too large"), _l("The file or form is larger than this site accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Please wait a few minutes.")),
    500: (
        _l("Something went wrong"),
        _l("An error happened on our side. It has been logged; please try again."),
    ),
}


def _init_error_pages(app: Flask) -> None:
    def render_error(code: int) -> Any:
        title, message = ERROR_TEXTS.get(code) or ERROR_TEXTS[400 if code < 500 else 500]
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code == 401 and request.method == "GET":
            return login_manager.unauthorized()
        return render_error(code)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        # Nothing typed is lost: the page shows what was sent and can send it again with a fresh token.
        # Never a password, nor its repetition ("confirm").
        kept = [
            (key, value)
            for key, value in request.form.items(multi=True)
            if key not in ("csrf_token", "confirm") and "password" not in key
        ]
        return render_template("errors/csrf.html", kept=kept, action=request.full_path.rstrip("?")), 400

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)
