"""The counts, in SQL over the fact table's indexed columns (the same numbers on SQLite and PostgreSQL).

Counting rule: a certificate counts once under each target group it snapshots, and every table also
gives the de-duplicated total (each certificate once). A certificate counts when it was issued in the
period and had not been revoked by the day the count is made (``as_of``, today unless given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select

from lms.accounts.models import TargetGroup, User
from lms.extensions import db
from lms.monitoring.models import CertificateFact, Source, fact_target_group, tally
from lms.monitoring.periods import Period
from lms.orgs.models import Kind, Organisation, Status
from lms.permissions import Scope

COUNTING_RULE = _l(
    "Counting rule: a certificate counts once under each target group it snapshots at issue; the "
    "total counts each certificate once. A revoked certificate stops counting from its revocation date."
)
FACT = CertificateFact.__table__.c
FACT_GROUP = fact_target_group.c
TALLY = tally.c
# A second name for the group table, to ask whether a certificate has the chosen target group.
CHOSEN_GROUP = fact_target_group.alias("chosen_group").c
ORG = Organisation.__table__.c
DIMENSIONS = ("region", "institution", "hub", "target_group", "course", "trainer", "cascade_level", "quarter")
DIMENSION_LABELS = {
    "region": _l("Region"),
    "institution": _l("Institution"),
    "hub": _l("Hub"),
    "target_group": _l("Target group"),
    "course": _l("Course"),
    "trainer": _l("Trainer"),
    "cascade_level": _l("Cascade level"),
    "quarter": _l("Quarter"),
}
SOURCES = ("all", Source.KASKAD.value, Source.EXTERNAL.value)


@dataclass(frozen=True)
class Filters:
    """What a count covers: the viewer's scope, a period, and optional narrowing."""

    scope: Scope
    period: Period
    source: str = "all"
    region_id: int | None = None
    course: str | None = None
    target_group: str | None = None
    as_of: date | None = None

    def on(self) -> date:
        return self.as_of or date.today()

    def with_period(self, period: Period) -> Filters:
        return replace(self, period=period)

    def args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for links to the rows behind a number)."""
        values = {
            "period": self.period.code,
            "source": self.source if self.source != "all" else None,
            "region": self.region_id,
            "course": self.course,
            "target_group": self.target_group,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def counted(filters: Filters, period: bool = True, table: Any = FACT) -> ColumnElement[bool]:
    """The WHERE clause of every count, over the facts or (``table=FACT_GROUP``) over their
    target-group rows, which carry the same columns."""
    as_of = filters.on()
    clauses: list[ColumnElement[bool]] = [
        filters.scope.filter(table.scope_path),
        table.issued_on <= as_of,
        or_(table.revoked_on.is_(None), table.revoked_on > as_of),
    ]
    if period:
        clauses.append(period_clause(filters.period, table))
    if filters.source in (Source.KASKAD, Source.EXTERNAL):
        clauses.append(table.source == filters.source)
    if filters.region_id is not None:
        clauses.append(table.region_id == filters.region_id)
    if filters.course:
        clauses.append(table.course_code == filters.course)
    if filters.target_group:
        fact_id = table.fact_id if table is FACT_GROUP else table.id
        clauses.append(
            exists().where(CHOSEN_GROUP.fact_id == fact_id, CHOSEN_GROUP.target_group == filters.target_group)
        )
    return and_(*clauses)


def period_clause(period: Period, table: Any = FACT) -> ColumnElement[bool]:
    """A quarter, half-year or year by its quarters (so the quarter index serves them all); a custom
    period by its dates."""
    if period.kind == "quarter":
        return table.quarter == period.key
    if period.kind in ("half", "year"):
        return table.quarter.in_([quarter.key for quarter in period.quarters()])
    return and_(table.issued_on >= period.start, table.issued_on <= period.end)


def per_request(function: Any) -> Any:
    """Keep a count for the rest of the request: the dashboard asks for some twice (a headline figure
    and its table). Its arguments (frozen filters) are the key."""

    def wrapped(*args: Any) -> Any:
        if not has_app_context():
            return function(*args)
        kept = g.setdefault("_lms_monitoring_counts", {})
        key = (function.__name__, *args)
        if key not in kept:
            kept[key] = function(*args)
        return kept[key]

    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped


def count_certificates(filters: Filters) -> int:
    counts = count_by_source(replace(filters, source="all"))
    if filters.source in SOURCES[1:]:
        return counts.get(filters.source, 0)
    return sum(counts.values())


@per_request
def count_by_source(filters: Filters) -> dict[str, int]:
    """Certificates per source, in one pass (no grouping to sort): the headline's three certificate
    figures read it."""
    if filters.period.kind != "custom":
        keys = [quarter.key for quarter in filters.period.quarters()]
        tallied = standing(filters, "source", keys)
        if tallied is not None:
            return {source: tallied.get(source, 0) for source in SOURCES[1:]}
    query = select(func.count(), func.count(case((FACT.source == Source.EXTERNAL, 1)))).where(
        counted(filters)
    )
    every, external = db.session.execute(query).one()
    return {Source.KASKAD.value: every - external, Source.EXTERNAL.value: external}


def standing(filters: Filters, by: str, quarters: Sequence[int | None]) -> dict[Any, int] | None:
    """Today's certificates of ``quarters`` per ``by`` (``source`` or ``quarter``) from the tally,
    or None when the tally cannot answer (a count as of another day, by course or target group, or
    in a scope finer than whole regions).

    The tally counts the certificates not revoked; today's count differs by those issued after
    today (counted there, not yet here) and those whose revocation is dated after today (the other
    way round): both read from the facts' issue and revocation indexes, and are rarely any."""
    if filters.as_of is not None or filters.course or filters.target_group:
        return None
    regions = scope_regions(filters.scope)
    if regions is None:
        return None

    def where(table: Any) -> list[ColumnElement[bool]]:
        clauses = []
        if regions != "all":
            clauses.append(table.region_id.in_(regions))
        if filters.region_id is not None:
            clauses.append(table.region_id == filters.region_id)
        if filters.source in SOURCES[1:]:
            clauses.append(table.source == filters.source)
        return clauses

    today = date.today()
    tallied = (
        select(TALLY[by], func.sum(TALLY.certificates))
        .where(TALLY.quarter.in_(quarters), *where(TALLY))
        .group_by(TALLY[by])
    )
    counts: dict[Any, int] = {key: int(count) for key, count in db.session.execute(tallied)}
    # The corrections are read row by row, without grouping or the quarters in their WHERE: so
    # SQLite finds their few rows through the issue and revocation indexes (grouped, it would read
    # every fact in quarter order).
    not_yet = and_(FACT.issued_on > today, FACT.revoked_on.is_(None))
    still = and_(FACT.revoked_on > today, FACT.issued_on <= today)
    for condition, sign in ((not_yet, -1), (still, 1)):
        for quarter, key in db.session.execute(select(FACT.quarter, FACT[by]).where(condition, *where(FACT))):
            if quarter in quarters:
                counts[key] = counts.get(key, 0) + sign
    return counts


@per_request
def scope_regions(scope: Scope) -> list[int] | str | None:
    """The regions a scope is made of: ``"all"`` for everything, their ids when each of its paths
    is a region's, else None."""
    if scope.is_everything:
        return "all"
    if not scope.paths:
        return []
    rows = db.session.execute(
        select(ORG.id, ORG.path).where(ORG.kind == Kind.REGION, ORG.path.in_(scope.paths))
    ).all()
    return [region_id for region_id, _path in rows] if len(rows) == len(set(scope.paths)) else None


@per_request
def count_people(filters: Filters) -> int:
    """People with at least one counted certificate (a person is counted once)."""
    query = select(func.count(func.distinct(FACT.person_key))).where(counted(filters))
    return db.session.execute(query).scalar_one()


DIMENSION_COLUMNS = {
    "region": "region_id",
    "institution": "institution_id",
    "hub": "hub_id",
    "course": "course_code",
    "trainer": "trainer_id",
    "cascade_level": "cascade_level",
    "quarter": "quarter",
    "source": "source",
}


def _dimension_column(dimension: str, table: Any = FACT) -> Any:
    return table[DIMENSION_COLUMNS[dimension]]


@dataclass
class Row:
    key: Any
    label: str
    certificates: int
    people: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def breakdown(filters: Filters, dimension: str, limit: int | None = None) -> list[Row]:
    """Certificates (and people) per value of ``dimension``, largest first (quarters in order).
    Rows with no value (an external certificate has no hub) are left out; the total is apart."""
    if dimension == "target_group":
        query = (
            select(FACT_GROUP.target_group, func.count(), func.count(func.distinct(FACT_GROUP.person_key)))
            .where(counted(filters, table=FACT_GROUP))
            .group_by(FACT_GROUP.target_group)
        )
    else:
        column = _dimension_column(dimension)
        query = (
            select(column, func.count(), func.count(func.distinct(FACT.person_key)))
            .where(counted(filters), column.is_not(None))
            .group_by(column)
        )
        if dimension == "course":
            query = query.where(column != "")
    if dimension == "quarter":
        query = query.order_by(_dimension_column("quarter"))
    else:
        query = query.order_by(func.count().desc(), query.selected_columns[0])
    if limit:
        query = query.limit(limit)
    rows = [Row(key, "", certificates, people) for key, certificates, people in db.session.execute(query)]
    labels = dimension_labels(dimension, [row.key for row in rows])
    for row in rows:
        row.label = labels.get(row.key, str(row.key))
    return rows


def dimension_labels(dimension: str, keys: Sequence[Any]) -> dict[Any, str]:
    """Names for the keys of a dimension, in the current language."""
    if not keys:
        return {}
    if dimension in ("region", "institution", "hub"):
        return {
            org.id: str(org.name)
            for org in db.session.scalars(select(Organisation).where(Organisation.id.in_(keys)))
        }
    if dimension == "target_group":
        return target_group_names()
    if dimension == "trainer":
        return {user.id: user.full_name for user in db.session.scalars(select(User).where(User.id.in_(keys)))}
    if dimension == "course":
        rows = db.session.execute(
            select(FACT.course_code, func.max(FACT.course_title))
            .where(FACT.course_code.in_(keys))
            .group_by(FACT.course_code)
        )
        return {code: f"{title} ({code})" if title else code for code, title in rows}
    if dimension == "cascade_level":
        return {key: _("Level %(number)s", number=key) for key in keys}
    if dimension == "quarter":
        return {key: Period.quarter(key // 10, key % 10).label() for key in keys}
    return {}


def target_group_names() -> dict[str, str]:
    return {group.code: str(group.name) for group in db.session.scalars(select(TargetGroup))}


def within(filters: Filters, path: Any) -> ColumnElement[bool]:
    """Rows whose organisation ``path`` lies in the viewer's scope and, when one is chosen, the
    region: for figures counted where people or cohorts are rather than from the fact table."""
    return in_scope(filters.scope, filters.region_id, path)


def in_scope(scope: Scope, region_id: int | None, path: Any) -> ColumnElement[bool]:
    clauses = [scope.filter(path)]
    if region_id is not None:
        region_path = select(Organisation.path).where(Organisation.id == region_id).scalar_subquery()
        clauses.append(path.startswith(region_path))
    return and_(*clauses)


def region_rows(filters: Filters) -> list[Organisation]:
    """The regions in the viewer's scope (or the one chosen), in code order."""
    return regions_in(filters.scope, filters.region_id)


@per_request
def regions_in(scope: Scope, region_id: int | None) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == Kind.REGION).order_by(Organisation.code)
    if region_id is not None:
        query = query.where(Organisation.id == region_id)
    regions = list(db.session.scalars(query))
    # A region counts as in scope when it lies in the scope or holds a part of it.
    return [
        region
        for region in regions
        if scope.contains(region) or any(path.startswith(region.path) for path in scope.paths)
    ]


def matrix(filters: Filters, rows_by: str = "region") -> dict[tuple[Any, str], int]:
    """Certificates per (region or institution, target group), with ``"*"`` for the de-duplicated
    total of each row: the quarterly report's table."""

    def rows_of(table: Any) -> tuple[Any, ColumnElement[bool]]:
        column = table.region_id if rows_by == "region" else table.institution_id
        # By institution, the certificates of people at no institution (a hub's librarians) make a
        # row of their own (key None), so that the rows add up to the region's total.
        return column, and_(counted(filters, table=table), table.region_id.is_not(None))

    column, where = rows_of(FACT_GROUP)
    by_group = (
        select(column, FACT_GROUP.target_group, func.count())
        .where(where)
        .group_by(column, FACT_GROUP.target_group)
    )
    column, where = rows_of(FACT)
    totals = select(column, func.count()).where(where).group_by(column)
    cells: dict[tuple[Any, str], int] = {
        (key, group): count for key, group, count in db.session.execute(by_group)
    }
    cells.update({(key, "*"): count for key, count in db.session.execute(totals)})
    return cells


def trend(filters: Filters, quarters: Sequence[Period]) -> list[tuple[Period, int]]:
    """Certificates per quarter (one query over the stored quarter key)."""
    keys = [quarter.key for quarter in quarters]
    tallied = standing(filters, "quarter", keys)
    if tallied is not None:
        return [(quarter, tallied.get(quarter.key, 0)) for quarter in quarters]
    query = (
        select(FACT.quarter, func.count())
        .where(counted(filters, period=False), FACT.quarter.in_(keys))
        .group_by(FACT.quarter)
    )
    counts: dict[int | None, int] = {key: count for key, count in db.session.execute(query)}
    return [(quarter, counts.get(quarter.key, 0)) for quarter in quarters]


@per_request
def coverage(filters: Filters) -> list[Row]:
    """Per region: open hubs, and those with a coordinator holding a counted certificate issued by
    the end of the period (``extra``: hubs, covered, share).

    Two indexed queries: the certified hubs (the coordinators index) and the open hubs in scope
    (the organisations' kind and status index, once per request), each hub placed in its region by
    its path; joining hubs to regions on a path prefix in SQL compares every pair (27 × 6,200)."""
    as_of = min(filters.on(), filters.period.end)
    certified = set(
        db.session.scalars(
            select(FACT.hub_id)
            .where(
                FACT.hub_id.is_not(None),
                FACT.job_code == "hub_coordinator",
                FACT.issued_on <= as_of,
                or_(FACT.revoked_on.is_(None), FACT.revoked_on > filters.on()),
                *([FACT.source == filters.source] if filters.source in SOURCES[1:] else []),
            )
            .distinct()
        )
    )
    regions = {region.id: region for region in region_rows(filters)}
    result = []
    for region_id, hubs in open_hubs(filters.scope, filters.region_id).items():
        covered = len(hubs & certified)
        extra = {"hubs": len(hubs), "covered": covered, "share": covered / len(hubs)}
        result.append(Row(region_id, str(regions[region_id].name), covered, extra=extra))
    result.sort(key=lambda row: row.label)
    return result


@per_request
def open_hubs(scope: Scope, region_id: int | None) -> dict[int, frozenset[int]]:
    """The ids of the open hubs in the scope and the chosen region, per region: the same for every
    period, so a request asks once. A hub's region is the region whose path begins its own."""
    regions = {region.path: region.id for region in regions_in(scope, region_id)}
    query = select(ORG.id, ORG.path).where(
        ORG.kind == Kind.HUB, ORG.status == Status.OPEN, in_scope(scope, region_id, ORG.path)
    )
    hubs: dict[int, set[int]] = {}
    for hub_id, path in db.session.execute(query):
        cut = path.find("/", 1)
        while cut != -1 and path[: cut + 1] not in regions:  # the path's prefixes, shortest first
            cut = path.find("/", cut + 1)
        if cut != -1:
            hubs.setdefault(regions[path[: cut + 1]], set()).add(hub_id)
    return {region: frozenset(ids) for region, ids in hubs.items()}


def fact_rows(filters: Filters, dimension: str | None = None, key: Any = None) -> Select[Any]:
    """The certificates behind a number: the facts counted, optionally those of one dimension value."""
    query = select(CertificateFact).where(counted(filters)).order_by(FACT.issued_on.desc(), FACT.id.desc())
    if dimension == "target_group":
        query = query.where(
            exists().where(FACT_GROUP.fact_id == FACT.id, FACT_GROUP.target_group == str(key))
        )
    elif dimension in DIMENSIONS:
        column = _dimension_column(dimension)
        query = query.where(column.is_(None) if key in (None, "") else column == _coerce(dimension, key))
    return query


def _coerce(dimension: str, key: Any) -> Any:
    if dimension == "course":
        return str(key)
    try:
        return int(key)
    except (TypeError, ValueError):
        return -1


def courses_by_region(filters: Filters) -> list[dict[str, Any]]:
    """Per (region, course): cohorts with counted certificates, and the certificates."""
    query = (
        select(
            FACT.region_id,
            FACT.course_code,
            func.max(FACT.course_title),
            func.count(func.distinct(FACT.cohort_id)),
            func.count(),
        )
        .where(counted(filters), FACT.region_id.is_not(None))
        .group_by(FACT.region_id, FACT.course_code)
    )
    result = db.session.execute(query).all()
    regions = {
        org.id: org
        for org in db.session.scalars(select(Organisation).where(Organisation.id.in_({r[0] for r in result})))
    }
    rows = [
        {
            "code": f"{regions[region_id].code} · {code or '—'}",
            "name": f"{regions[region_id].name} · {title or code}",
            "region": regions[region_id].code,
            "course": code,
            "cells": {"cohorts": cohorts, "certificates": certificates},
        }
        for region_id, code, title, cohorts, certificates in result
    ]
    rows.sort(key=lambda row: (row["region"], row["course"]))
    return rows


GROUPS = (*DIMENSIONS, "source")


def grouped(filters: Filters, dimensions: Sequence[str]) -> list[dict[str, Any]]:
    """Certificates per combination of ``dimensions`` (codes, not ids). When target groups are among
    them, rows with ``target_group`` ``"*"`` give the de-duplicated totals of the other dimensions."""

    def run(names: Sequence[str]) -> list[tuple[Any, ...]]:
        # By target group over the group table alone when it carries every dimension asked for,
        # else over the facts joined to it.
        table: Any = FACT
        source: Any = CertificateFact.__table__
        if "target_group" in names:
            if all(name == "target_group" or DIMENSION_COLUMNS[name] in FACT_GROUP for name in names):
                table, source = FACT_GROUP, fact_target_group
            else:
                source = source.join(fact_target_group, FACT_GROUP.fact_id == FACT.id)
        columns = [
            FACT_GROUP.target_group if name == "target_group" else _dimension_column(name, table)
            for name in names
        ]
        query = select(*columns, func.count()).select_from(source).where(counted(filters, table=table))
        if columns:
            query = query.group_by(*columns).order_by(*columns)
        return [tuple(row) for row in db.session.execute(query)]

    rows: list[dict[str, Any]] = [
        dict(zip([*dimensions, "certificates"], values, strict=True)) for values in run(dimensions)
    ]
    if "target_group" in dimensions:
        others = [name for name in dimensions if name != "target_group"]
        for values in run(others):
            total = dict(zip([*others, "certificates"], values, strict=True))
            total["target_group"] = "*"
            rows.append(total)
    org_ids = {
        row[name] for row in rows for name in ("region", "institution", "hub") if row.get(name) is not None
    }
    codes: dict[int, str] = {}
    if org_ids:
        codes = {
            key: code for key, code in db.session.execute(select(ORG.id, ORG.code).where(ORG.id.in_(org_ids)))
        }
    for row in rows:
        for name in ("region", "institution", "hub"):
            if name in row:
                row[name] = codes.get(row[name]) if row[name] is not None else None
        if row.get("quarter") is not None:
            row["quarter"] = f"{row['quarter'] // 10}-Q{row['quarter'] % 10}"
    return rows
