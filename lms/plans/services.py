"""Plan services: create and edit plans, actions and indicators; who sees what. They flush and log,
never commit.

Who sees a plan: those who may ``plans.view`` its owner (managers and admins over it) see all of it;
an executor (a person acting for an organisation named as an action's executor) sees the plan with
only the actions that are hers. A person acts for her home organisation and for each organisation a
role is granted to her over (the organisation itself, not its subtree: a regional manager does not
become every subdivision's executor).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from lms.accounts.models import RoleGrant, User
from lms.audit.services import record
from lms.extensions import db
from lms.monitoring.aggregates import Filters
from lms.monitoring.periods import Period
from lms.orgs.models import Kind, Organisation
from lms.permissions import Scope, can, granted_organisation_ids, person_fact, scope
from lms.plans.models import Action, Indicator, IndicatorKind, Plan, action_executor
from lms.plugins import registry

VIEW, EDIT = "plans.view", "plans.edit"
# Computed indicators read these filters; anything else in the JSON is kept but not used.
FILTER_KEYS = ("target_groups", "source", "region")


def by_code(code: str) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.code == code.strip()))


def acting_organisation_ids(user: Any) -> list[int]:
    """The organisations ``user`` acts for: her home organisation and those of her grants."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = granted_organisation_ids(user)  # the navigation has read her grants already: no query
    if user.organisation_id:
        ids.add(user.organisation_id)
    return sorted(ids)


def acting_organisations(user: Any) -> list[Organisation]:
    ids = acting_organisation_ids(user)
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))) if ids else []


def _is_executor_clause(organisation_ids: list[int]) -> Any:
    return exists().where(
        action_executor.c.action_id == Action.id, action_executor.c.organisation_id.in_(organisation_ids)
    )


def tasks_of(user: Any, plan: Plan | None = None) -> list[Action]:
    """The actions ``user`` is an executor of (of one plan, or of every plan)."""
    ids = acting_organisation_ids(user)
    if not ids:
        return []
    query = select(Action).where(_is_executor_clause(ids)).order_by(Action.plan_id, Action.position)
    if plan is not None:
        query = query.where(Action.plan_id == plan.id)
    return list(db.session.scalars(query))


def visible_plans(user: Any) -> Select[tuple[Plan]]:
    """Plans ``user`` owns (within her ``plans.view`` scope) or has tasks in, by code."""
    where = scope(user, VIEW).filter(Plan.scope_path)
    ids = acting_organisation_ids(user)
    if ids:
        where = or_(where, Plan.id.in_(select(Action.plan_id).where(_is_executor_clause(ids))))
    return select(Plan).where(where).order_by(Plan.code)


def may_view(user: Any, plan: Plan) -> bool:
    return can(user, VIEW, plan.owner) or has_tasks(user, plan)


def may_edit(user: Any, plan: Plan) -> bool:
    return can(user, EDIT, plan.owner)


HAS_TASKS = "plans.has_tasks"


def executes_any_action() -> ColumnElement[bool]:
    """For :func:`lms.permissions.add_person_fact`: does the person's home organisation, or her
    grant's, execute an action of any plan? (as :func:`acting_organisation_ids` decides)."""
    person, grant = User.__table__.c, RoleGrant.__table__.c
    return exists().where(
        action_executor.c.organisation_id.in_([person.organisation_id, grant.organisation_id])
    )


def has_tasks(user: Any, plan: Plan | None = None) -> bool:
    """Whether ``user`` is an executor of any action (of one plan, or of every plan)."""
    if plan is None and (known := person_fact(user, HAS_TASKS)) is not None:
        return known  # read with her
    ids = acting_organisation_ids(user)
    if not ids:
        return False
    query = select(action_executor.c.action_id).where(action_executor.c.organisation_id.in_(ids))
    if plan is not None:
        query = query.join(Action, Action.id == action_executor.c.action_id).where(Action.plan_id == plan.id)
    return db.session.scalar(query.limit(1)) is not None


def computed_choices() -> list[tuple[str, str]]:
    """(name, label) of the registered indicators a plan can count: those that take a period."""
    return [
        (indicator.name, str(indicator.label))
        for indicator in registry().indicators.values()
        if indicator.by_period
    ]


# --- changes ------------------------------------------------------------------------------------


def create_plan(
    code: str, title: str, owner: Organisation, start_year: int, end_year: int, by: User | None = None
) -> Plan:
    plan = Plan(
        code=code.strip(),
        title=title.strip(),
        owner=owner,
        scope_path=owner.path,
        start_year=start_year,
        end_year=end_year,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(plan)
    db.session.flush()
    record("plan.created", plan, owner.path, actor=by, code=plan.code)
    return plan


def update_plan(plan: Plan, *, title: str, owner: Organisation, start_year: int, end_year: int) -> None:
    plan.title, plan.owner, plan.scope_path = title.strip(), owner, owner.path
    plan.start_year, plan.end_year = start_year, end_year
    db.session.flush()
    record("plan.updated", plan, owner.path, code=plan.code)


def next_position(plan: Plan) -> int:
    return (db.session.scalar(select(func.max(Action.position)).where(Action.plan_id == plan.id)) or 0) + 1


def add_action(
    plan: Plan,
    number: str,
    name: str,
    *,
    content: str = "",
    term: str = "",
    executors: list[Organisation] | None = None,
    position: int | None = None,
) -> Action:
    action = Action(
        plan=plan,
        number=number.strip(),
        name=name.strip(),
        content=content.strip(),
        term=term.strip(),
        position=position if position is not None else next_position(plan),
        executors=list(executors or []),
    )
    db.session.add(action)
    db.session.flush()
    return action


def update_action(action: Action, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(action, key, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    record("plan.action-updated", action.plan, action.plan.scope_path, number=action.number)


def delete_action(action: Action) -> None:
    plan = action.plan
    plan.actions.remove(action)
    db.session.flush()
    record("plan.action-deleted", plan, plan.scope_path, number=action.number)


def add_indicator(
    action: Action,
    text: str,
    kind: str = IndicatorKind.REPORTED.value,
    registry_key: str | None = None,
    filters: dict[str, Any] | None = None,
    targets: dict[str, float] | None = None,
) -> Indicator:
    indicator = Indicator(
        text=text.strip(),
        kind=kind,
        registry_key=registry_key if kind == IndicatorKind.COMPUTED else None,
        filters=dict(filters or {}) if kind == IndicatorKind.COMPUTED else {},
        targets=dict(targets or {}),
        position=len(action.indicators),
    )
    action.indicators.append(indicator)
    db.session.flush()
    return indicator


def update_indicator(indicator: Indicator, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(indicator, key, value)
    if indicator.kind != IndicatorKind.COMPUTED:
        indicator.registry_key, indicator.filters = None, {}
    db.session.flush()
    plan = indicator.action.plan
    record("plan.indicator-updated", plan, plan.scope_path, indicator=indicator.id)


def delete_indicator(indicator: Indicator) -> None:
    action = indicator.action
    action.indicators.remove(indicator)
    db.session.flush()
    record("plan.indicator-deleted", action.plan, action.plan.scope_path, number=action.number)


def can_view_whole(user: Any, plan: Plan) -> bool:
    """Owners see every action; executors only theirs."""
    return can(user, VIEW, plan.owner)


def may_list(user: Any) -> bool:
    return can(user, VIEW) or has_tasks(user)


def may_create(user: Any) -> bool:
    return can(user, EDIT)


def computed_labels() -> dict[str, str]:
    return {indicator.name: str(indicator.label) for indicator in registry().indicators.values()}


def compute(indicator: Indicator, period: Period, as_of: date | None = None) -> float | None:
    """A computed indicator's value for ``period``: its registered figure over the plan owner's
    subtree (``"region": "owner"``), from the chosen source. With target groups, the figure of each
    group is added up, as the monitoring's counting rule counts a certificate once under each group
    it snapshots. None for a reported indicator, or a figure the enabled plugins no longer register."""
    figure = registry().indicators.get(indicator.registry_key or "")
    if not indicator.is_computed or figure is None:
        return None
    owner = indicator.action.plan.owner
    settings = indicator.filters or {}
    region_id = owner.id if settings.get("region") == "owner" and owner.kind == Kind.REGION else None
    filters = Filters(Scope((owner.path,)), period, settings.get("source") or "all", region_id, as_of=as_of)
    if not figure.by_period:
        return _number(figure.count(filters.scope))
    groups = settings.get("target_groups") or []
    if not groups:
        return _number(figure.count(filters))
    values = [figure.count(replace(filters, target_group=group)) for group in groups]
    return None if all(value is None for value in values) else sum(float(v or 0) for v in values)


def _number(value: int | float | None) -> float | None:
    return None if value is None else float(value)
