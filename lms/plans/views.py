"""Plan pages: the scoped list, a plan with its actions, forms for a plan, an action and an indicator,
and the import of a decree's table (upload → preview → confirm)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from lms.accounts.models import TargetGroup
from lms.extensions import db
from lms.imports.services import keep_upload, take_upload, template_csv
from lms.monitoring.periods import Period
from lms.orgs.models import Kind, Organisation
from lms.permissions import require
from lms.plans import services
from lms.plans.forms import ActionForm, PlanForm, PlanImportForm, indicator_form
from lms.plans.importer import COLUMNS, KIND, PlanImporter, summary
from lms.plans.models import Action, Indicator, IndicatorKind, Plan
from lms.plans.report import report_periods

bp = Blueprint("plans", __name__, url_prefix="/plans")


def _plan(plan_id: int, edit: bool = False) -> Plan:
    """The plan, if the current user may see it (or edit it); 401/403/404 otherwise."""
    plan = db.get_or_404(Plan, plan_id)
    if edit:
        require(services.EDIT, plan.owner)
    elif not services.may_view(current_user, plan):
        require(services.VIEW, plan.owner)  # says 403 (or 401) the one way every view does
    return plan


def _action(plan: Plan, action_id: int) -> Action:
    action = db.get_or_404(Action, action_id)
    if action.plan_id != plan.id:
        abort(404)
    return action


def _indicator(plan: Plan, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.action.plan_id != plan.id:
        abort(404)
    return indicator


@bp.get("/")
@login_required
def index() -> Any:
    if not services.may_list(current_user):
        require(services.VIEW)
    plans: list[Plan] = list(db.session.scalars(services.visible_plans(current_user)))
    own = {plan.id for plan in plans if services.can_view_whole(current_user, plan)}
    tasks: dict[int, int] = {}
    for action in services.tasks_of(current_user):
        tasks[action.plan_id] = tasks.get(action.plan_id, 0) + 1
    return render_template(
        "plans/index.html",
        plans=plans,
        own=own,
        tasks=tasks,
        may_create=services.may_create(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Any:
    require(services.EDIT)
    form = PlanForm()
    if form.validate_on_submit():
        owner = form.owner.organisation
        assert owner is not None
        require(services.EDIT, owner)
        if services.by_code(form.code.data or "") is not None:
            form.code.errors.append(_("A plan with this code already exists."))
        else:
            plan = services.create_plan(
                form.code.data or "",
                form.title.data or "",
                owner,
                form.start_year.data or 0,
                form.end_year.data or 0,
                current_user,
            )
            db.session.commit()
            flash(_("Plan created."), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=None)


@bp.get("/<int:plan_id>")
@login_required
def show(plan_id: int) -> Any:
    plan = _plan(plan_id)
    whole = services.can_view_whole(current_user, plan)
    actions = plan.actions if whole else services.tasks_of(current_user, plan)
    # What Kaskad counts for each computed indicator so far in this year of the plan (or its last).
    year = min(max(date.today().year, plan.start_year), plan.end_year)
    counted = {
        indicator.id: services.compute(indicator, Period.whole_year(year))
        for action in actions
        for indicator in action.indicators
        if indicator.is_computed
    }
    return render_template(
        "plans/show.html",
        plan=plan,
        actions=actions,
        whole=whole,
        may_edit=services.may_edit(current_user, plan),
        labels=services.computed_labels(),
        counted=counted,
        year=year,
        report_periods=report_periods(plan),
    )


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    form = PlanForm(
        code=plan.code,
        title=plan.title,
        owner=plan.owner.code,
        start_year=plan.start_year,
        end_year=plan.end_year,
    )
    if form.validate_on_submit():
        owner = form.owner.organisation
        assert owner is not None
        require(services.EDIT, owner)
        services.update_plan(
            plan,
            title=form.title.data or "",
            owner=owner,
            start_year=form.start_year.data or plan.start_year,
            end_year=form.end_year.data or plan.end_year,
        )
        db.session.commit()
        flash(_("Plan saved."), "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=plan)


def _executor_choices(plan: Plan) -> list[tuple[int, str]]:
    """The owner's organisations that can be executors (hubs are not), and national bodies."""
    query = (
        select(Organisation)
        .where(
            or_(
                Organisation.path.startswith(plan.owner.path, autoescape=True),
                Organisation.kind == Kind.NATIONAL.value,
            ),
            Organisation.kind != Kind.HUB.value,
        )
        .order_by(Organisation.name_sort)
    )
    return [(organisation.id, str(organisation.name)) for organisation in db.session.scalars(query)]


def _action_form(plan: Plan, action: Action | None) -> ActionForm:
    form = ActionForm(obj=action)
    form.executors.choices = _executor_choices(plan)
    if action is not None and request.method == "GET":
        form.executors.data = [organisation.id for organisation in action.executors]
    return form


def _number_taken(plan: Plan, form: ActionForm, action: Action | None) -> bool:
    """Whether another action of the plan (not ``action`` itself) already has the form's number."""
    return any(other.number == form.number.data and other is not action for other in plan.actions)


def _chosen(form: ActionForm) -> list[Organisation]:
    ids = set(form.executors.data or [])
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))) if ids else []


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
@login_required
def create_action(plan_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    form = _action_form(plan, None)
    if request.method == "GET":
        form.number.data = str(len(plan.actions) + 1)
    if form.validate_on_submit():
        if _number_taken(plan, form, None):
            form.number.errors.append(_("The plan already has an action with this number."))
        else:
            services.add_action(
                plan,
                form.number.data or "",
                form.name.data or "",
                content=form.content.data or "",
                term=form.term.data or "",
                executors=_chosen(form),
            )
            db.session.commit()
            flash(_("Action added."), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/action_form.html", form=form, plan=plan, action=None)


@bp.route("/<int:plan_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(plan_id: int, action_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    action = _action(plan, action_id)
    form = _action_form(plan, action)
    if form.validate_on_submit():
        if _number_taken(plan, form, action):
            form.number.errors.append(_("The plan already has an action with this number."))
        else:
            services.update_action(
                action,
                number=form.number.data or "",
                name=form.name.data or "",
                content=form.content.data or "",
                term=form.term.data or "",
                executors=_chosen(form),
            )
            db.session.commit()
            flash(_("Action saved."), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/action_form.html", form=form, plan=plan, action=action)


@bp.post("/<int:plan_id>/actions/<int:action_id>/delete")
@login_required
def delete_action(plan_id: int, action_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    services.delete_action(_action(plan, action_id))
    db.session.commit()
    flash(_("Action deleted."), "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


def _indicator_form(plan: Plan, indicator: Indicator | None) -> Any:
    form = indicator_form(plan.years, obj=indicator)
    form.registry_key.choices = [("", _("Choose…")), *services.computed_choices()]
    groups = db.session.scalars(
        select(TargetGroup).where(TargetGroup.is_active.is_(True)).order_by(TargetGroup.position)
    )
    form.target_groups.choices = [(group.code, str(group.name)) for group in groups]
    if indicator is not None and request.method == "GET":
        form.target_groups.data = list((indicator.filters or {}).get("target_groups", []))
        form.source.data = (indicator.filters or {}).get("source", "all")
        form.registry_key.data = indicator.registry_key or ""
        for year in plan.years:
            getattr(form, f"target_{year}").data = indicator.target_for(year)
    return form


def _indicator_fields(plan: Plan, form: Any) -> dict[str, Any]:
    computed = form.kind.data == IndicatorKind.COMPUTED
    filters: dict[str, Any] = {}
    if computed:
        filters = {"region": "owner", "source": form.source.data or "all"}
        if form.target_groups.data:
            filters["target_groups"] = list(form.target_groups.data)
    targets = {}
    for year in plan.years:
        value = getattr(form, f"target_{year}").data
        if value is not None:
            targets[str(year)] = float(value)
    return {
        "text": (form.text.data or "").strip(),
        "kind": form.kind.data,
        "registry_key": form.registry_key.data if computed else None,
        "filters": filters,
        "targets": targets,
    }


@bp.route("/<int:plan_id>/actions/<int:action_id>/indicators/new", methods=["GET", "POST"])
@login_required
def create_indicator(plan_id: int, action_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    action = _action(plan, action_id)
    form = _indicator_form(plan, None)
    if form.validate_on_submit():
        services.add_indicator(action, **_indicator_fields(plan, form))
        db.session.commit()
        flash(_("Indicator added."), "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/indicator_form.html", form=form, plan=plan, action=action, indicator=None)


@bp.route("/<int:plan_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(plan_id: int, indicator_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    indicator = _indicator(plan, indicator_id)
    form = _indicator_form(plan, indicator)
    if form.validate_on_submit():
        services.update_indicator(indicator, **_indicator_fields(plan, form))
        db.session.commit()
        flash(_("Indicator saved."), "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template(
        "plans/indicator_form.html", form=form, plan=plan, action=indicator.action, indicator=indicator
    )


@bp.post("/<int:plan_id>/indicators/<int:indicator_id>/delete")
@login_required
def delete_indicator(plan_id: int, indicator_id: int) -> Any:
    plan = _plan(plan_id, edit=True)
    services.delete_indicator(_indicator(plan, indicator_id))
    db.session.commit()
    flash(_("Indicator deleted."), "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


# --- import ---------------------------------------------------------------------------------------


def _import_page(form: PlanImportForm, importer: PlanImporter | None, checked: Any, token: str | None) -> Any:
    return render_template(
        "plans/import.html",
        form=form,
        columns=COLUMNS,
        template_url=url_for("plans.import_template"),
        plan=checked,
        facts=summary(checked, importer) if checked is not None and importer is not None else None,
        token=token,
    )


def _importer(form: PlanImportForm) -> PlanImporter:
    owner = form.owner.organisation
    assert owner is not None
    require(services.EDIT, owner)
    return PlanImporter(
        form.code.data or "", form.title.data or "", owner, form.start_year.data, form.end_year.data
    )


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload() -> Any:
    require(services.EDIT)
    form = PlanImportForm()
    if form.validate_on_submit():
        importer = _importer(form)
        data = form.file.data.read()
        checked = importer.read(data)
        token = None
        if checked.is_valid:
            token = keep_upload(KIND, current_user.id, form.file.data.filename or "", data)
            db.session.commit()
        return _import_page(form, importer, checked, token)
    return _import_page(form, None, None, None)


@bp.post("/import/confirm")
@login_required
def import_confirm() -> Any:
    require(services.EDIT)
    form = PlanImportForm()
    upload = take_upload(KIND, current_user.id, request.form.get("token", ""))
    del form.file  # the file was kept at the preview
    if upload is None or not form.validate():
        flash(_("This import was already done or has expired. Please upload the file again."), "error")
        return redirect(url_for("plans.import_upload"))
    importer = _importer(form)
    checked = importer.read(upload.content)  # the data may have changed since the preview
    if not checked.is_valid:
        return _import_page(PlanImportForm(formdata=None, obj=form), importer, checked, None)
    plan = importer.apply(checked, current_user)
    db.session.delete(upload)
    db.session.commit()
    flash(
        _(
            "Plan %(code)s imported: %(actions)s actions, %(created)s new institutions.",
            code=plan.code,
            actions=len(plan.actions),
            created=len(importer.new_executors),
        ),
        "success",
    )
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.get("/import/template.csv")
@login_required
def import_template() -> Any:
    require(services.EDIT)
    return Response(
        template_csv(COLUMNS),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="plan-template.csv"'},
    )
