"""Public pages: the landing page for visitors, the hub directory, a hub's page and calendar, open data.

Every view here is open to anyone, logged in or not (the permission matrix lists each one so), and
each is rate-limited per address (``LMS_PUBLIC_LIMIT``; the open-data files ``LMS_OPEN_DATA_LIMIT``).
No page shows a person: hubs, courses and sessions only.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from email.utils import format_datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.exceptions import MethodNotAllowed, NotFound
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from lms.extensions import db, limit
from lms.i18n import utcnow
from lms.orgs.models import HOST_TYPE_LABELS, SERVICE_LABELS, STATUS_LABELS
from lms.permissions import GLOBAL, require
from lms.plugins import public_sessions
from lms.public import calendar, directory, figures
from lms.public.directory import Filter

bp = Blueprint("public", __name__)


def public_limit() -> str:
    return str(current_app.config["LMS_PUBLIC_LIMIT"])


def open_data_limit() -> str:
    return str(current_app.config["LMS_OPEN_DATA_LIMIT"])


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _public(response: Response, max_age: int = 300) -> Response:
    """Anyone may keep a copy for a while, unless the page was made for someone logged in."""
    if not current_user.is_authenticated:
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/hubs/")
@limit(public_limit)
def hubs() -> Any:
    where = Filter.from_args(request.args)
    page = directory.page_of_hubs(where, _page_number())
    return render_template(
        "public/hubs.html",
        where=where,
        page=page,
        hubs=directory.listed(page.items),
        regions=directory.regions(),
        services=SERVICE_LABELS,
        host_types=HOST_TYPE_LABELS,
        statuses=STATUS_LABELS,
    )


@bp.get("/hubs/<code>")
@limit(public_limit)
def hub(code: str) -> Any:
    organisation = directory.hub_by_code(code)
    if organisation is None:
        abort(404)
    sessions = public_sessions(organisation, utcnow())
    courses = sorted({session.course for session in sessions if session.course}, key=str.casefold)
    return render_template(
        "public/hub.html",
        hub=organisation,
        region=directory.region_of(organisation.path),
        sessions=sessions,
        courses=courses,
    )


@bp.get("/open-data/")
@limit(public_limit)
def open_data() -> Any:
    return render_template("public/open_data.html", date=directory.data_date())


def _download(body: bytes, mimetype: str, filename: str, where: Filter) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    date = directory.data_date(where)
    if date is not None:
        response.headers["Last-Modified"] = format_datetime(date.replace(tzinfo=UTC), usegmt=True)
    return _public(response, 600)


@bp.get("/open-data/hubs.csv")
@limit(open_data_limit)
def hubs_csv() -> Any:
    where = Filter.from_args(request.args)
    body = directory.kept_export("csv", where, lambda: directory.hubs_csv(directory.exported_hubs(where)))
    return _download(body, "text/csv; charset=utf-8", "hubs.csv", where)


@bp.get("/open-data/hubs.geojson")
@limit(open_data_limit)
def hubs_geojson() -> Any:
    """All hubs, or those of the directory's filter (the map asks with the list's arguments)."""
    where = Filter.from_args(request.args)
    config = current_app.config
    body = directory.kept_export(
        "geojson",
        where,
        lambda: directory.hubs_geojson(
            directory.exported_hubs(where),
            config["LMS_OPEN_DATA_LICENCE"],
            config["LMS_OPEN_DATA_LICENCE_URL"],
            directory.data_date(where),
        ),
    )
    return _download(body, "application/geo+json", "hubs.geojson", where)


SINCE_FOR_FEEDS = timedelta(days=30)  # a calendar keeps the last month's sessions too


@bp.get("/hubs/<code>/sessions.ics")
@limit(public_limit)
def hub_calendar(code: str) -> Any:
    """The hub's public sessions from a month ago on, for calendar programs."""
    organisation = directory.hub_by_code(code)
    if organisation is None:
        abort(404)
    sessions = public_sessions(organisation, utcnow() - SINCE_FOR_FEEDS)
    response = Response(calendar.hub_calendar(organisation, sessions), content_type=calendar.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="hub-{organisation.code}.ics"'
    return _public(response)


# --- the landing page (``/`` for visitors; pages.home calls it) ------------------------------------------

# Services of a hub that a visitor comes for (training of trainers is for the cascade itself).
VISITOR_SERVICES = [code for code in SERVICE_LABELS if code != "trainer_training"]


def _page_exists(path: str) -> bool:
    """Whether some part of the app (a plugin) serves ``path``: the landing page says only what works."""
    known = current_app.extensions.setdefault("lms.public.pages", {})
    if path not in known:
        try:
            current_app.url_map.bind("").match(path, method="GET")
            known[path] = True
        except (NotFound, MethodNotAllowed):
            known[path] = False
        except Exception:  # a redirect (to the path with a slash) also means the page is there
            known[path] = True
    return bool(known[path])


def landing() -> Any:
    return render_template(
        "public/landing.html",
        figures=figures.headline_figures(),
        services=[SERVICE_LABELS[code] for code in VISITOR_SERVICES],
        verify_url="/verify" if _page_exists("/verify") else None,
    )


# --- which figures the landing page publishes (admins over the whole tree) -------------------------------


class FiguresForm(FlaskForm):
    published = SelectMultipleField(
        _l("Figures shown on the public landing page"),
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l(
            "Counted over the whole country, at most every five minutes. None is shown until chosen here."
        ),
    )


@bp.route("/public-figures", methods=["GET", "POST"])
@login_required
def edit_figures() -> Any:
    require(figures.EDIT, GLOBAL)
    form = FiguresForm(published=figures.published_names())
    form.published.choices = [
        (
            indicator.name,
            f"{indicator.label} ({figures.shown(indicator, indicator.for_scope(figures.EVERYWHERE))})",
        )
        for indicator in figures.indicators()
    ]
    if form.validate_on_submit():
        figures.publish(list(form.published.data or []), current_user)
        db.session.commit()
        flash(_("The landing page shows the figures chosen."), "success")
        return redirect(url_for("public.edit_figures"))
    return render_template("public/figures.html", form=form)
