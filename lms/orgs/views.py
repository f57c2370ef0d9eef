"""Organisation pages: the scoped, paginated list, one organisation, create, edit, move, import."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Text, func, or_, select, type_coerce

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import sort_key
from lms.imports.views import add_import_routes
from lms.orgs import services
from lms.orgs.forms import MoveForm, OrganisationForm
from lms.orgs.importer import OrganisationImporter
from lms.orgs.models import KIND_LABELS, InstitutionType, Kind, Organisation
from lms.permissions import require, scope

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


def _organisation(organisation_id: int, action: str) -> Organisation:
    organisation = db.get_or_404(Organisation, organisation_id)
    require(action, organisation)
    return organisation


@bp.get("/")
@login_required
def index() -> Any:
    require("org.view")
    if request.args.get("view") == "tree":
        return render_template("orgs/tree.html", roots=services.tree(scope(current_user, "org.view")))
    query = services.scoped(scope(current_user, "org.view"))
    search = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if search:
        query = query.where(
            or_(
                Organisation.code.ilike(f"%{search}%"),
                type_coerce(Organisation.name, Text).ilike(f"%{search}%"),
                Organisation.name_sort.contains(sort_key(search)[:-2], autoescape=True),
                Organisation.settlement.ilike(f"%{search}%"),
            )
        )
    if kind in {k.value for k in Kind}:
        query = query.where(Organisation.kind == kind)
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template(
        "orgs/index.html",
        page=page,
        search=search,
        kind=kind,
        kinds=KIND_LABELS,
        may_edit=bool(scope(current_user, "org.edit").paths),
    )


@bp.get("/<int:organisation_id>")
@login_required
def show(organisation_id: int) -> Any:
    organisation = _organisation(organisation_id, "org.view")
    children = db.paginate(
        select(Organisation)
        .where(Organisation.parent_id == organisation.id)
        .order_by(*services.by_shown_name()),
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    people = db.session.scalar(
        select(func.count())
        .select_from(User)
        .join(User.organisation)
        .where(Organisation.path.startswith(organisation.path, autoescape=True))
    )
    return render_template("orgs/show.html", organisation=organisation, children=children, people=people)


def _form_fields(form: OrganisationForm) -> dict[str, Any]:
    authority = {"uk": form.authority_uk.data or "", "en": form.authority_en.data or ""}
    return {
        "authority": authority if any(authority.values()) else None,
        "is_occupied": bool(form.is_occupied.data),
        "host_type": form.host_type.data or None,
        "institution_type": form.institution_type.data
        if form.institution_type.data in {t.value for t in InstitutionType}
        else None,
        "address": form.address.data or "",
        "settlement": form.settlement.data or "",
        "hromada": form.hromada.data or "",
        "katotth": form.katotth.data or None,
        "latitude": float(form.latitude.data) if form.latitude.data is not None else None,
        "longitude": float(form.longitude.data) if form.longitude.data is not None else None,
        "opening_hours": form.opening_hours.data or "",
        "services": list(form.services.data or []),
        "status": form.status.data,
        "phone": (form.phone.data or "").strip(),
        "email": (form.email.data or "").strip(),
        "website": (form.website.data or "").strip(),
    }


def _names(form: OrganisationForm) -> dict[str, str]:
    return {code: getattr(form, f"name_{code}").data or "" for code in ("uk", "en", "fi", "sv")}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Any:
    require("org.edit")
    form = OrganisationForm(
        parent=request.args.get("parent", ""), kind=request.args.get("kind", Kind.HUB.value)
    )
    if form.validate_on_submit():
        parent = form.parent.organisation
        duplicate = services.by_code(form.code.data or "")
        problem = services.parent_problem(form.kind.data or "", parent)
        if duplicate is not None:
            form.code.errors.append(_("Another organisation has this code."))
        elif problem:
            form.parent.errors.append(problem)
        elif not scope(current_user, "org.edit").contains(parent):
            form.parent.errors.append(_("You may only add organisations inside your scope."))
        else:
            organisation = services.create_organisation(
                form.code.data or "", form.kind.data or "", _names(form), parent, **_form_fields(form)
            )
            db.session.commit()
            flash(_("%(name)s has been created.", name=str(organisation.name)), "success")
            return redirect(url_for("orgs.show", organisation_id=organisation.id))
    return render_template("orgs/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int) -> Any:
    organisation = _organisation(organisation_id, "org.edit")
    authority: dict[str, str] = organisation.authority or {}
    form = OrganisationForm(
        obj=organisation,
        parent=organisation.parent.code if organisation.parent else "",
        **{f"name_{code}": text for code, text in organisation.name.items()},
        authority_uk=authority.get("uk", ""),
        authority_en=authority.get("en", ""),
        host_type=organisation.host_type or "",
        institution_type=organisation.institution_type or "",
    )
    # The code, kind and parent are not changed here (moving has its own page).
    form.code.data, form.kind.data = organisation.code, organisation.kind
    form.parent.data = organisation.parent.code if organisation.parent else ""
    if form.validate_on_submit():
        services.update_organisation(organisation, name=_names(form), **_form_fields(form))
        db.session.commit()
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("orgs.show", organisation_id=organisation.id))
    return render_template("orgs/form.html", form=form, organisation=organisation)


@bp.route("/<int:organisation_id>/move", methods=["GET", "POST"])
@login_required
def move(organisation_id: int) -> Any:
    organisation = _organisation(organisation_id, "org.edit")
    form = MoveForm()
    if form.validate_on_submit():
        new_parent = form.parent.organisation
        assert new_parent is not None
        if not scope(current_user, "org.edit").contains(new_parent):
            form.parent.errors.append(_("You may only move organisations inside your scope."))
        else:
            try:
                services.move_organisation(organisation, new_parent)
            except ValueError as problem:
                form.parent.errors.append(str(problem))
            else:
                db.session.commit()
                flash(_("%(name)s has been moved.", name=str(organisation.name)), "success")
                return redirect(url_for("orgs.show", organisation_id=organisation.id))
    return render_template("orgs/move.html", form=form, organisation=organisation)


add_import_routes(
    bp, "", "organisations", OrganisationImporter, "org.edit", _l("Import organisations"), "orgs.index"
)
