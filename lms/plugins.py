"""The plugin contract.

A plugin is a class named by an entry point in the group ``lms.plugins``. The core instantiates
the plugins listed in ``LMS_PLUGINS``, in that order, and calls ``init_app(app)`` on each. In
``init_app`` a plugin registers what it brings through the functions of this module (navigation
items by area, sections of the home page, monitoring indicators and heat maps, a hub's public
sessions, demo data, migrations, translations, settings, sections of a person's data export) and
through Flask itself (blueprints, templates, static files, CLI commands, signal receivers with
``sender=app``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from flask_babel import LazyString

    from lms.accounts.models import User
    from lms.orgs.models import Organisation

ENTRY_POINT_GROUP = "lms.plugins"


class PluginError(RuntimeError):
    """A plugin cannot be loaded: not installed, or a plugin it requires is not enabled before it."""


@runtime_checkable
class Plugin(Protocol):
    name: str
    version: str
    requires: tuple[str, ...]

    def init_app(self, app: Flask) -> None: ...


# The areas of the main navigation, in the order the header shows them. A person sees an area when
# at least one of its items is visible to her; an item goes where its page is used: a manager's
# view of the organisations is monitoring, an admin's is administration (register it twice, with
# visibilities that exclude each other).
LEARNING = "learning"
TEACHING = "teaching"  # cohorts, sessions, grading, what trainers prepare
MONITORING = "monitoring"  # counts, lineage, reports: looking at what the cascade did
ADMINISTRATION = "administration"  # organisations, people, roles, licences, the audit log
AREAS: dict[str, LazyString] = {
    LEARNING: _l("Learning"),
    TEACHING: _l("Teaching"),
    MONITORING: _l("Monitoring"),
    ADMINISTRATION: _l("Administration"),
}


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, in one of :data:`AREAS`, shown when ``visible(user)`` is true.

    ``staff`` says that ``visible`` can only be true for someone whose roles allow some action (a
    trainer, a manager, an admin): for everyone else, most people, it is not asked at all."""

    endpoint: str
    label: LazyString | str
    visible: Callable[[User], bool]
    order: int = 100
    area: str = LEARNING
    staff: bool = False


class NavLink(NamedTuple):
    """A :class:`NavItem` as the header shows it on this page."""

    endpoint: str
    area: str
    href: str
    label: str
    current: bool  # the page being shown


@dataclass(frozen=True)
class HomeEntry:
    """One line of a home-page section: what needs the person, as a link, with one line of detail
    (a time, a count, a course), already formatted for her locale."""

    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class HomeSection:
    """A list on the home page of what needs a person now (``entries(user)``), shown when
    ``visible(user)`` is true and there is at least one entry.

    ``visible`` should be cheap (a role check); ``entries`` does the queries and returns a few
    entries (say at most ten). ``more`` names an endpoint with the whole list, linked as
    ``more_label``.
    """

    name: str
    title: LazyString | str
    entries: Callable[[User], Sequence[HomeEntry]]
    visible: Callable[[User], bool]
    order: int = 100
    more: str | None = None
    more_label: LazyString | str | None = None


@dataclass(frozen=True)
class Indicator:
    """A named figure for the monitoring dashboard, the home page and the API.

    ``count`` takes a :class:`lms.permissions.Scope` (a figure that has no period, such as the hubs
    there are) or, when ``by_period`` is true, a :class:`lms.monitoring.aggregates.Filters` (scope,
    period, source, region, course, target group). It returns a number, or None when it does not
    apply (for example a rate with nothing to divide). ``unit`` is ``count`` or ``share`` (0–1).
    """

    name: str
    label: LazyString | str
    count: Callable[[Any], int | float | None]
    by_period: bool = False
    unit: str = "count"
    link: str | None = None  # an endpoint listing the rows behind the number, given the filters

    def value(self, filters: Any) -> int | float | None:
        return self.count(filters if self.by_period else filters.scope)

    def for_scope(self, scope: Any) -> int | float | None:
        """The figure for ``scope`` as it stands today (a period figure: over all time so far)."""
        if not self.by_period:
            return self.count(scope)
        from lms.monitoring.aggregates import Filters
        from lms.monitoring.periods import Period

        return self.count(Filters(scope, Period.custom(date(2000, 1, 1), date.today())))


@dataclass(frozen=True)
class HeatCell:
    """One cell of a heat map: ``count`` of ``total`` (the share is their quotient; None when total is 0)."""

    count: int
    total: int

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass(frozen=True)
class HeatMapData:
    """Rows × columns of shares: ``rows`` and ``columns`` are ``(key, label)`` pairs, ``cells`` maps
    ``(row key, column key)`` to a :class:`HeatCell` (a missing key: nothing to count there)."""

    rows: Sequence[tuple[Any, str]]
    columns: Sequence[tuple[Any, str]]
    cells: dict[tuple[Any, Any], HeatCell]


@dataclass(frozen=True)
class HeatMap:
    """A grid of shares on the monitoring dashboard (the competence-gap map: competence × region).
    ``build(filters)`` takes :class:`lms.monitoring.aggregates.Filters` and returns
    :class:`HeatMapData`; ``description`` says what a cell's share is a share of."""

    name: str
    title: LazyString | str
    description: LazyString | str
    rows_label: LazyString | str  # the heading of the rows in the table beside the map ("Competence")
    build: Callable[[Any], HeatMapData]


# ``rule(person, course) -> True | False | None``: does ``person`` hold a licence to train ``course``?
# True: she does; False: she does not, whatever her completions say; None: the rule has no opinion.
LicenceRule = Callable[["User", Any], "bool | None"]

# ``export(person) -> JSON-ready data``: what a plugin keeps about a person, for her data export.
PersonalData = Callable[["User"], Any]


@dataclass(frozen=True)
class PublicSession:
    """A session anyone may come to at a hub, as a plugin tells the core (for the hub's public page and
    its calendar feed). Times are UTC without tzinfo, as stored. Never anything about a person."""

    uid: str  # stable across changes (a calendar's UID)
    title: str  # what it is about: the topic, or the course's title
    course: str  # the title of the course it belongs to
    starts_at: datetime
    ends_at: datetime
    place: str = ""  # a room or address at the hub
    sequence: int = 0  # raised on every change (a calendar's SEQUENCE)
    updated_at: datetime | None = None


# provider(hub, since) -> the hub's public sessions that end after ``since`` (UTC), soonest first
PublicSessionProvider = Callable[["Organisation", datetime], list[PublicSession]]


@dataclass
class Registry:
    """What the core and the plugins registered on one app (``app.extensions['lms']``)."""

    plugins: dict[str, Plugin] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    home_sections: list[HomeSection] = field(default_factory=list)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    heat_maps: dict[str, HeatMap] = field(default_factory=dict)
    demo_loaders: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    migration_dirs: list[str] = field(default_factory=list)
    licence_rules: list[LicenceRule] = field(default_factory=list)
    personal_data: dict[str, PersonalData] = field(default_factory=dict)
    public_sessions: list[PublicSessionProvider] = field(default_factory=list)
    api_paths: dict[str, dict[str, Any]] = field(default_factory=dict)


def registry(app: Flask | None = None) -> Registry:
    app = app or current_app
    return app.extensions["lms"]


def add_nav_item(
    app: Flask,
    endpoint: str,
    label: LazyString | str,
    visible: Callable[[User], bool],
    order: int = 100,
    *,
    area: str,
    staff: bool = False,
) -> None:
    """Add a link to the main navigation, in ``area`` (one of :data:`AREAS`), for the people for whom
    ``visible(user)`` is true; within an area links follow ``order``. With ``staff``, ``visible`` is
    asked only for people whose roles allow some action (see :class:`NavItem`): say so when it is
    made of ``can()`` and roles, and a learner never sees the link."""
    if area not in AREAS:
        raise PluginError(f"nav item {endpoint!r}: unknown area {area!r} (areas: {', '.join(AREAS)})")
    nav = registry(app).nav
    nav.append(NavItem(endpoint, label, visible, order, area, staff))
    nav.sort(key=lambda item: item.order)


def add_home_section(
    app: Flask,
    name: str,
    title: LazyString | str,
    entries: Callable[[User], Sequence[HomeEntry]],
    visible: Callable[[User], bool],
    order: int = 100,
    *,
    more: str | None = None,
    more_label: LazyString | str | None = None,
) -> None:
    """Add a section to the home page of logged-in people: see :class:`HomeSection`. Sections follow
    ``order``; ``name`` (e.g. ``courses.todays-sessions``) is unique."""
    sections = registry(app).home_sections
    if any(section.name == name for section in sections):
        raise PluginError(f"home section {name!r} is registered twice")
    sections.append(HomeSection(name, title, entries, visible, order, more, more_label))
    sections.sort(key=lambda section: section.order)


def add_indicator(
    app: Flask,
    name: str,
    label: LazyString | str,
    count: Callable[[Any], int | float | None],
    *,
    by_period: bool = False,
    unit: str = "count",
    link: str | None = None,
) -> None:
    """Register a figure: ``count(scope)``, or ``count(filters)`` with ``by_period=True`` (see
    :class:`Indicator`). Counts of certificates should read the fact table through
    :mod:`lms.monitoring.aggregates` so that every figure follows the same counting rule."""
    indicators = registry(app).indicators
    if name in indicators:
        raise PluginError(f"indicator {name!r} is registered twice")
    if unit not in ("count", "share"):
        raise PluginError(f"indicator {name!r}: unit must be count or share")
    indicators[name] = Indicator(name, label, count, by_period, unit, link)


def add_heat_map(
    app: Flask,
    name: str,
    title: LazyString | str,
    description: LazyString | str,
    build: Callable[[Any], HeatMapData],
    *,
    rows_label: LazyString | str,
) -> None:
    """Add a heat map to the monitoring dashboard: see :class:`HeatMap`."""
    heat_maps = registry(app).heat_maps
    if name in heat_maps:
        raise PluginError(f"heat map {name!r} is registered twice")
    heat_maps[name] = HeatMap(name, title, description, rows_label, build)


def add_public_sessions(app: Flask, provider: PublicSessionProvider) -> None:
    """Offer a hub's public sessions: ``provider(hub, since)`` returns :class:`PublicSession` objects."""
    registry(app).public_sessions.append(provider)


def public_sessions(hub: Organisation, since: datetime) -> list[PublicSession]:
    """Every plugin's public sessions at ``hub`` ending after ``since``, soonest first."""
    found = [session for provider in registry().public_sessions for session in provider(hub, since)]
    return sorted(found, key=lambda session: (session.starts_at, session.uid))


def add_demo_loader(app: Flask, name: str, load: Callable[[], None]) -> None:
    """``load()`` runs inside ``lms demo load``, after the core's demo data; it must be idempotent."""
    registry(app).demo_loaders.append((name, load))


def add_migrations(app: Flask, package_dir: str | os.PathLike[str]) -> None:
    """Add ``<package_dir>/migrations/versions`` to Alembic's version locations."""
    registry(app).migration_dirs.append(str(Path(package_dir) / "migrations" / "versions"))


def add_translations(app: Flask, package_dir: str | os.PathLike[str]) -> None:
    """Merge ``<package_dir>/translations`` into the app's message catalogs."""
    app.extensions["babel"].translation_directories.append(str(Path(package_dir) / "translations"))


def add_licence_rule(app: Flask, rule: LicenceRule) -> None:
    """Let a plugin refine who holds a trainer licence for a course (e.g. from a valid certificate).

    ``rule(person, course)`` returns True (she holds it), False (she does not, whatever her completions
    say) or None (no opinion). The courses plugin asks every rule, in the order they were added, behind
    its one licence check; a course plugin need not know which plugin registered a rule."""
    registry(app).licence_rules.append(rule)


def add_api_paths(app: Flask, paths: dict[str, dict[str, Any]]) -> None:
    """Describe a plugin's ``/api/v1`` routes in the OpenAPI document (``/api/v1/openapi.json``):
    ``paths`` is an OpenAPI 3.1 Paths object, e.g. ``{"/api/v1/certificates/{number}": {"get": …}}``."""
    known = registry(app).api_paths
    for path, item in paths.items():
        if path in known:
            raise PluginError(f"API path {path!r} is described twice")
        known[path] = item


def add_personal_data(app: Flask, name: str, export: PersonalData) -> None:
    """Add a section ``name`` to every person's data export ("Download my data"): ``export(person)``
    returns what the plugin keeps about her, ready for JSON (timestamps as ISO strings)."""
    sections = registry(app).personal_data
    if name in sections:
        raise PluginError(f"personal data section {name!r} is registered twice")
    sections[name] = export


def add_settings(
    app: Flask,
    defaults: dict[str, Any],
    environment: dict[str, tuple[str, Callable[[str], Any]]] | None = None,
) -> None:
    """Set a plugin's config defaults, then apply its own environment table (as in config.py)."""
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    for name, (setting, convert) in (environment or {}).items():
        if os.environ.get(name, "") != "":
            app.config[setting] = convert(os.environ[name])


def load_plugins(app: Flask) -> dict[str, Plugin]:
    """Instantiate and initialise the plugins named in ``LMS_PLUGINS``, in order."""
    installed = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    loaded = registry(app).plugins
    for name in app.config["LMS_PLUGINS"]:
        if name not in installed:
            raise PluginError(
                f"Plugin {name!r} is listed in LMS_PLUGINS but not installed "
                f"(installed: {', '.join(sorted(installed)) or 'none'})."
            )
        plugin = installed[name].load()()
        if not isinstance(plugin, Plugin):
            raise PluginError(f"Plugin {name!r} does not have name, version, requires and init_app().")
        missing = [required for required in plugin.requires if required not in loaded]
        if missing:
            raise PluginError(
                f"Plugin {name!r} requires {', '.join(missing)}: enable it before {name!r} in LMS_PLUGINS."
            )
        plugin.init_app(app)
        loaded[name] = plugin
    return loaded
