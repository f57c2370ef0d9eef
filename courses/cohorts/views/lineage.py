"""The cascade's lineage: the national view (managers and admins: their scope), a page per trainer, and
the people behind every count. Every list is paginated."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from courses.cohorts import access, lineage
from courses.cohorts.views import bp
from lms.accounts.models import User
from lms.extensions import db
from lms.permissions import can, scope
from lms.plugins import MONITORING, TEACHING, add_nav_item

WHAT_LABELS = {
    "direct": _l("Trained directly"),
    "indirect": _l("Reached through others"),
    "trainers": _l("Trainers produced"),
    "hubs": _l("Hubs covered"),
    "regions": _l("Regions covered"),
}


def may_see_cascade(user: Any) -> bool:
    """The national view: who sees cohorts of some scope (managers, admins)."""
    return can(user, access.VIEW)


def may_see_lineage_of(user: Any, trainer: User) -> bool:
    """A trainer's own lineage, or that of a trainer whose home organisation is in one's scope."""
    return getattr(user, "is_authenticated", False) and (
        user.id == trainer.id or can(user, access.VIEW, trainer)
    )


def _page_number() -> int:
    value = request.args.get("page", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _paginate(query: Any) -> Any:
    return db.paginate(
        query, page=_page_number(), per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False
    )


def _trainer_or_abort(trainer_id: int) -> User:
    trainer = db.session.get(User, trainer_id)
    if trainer is None:
        abort(404)
    if not may_see_lineage_of(current_user, trainer):
        abort(403)
    return trainer


@bp.route("/lineage")
@login_required
def lineage_national() -> Any:
    if not may_see_cascade(current_user):
        abort(403)
    where = scope(current_user, access.VIEW)
    levels = lineage.levels(where)
    first = next((level.number for level in levels if level.trainers), None)
    page = _paginate(lineage.level_query(where, first, trainers_only=True)) if first is not None else None
    counts = lineage.counts_for(page.items) if page is not None else {}
    return render_template(
        "courses/cohorts/lineage_national.html",
        levels=levels,
        first=first,
        page=page,
        counts=counts,
        whole=where.is_everything,
    )


@bp.route("/lineage/levels/<int:level>")
@login_required
def lineage_level(level: int) -> Any:
    """The people at one level of the cascade (of one's scope); ``?trainers=1``: only its trainers."""
    if not may_see_cascade(current_user):
        abort(403)
    trainers_only = request.args.get("trainers") == "1"
    page = _paginate(lineage.level_query(scope(current_user, access.VIEW), level, trainers_only))
    counts = lineage.counts_for(page.items) if trainers_only else {}
    return render_template(
        "courses/cohorts/lineage_level.html",
        level=level,
        trainers_only=trainers_only,
        page=page,
        counts=counts,
    )


@bp.route("/lineage/mine")
@login_required
def my_lineage() -> Any:
    return redirect(url_for("courses_cohorts.lineage_trainer", trainer_id=current_user.id))


@bp.route("/lineage/trainers/<int:trainer_id>")
@login_required
def lineage_trainer(trainer_id: int) -> Any:
    trainer = _trainer_or_abort(trainer_id)
    reach = lineage.reach_of(trainer)
    page = _paginate(lineage.children_query(trainer))
    return render_template(
        "courses/cohorts/lineage_trainer.html",
        trainer=trainer,
        reach=reach,
        page=page,
        counts=lineage.counts_for(page.items),
        labels=WHAT_LABELS,
    )


@bp.route("/lineage/trainers/<int:trainer_id>/<what>")
@login_required
def lineage_people(trainer_id: int, what: str) -> Any:
    """The people (or hubs, or regions) behind one of a trainer's counts."""
    if what not in lineage.WHAT:
        abort(404)
    trainer = _trainer_or_abort(trainer_id)
    page = _paginate(lineage.people_query(trainer, what))
    return render_template(
        "courses/cohorts/lineage_people.html",
        trainer=trainer,
        what=what,
        title=WHAT_LABELS[what],
        page=page,
        organisations=what in ("hubs", "regions"),
    )


def install(app: Flask) -> None:
    """The lineage's links in the navigation: the national view under Monitoring, a trainer's own
    lineage under Teaching."""
    add_nav_item(
        app,
        "courses_cohorts.lineage_national",
        _l("Cascade lineage"),
        may_see_cascade,
        60,
        area=MONITORING,
        staff=True,
    )
    add_nav_item(
        app,
        "courses_cohorts.my_lineage",
        _l("My lineage"),
        lambda user: can(user, access.CREATE) and not may_see_cascade(user),
        49,
        area=TEACHING,
        staff=True,
    )
