"""The one permission check: ``can(user, action, target)``, and the scope that list queries filter by.

Roles are granted over an organisation subtree. A role allows a set of actions; a grant allows them
on its organisation and everything below it. Plugins add actions with :func:`allow`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, bindparam, false, or_, select, true

from lms.accounts.models import Role, RoleGrant, User
from lms.extensions import db, loaded, table_columns
from lms.orgs.models import Organisation

# role -> actions it allows within the subtree of the grant
ROLE_ACTIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        "org.view",
        "org.edit",
        "user.view",
        "user.create",
        "user.invite",
        "user.edit",
        "user.erase",
        "role.grant",
        "audit.view",
        "monitoring.view",
        "monitoring.record",
        "monitoring.freeze",
        "targetgroup.edit",
        "plans.view",
        "plans.edit",
    },
    Role.MANAGER: {
        "org.view",
        "user.view",
        "monitoring.view",
        "monitoring.record",
        "monitoring.freeze",
        "plans.view",
        "plans.edit",
    },
    Role.TRAINER: {"org.view", "user.view", "user.invite"},
    Role.LEARNER: set(),
}
# Actions on things that belong to no organisation (the list of target groups): they need a grant
# at a root of the tree.
GLOBAL = object()


def allow(role: str, *actions: str) -> None:
    """Let ``role`` perform more actions (for plugins: ``allow("trainer", "courses.cohort.run")``)."""
    ROLE_ACTIONS.setdefault(role, set()).update(actions)


@dataclass(frozen=True)
class Scope:
    """The organisation subtrees in which a user may perform an action."""

    paths: tuple[str, ...]
    is_everything: bool = False

    def filter(self, path_column: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose organisation path lies in the scope."""
        if self.is_everything:
            return true()
        if not self.paths:
            return false()
        return or_(*(path_column.startswith(path, autoescape=True) for path in self.paths))

    def contains(self, organisation: Organisation | None) -> bool:
        if organisation is None:
            return self.is_everything
        return self.is_everything or any(organisation.path.startswith(path) for path in self.paths)


def _grants(user: User) -> list[tuple[str, str, int | None, int]]:
    """(role, organisation path, parent id, organisation id) of each grant; cached for the request
    (the person's loader reads them with her: :func:`load_with_grants`)."""
    cache = g.setdefault("_lms_grants", {})
    if user.id not in cache:  # one query, not one per grant
        cache[user.id] = [tuple(row) for row in db.session.execute(_GRANTS, {"user_id": user.id})]
    return cache[user.id]


# Built once from the tables (plain SQL, no ORM entities): every page asks it.
_grant, _organisation = RoleGrant.__table__.c, Organisation.__table__.c
GRANT_COLUMNS = (_grant.role, _organisation.path, _organisation.parent_id, _grant.organisation_id)
_GRANTS = (
    select(*GRANT_COLUMNS)
    .select_from(RoleGrant.__table__)
    .join(Organisation.__table__, _organisation.id == _grant.organisation_id)
    .where(_grant.user_id == bindparam("user_id"))
)
# Facts about a person that nearly every page asks for (does any of her organisations execute an
# action plan's task? the header links to the plans then): name → a function building a true/false
# SQL expression over a row of the person and one of her grants (``lms_user``, ``lms_role_grant``,
# NULL without any); read with her, the fact is true when it is true on any row.
PERSON_FACTS: dict[str, Callable[[], ColumnElement[bool]]] = {}


def add_person_fact(name: str, expression: Callable[[], ColumnElement[bool]]) -> None:
    """Read ``name`` with every person loaded for a request (see :func:`person_fact`)."""
    PERSON_FACTS[name] = expression
    _with_grants.cache_clear()


@functools.cache
def _with_grants() -> tuple[Select[Any], tuple[str, ...]]:
    """A person's columns with her grants, one row per grant (one row of NULL grant columns without
    any), and the facts about her: every page with the header needs them, and one query costs less
    than three. Plain columns, not the entity (see :func:`lms.extensions.loaded`); built once (per
    set of facts)."""
    names = tuple(PERSON_FACTS)
    person = User.__table__
    statement = (
        select(*table_columns(User), *GRANT_COLUMNS, *(PERSON_FACTS[name]().label(name) for name in names))
        .select_from(person)
        .outerjoin(RoleGrant.__table__, _grant.user_id == person.c.id)
        .outerjoin(Organisation.__table__, _organisation.id == _grant.organisation_id)
        .where(person.c.id == bindparam("user_id"))
    )
    return statement, names


def load_with_grants(user_id: int) -> User | None:
    """The person ``user_id`` and, kept for the request, her grants and the facts about her: one query."""
    statement, names = _with_grants()
    rows = db.session.execute(statement, {"user_id": user_id}).all()
    if not rows:
        return None
    person = len(table_columns(User))
    width = person + len(GRANT_COLUMNS)
    user = loaded(User, rows[0][:person])
    g.setdefault("_lms_grants", {})[user.id] = [
        tuple(row[person:width]) for row in rows if row[person] is not None
    ]
    g.setdefault("_lms_person_facts", {})[user.id] = {
        name: any(row[width + index] for row in rows) for index, name in enumerate(names)
    }
    return user


def person_fact(user: Any, name: str) -> bool | None:
    """A fact read with ``user`` this request (:func:`add_person_fact`), or None when it was not."""
    return g.get("_lms_person_facts", {}).get(getattr(user, "id", None), {}).get(name)


def scope(user: Any, action: str) -> Scope:
    """Where ``user`` may perform ``action`` (worked out once per request for each user and action)."""
    person = _acting(user)
    return _scope(person, action) if person is not None else NOWHERE


NOWHERE = Scope(())


def _scope(user: User, action: str) -> Scope:
    """:func:`scope` of an active user, given unproxied (``can`` has checked both)."""
    return _scopes(user).get(action, NOWHERE)


def _scopes(user: User) -> dict[str, Scope]:
    """action → where ``user`` may perform it, for every action her grants allow: worked out once per
    request from her grants (a page's header alone asks ``can`` some 25 times)."""
    cache = g.setdefault("_lms_scopes", {})
    found = cache.get(user.id)
    if found is None:
        paths_of: dict[str, set[str]] = {}
        for role, path, _, _ in _grants(user):
            for action in ROLE_ACTIONS.get(role, ()):
                paths_of.setdefault(action, set()).add(path)
        roots = set(_root_paths()) if paths_of else set()
        found = cache[user.id] = {action: _widest(paths, roots) for action, paths in paths_of.items()}
    return found


def _widest(paths: set[str], roots: set[str]) -> Scope:
    """The scope of grants at ``paths``: those not inside another; grants at every root cover
    everything, including people who belong to no organisation."""
    paths = {path for path in paths if not any(path != other and path.startswith(other) for other in paths)}
    return Scope(tuple(sorted(paths)), bool(paths) and roots <= paths)


def _acting(user: Any) -> User | None:
    """The person behind ``user`` when she is logged in and active (else None: no scope anywhere)."""
    user = _unproxied(user)
    return user if getattr(user, "is_authenticated", False) and user.is_active else None


def _unproxied(user: Any) -> Any:
    """The user behind ``current_user``: each attribute read through the proxy costs a lookup."""
    unwrap = getattr(user, "_get_current_object", None)
    return unwrap() if unwrap is not None else user


def forget_permissions() -> None:
    """Forget what this request worked out about grants (after grants or the tree change)."""
    for name in ("_lms_grants", "_lms_person_facts", "_lms_roots", "_lms_scopes", "_lms_nav"):
        g.pop(name, None)


def _root_paths() -> list[str]:
    if "_lms_roots" not in g:
        g._lms_roots = db.session.scalars(
            select(Organisation.path).where(Organisation.parent_id.is_(None))
        ).all()
    return g._lms_roots


def can(user: Any, action: str, target: Any = None) -> bool:
    """May ``user`` perform ``action`` on ``target``?

    ``target`` is an :class:`Organisation`, a :class:`User` (judged by their home organisation;
    people may always view their own account), :data:`GLOBAL`, or None for "anywhere at all".
    """
    if type(user) is not User:  # current_user, or an anonymous visitor
        user = _unproxied(user)
        if not getattr(user, "is_authenticated", False):
            return False
    if not user.is_active:  # (a person's is_authenticated is her is_active)
        return False
    where = _scope(user, action)
    if target is None:
        return bool(where.paths) or where.is_everything
    if target is GLOBAL:
        return where.is_everything
    if isinstance(target, User):
        if target.id == user.id and action == "user.view":
            return True
        return where.contains(target.organisation)
    if isinstance(target, Organisation):
        return where.contains(target)
    raise TypeError(f"can() does not know targets of type {type(target).__name__}")


def may_act(user: Any) -> bool:
    """May ``user`` perform any action anywhere? False for learners, visitors and inactive people:
    ``can(user, action)`` is then false for every action."""
    person = _acting(user)
    return person is not None and bool(_scopes(person))


def require(action: str, target: Any = None) -> None:
    """Abort with 403 (401 for anonymous visitors) unless the current user may do it."""
    if not current_user.is_authenticated:
        abort(401)
    if not can(current_user, action, target):
        abort(403)


def permission_required(action: str, target: Any = None) -> Any:
    """View decorator for actions checked before any object is loaded."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(action, target)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def roles_of(user: User) -> Iterable[str]:
    return sorted({role for role, _, _, _ in _grants(user)})


def granted_organisation_ids(user: User) -> set[int]:
    """The organisations of ``user``'s grants, from the grants this request already read."""
    return {organisation_id for _, _, _, organisation_id in _grants(_unproxied(user))}
