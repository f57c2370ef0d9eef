"""Organisation services: create, edit, move; scoped queries. They flush and log, never commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, String, func, literal, select, update

from lms import signals
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import LOCALE_NAMES, current_locale, utcnow
from lms.orgs.models import ALLOWED_PARENTS, Kind, Organisation
from lms.permissions import Scope, forget_permissions

log = logging.getLogger("lms.orgs")

EDITABLE_FIELDS = (
    "authority",
    "is_occupied",
    "host_type",
    "institution_type",
    "address",
    "settlement",
    "hromada",
    "katotth",
    "latitude",
    "longitude",
    "opening_hours",
    "services",
    "status",
    "phone",
    "email",
    "website",
)


def parent_problem(kind: str, parent: Organisation | None) -> str | None:
    """Why ``parent`` cannot hold an organisation of ``kind``, or None when it can."""
    allowed = ALLOWED_PARENTS[Kind(kind)]
    if (parent.kind if parent else None) in allowed:
        return None
    if parent is None:
        return _("This kind of organisation needs a parent organisation.")
    return _(
        "A %(kind)s cannot be placed under a %(parent)s.",
        kind=str(Organisation(kind=kind).kind_label).lower(),
        parent=str(parent.kind_label).lower(),
    )


def by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code.strip()))


def create_organisation(
    code: str, kind: str, name: dict[str, str], parent: Organisation | None, **fields: Any
) -> Organisation:
    problem = parent_problem(kind, parent)
    if problem:
        raise ValueError(problem)
    organisation = Organisation(code=code.strip(), kind=kind, parent=parent, services=[])
    organisation.set_name(name)
    _apply(organisation, fields)
    db.session.add(organisation)
    db.session.flush()
    _set_path(organisation)
    if parent is None:
        forget_permissions()  # a new root changes what "everything" means for scopes
    record("organisation.created", organisation, organisation.path, code=organisation.code, kind=kind)
    signals.organisation_created.send(signals.sender(), organisation=organisation)
    return organisation


def update_organisation(
    organisation: Organisation, name: dict[str, str] | None = None, **fields: Any
) -> None:
    changes: dict[str, Any] = {}
    if name is not None and dict(organisation.name) != {k: v for k, v in name.items() if v}:
        changes["name"] = (dict(organisation.name), name)
        organisation.set_name(name)
    for key, value in fields.items():
        old = getattr(organisation, key)
        if old != value:
            changes[key] = (old, value)
    _apply(organisation, fields)
    if changes:
        db.session.flush()
        record("organisation.updated", organisation, organisation.path, changes=changes)


def move_organisation(organisation: Organisation, new_parent: Organisation) -> None:
    """Put ``organisation`` and its whole subtree under ``new_parent``."""
    if new_parent.is_within(organisation):
        raise ValueError(_("An organisation cannot be moved into its own subtree."))
    problem = parent_problem(organisation.kind, new_parent)
    if problem:
        raise ValueError(problem)
    old_parent, old_path = organisation.parent, organisation.path
    organisation.parent = new_parent
    new_path = f"{new_parent.path}{organisation.id}/"
    depth_change = new_parent.depth + 1 - organisation.depth
    # One UPDATE rewrites the paths of the whole subtree.
    db.session.execute(
        update(Organisation)
        .where(Organisation.path.startswith(old_path, autoescape=True))
        .values(
            path=literal(new_path, String) + func.substr(Organisation.path, len(old_path) + 1, type_=String),
            depth=Organisation.depth + depth_change,
            updated_at=utcnow(),  # the public open data's date and its kept copies follow moves too
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.expire_all()
    forget_permissions()  # grants over the moved subtree now have other paths
    record(
        "organisation.moved",
        organisation,
        new_path,
        old_parent=old_parent.code if old_parent else None,
        new_parent=new_parent.code,
    )
    signals.organisation_moved.send(signals.sender(), organisation=organisation, old_parent=old_parent)


def _apply(organisation: Organisation, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise TypeError(f"{key} is not an editable organisation field")
        setattr(organisation, key, value)


def _set_path(organisation: Organisation) -> None:
    parent = organisation.parent
    organisation.path = f"{parent.path if parent else '/'}{organisation.id}/"
    organisation.depth = parent.depth + 1 if parent else 0


def by_shown_name(locale: str | None = None) -> tuple[Any, ...]:
    """ORDER BY terms: organisations in the order of the names a page in ``locale`` shows (Ukrainian
    by its indexed key; other languages by the key kept for them, then the Ukrainian one)."""
    locale = locale or current_locale()
    if locale == "uk" or locale not in LOCALE_NAMES:
        return (Organisation.name_sort, Organisation.id)
    return (Organisation.name_sorts[locale].as_string(), Organisation.name_sort, Organisation.id)


def scoped(scope: Scope) -> Select[tuple[Organisation]]:
    """Organisations in ``scope``, in the alphabetical order of the names shown."""
    return select(Organisation).where(scope.filter(Organisation.path)).order_by(*by_shown_name())


@dataclass
class TreeNode:
    """An organisation of the tree view with its branches; hubs are counted, not listed (thousands)."""

    organisation: Organisation
    children: list[TreeNode] = field(default_factory=list)
    hubs: int = 0  # directly below it


def tree(scope: Scope, locale: str | None = None) -> list[TreeNode]:
    """The organisations in ``scope`` but the hubs, as a tree, each level in the order of the names
    shown in ``locale``; the roots are the highest ones in the scope."""
    locale = locale or current_locale()
    organisations = db.session.scalars(
        select(Organisation).where(scope.filter(Organisation.path), Organisation.kind != Kind.HUB)
    ).all()
    hubs = dict(
        db.session.execute(
            select(Organisation.parent_id, func.count())
            .where(scope.filter(Organisation.path), Organisation.kind == Kind.HUB)
            .group_by(Organisation.parent_id)
        ).all()
    )
    nodes = {
        organisation.id: TreeNode(organisation, hubs=hubs.get(organisation.id, 0))
        for organisation in organisations
    }
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.organisation.parent_id or 0)
        (parent.children if parent is not None else roots).append(node)

    def order(node: TreeNode) -> tuple[str, str, int]:
        organisation = node.organisation
        key = (organisation.name_sorts or {}).get(locale) or organisation.name_sort
        return (key, organisation.name_sort, organisation.id)

    for node in nodes.values():
        node.children.sort(key=order)
    return sorted(roots, key=order)


def count_hubs(scope: Scope) -> int:
    query = (
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.kind == Kind.HUB, scope.filter(Organisation.path))
    )
    return db.session.scalar(query) or 0
