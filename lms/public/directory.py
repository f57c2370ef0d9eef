"""The hub directory: its filter, the page of hubs it finds, and the same hubs as CSV and GeoJSON.

The list, the map's markers and the open-data files all come from one :class:`Filter`, so the map
shows exactly the hubs the list pages through. Exports read plain columns, not ORM objects: at
6,200 hubs that is the difference between a few and a few hundred milliseconds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask import current_app, g, url_for
from sqlalchemy import ColumnElement, String, cast, func, select

from lms.extensions import db
from lms.i18n import Translated, current_locale, search_text
from lms.orgs.models import (
    HOST_TYPE_LABELS,
    SERVICE_LABELS,
    STATUS_LABELS,
    HostType,
    Kind,
    Organisation,
    Status,
)
from lms.orgs.services import by_shown_name

CSV_COLUMNS = (
    "code",
    "name",
    "name_en",
    "region_code",
    "region",
    "hromada",
    "settlement",
    "address",
    "host_type",
    "status",
    "services",
    "opening_hours",
    "phone",
    "email",
    "website",
    "latitude",
    "longitude",
    "url",
)
# A cell starting with one of these is a formula to a spreadsheet: it is written after an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filter:
    """What a visitor asked the directory for; unknown values are ignored, never an error."""

    q: str = ""
    region: str = ""  # a region's code
    service: str = ""
    host_type: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filter:
        def choice(name: str, allowed: Iterable[str]) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            q=" ".join((args.get("q") or "").split())[:200],
            region=choice("region", {region.code for region in regions()}),
            service=choice("service", SERVICE_LABELS),
            host_type=choice("host_type", {h.value for h in HostType}),
            status=choice("status", {s.value for s in Status}),
        )

    def as_args(self) -> dict[str, str]:
        """The filter as query arguments (the empty ones left out)."""
        return {name: value for name, value in asdict(self).items() if value}

    @property
    def is_empty(self) -> bool:
        return not self.as_args()

    def select(self, entries: list[Entry]) -> list[Entry]:
        """The same test as :meth:`clauses`, on the kept index: one tight pass per condition."""
        for word in search_text(self.q).split():
            entries = [entry for entry in entries if word in entry.text]
        if self.region:
            path = next(region.path for region in regions() if region.code == self.region)
            entries = [entry for entry in entries if entry.path.startswith(path)]
        if self.service:
            entries = [entry for entry in entries if self.service in entry.services]
        if self.host_type:
            entries = [entry for entry in entries if entry.host_type == self.host_type]
        if self.status:
            entries = [entry for entry in entries if entry.status == self.status]
        return entries

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [Organisation.kind == Kind.HUB.value]
        for word in search_text(self.q).split():
            clauses.append(Organisation.search_text.contains(word, autoescape=True))
        if self.region:
            region = next(region for region in regions() if region.code == self.region)
            clauses.append(Organisation.path.startswith(region.path, autoescape=True))
        if self.service:
            # The services are a JSON list of codes; each code is quoted in its text on both databases.
            clauses.append(cast(Organisation.services, String).contains(f'"{self.service}"', autoescape=True))
        if self.host_type:
            clauses.append(Organisation.host_type == self.host_type)
        if self.status:
            clauses.append(Organisation.status == self.status)
        return clauses


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    name: Translated
    path: str


def regions() -> list[Region]:
    """The regions (oblasts), in the order of their names in the current language; once per request."""
    if "_lms_public_regions" not in g:
        rows = db.session.execute(
            select(Organisation.id, Organisation.code, Organisation.name, Organisation.path).where(
                Organisation.kind == Kind.REGION.value
            )
        )
        found = [Region(row.id, row.code, row.name, row.path) for row in rows]
        g._lms_public_regions = sorted(found, key=lambda region: str(region.name).casefold())
    return g._lms_public_regions


def region_of(path: str) -> Region | None:
    """The region a hub lies in, from its path."""
    if "_lms_public_regions_by_id" not in g:
        g._lms_public_regions_by_id = {region.id: region for region in regions()}
    by_id = g._lms_public_regions_by_id
    for part in path.strip("/").split("/"):
        region = by_id.get(int(part)) if part else None
        if region is not None:
            return region
    return None


@dataclass
class Page:
    """One page of hubs, with what the pager needs (the names of Flask-SQLAlchemy's pagination)."""

    items: list[Organisation]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass(frozen=True)
class Entry:
    """A hub as the directory searches it."""

    id: int
    text: str
    path: str
    services: frozenset[str]
    status: str
    host_type: str


def _index(locale: str | None = None) -> list[Entry]:
    """Every hub in the order of the names a page in ``locale`` shows (the organisations'
    :func:`~lms.orgs.services.by_shown_name`), kept per worker until any organisation changes. At 6,200
    hubs a substring search of the database reads every row (``LIKE '%…%'`` uses no index on SQLite or on
    PostgreSQL without pg_trgm); a few hundred kilobytes kept in the worker answer it in a millisecond.
    The hubs are kept once, in Ukrainian order; another language keeps only its order of them."""
    kept: dict[str, Any] = current_app.extensions.setdefault("lms.public.index", {})
    version = data_version()
    if kept.get("version") != version:
        columns = Organisation.__table__.c
        rows = db.session.execute(
            select(
                columns.id,
                columns.search_text,
                columns.path,
                columns.services,
                columns.status,
                columns.host_type,
            )
            .where(columns.kind == Kind.HUB.value)
            .order_by(columns.name_sort, columns.id)
        )
        kept["entries"] = [
            Entry(
                row.id,
                row.search_text,
                row.path,
                frozenset(row.services or ()),
                row.status,
                row.host_type or "",
            )
            for row in rows
        ]
        kept["orders"] = {}
        kept["version"] = version
    entries: list[Entry] = kept["entries"]
    orders: dict[str, list[Entry]] = kept["orders"]
    locale = locale or current_locale()
    if locale not in orders:
        order = by_shown_name(locale)
        if order[0] is Organisation.name_sort:  # Ukrainian: the order the hubs are kept in
            orders[locale] = entries
        else:
            by_id = {entry.id: entry for entry in entries}
            ids = db.session.scalars(
                select(Organisation.id).where(Organisation.kind == Kind.HUB.value).order_by(*order)
            )
            orders[locale] = [by_id[id_] for id_ in ids if id_ in by_id]
    return orders[locale]


def page_of_hubs(where: Filter, page: int) -> Page:
    """One page of the hubs the filter finds, in the alphabetical order of the names shown; only the
    page's hubs are loaded."""
    per_page = current_app.config["LMS_PAGE_SIZE"]
    ids = [entry.id for entry in where.select(_index())]
    page = min(page, max(1, -(-len(ids) // per_page)))
    chosen = ids[(page - 1) * per_page : page * per_page]
    loaded = {
        org.id: org for org in db.session.scalars(select(Organisation).where(Organisation.id.in_(chosen)))
    }
    return Page([loaded[id_] for id_ in chosen], page, per_page, len(ids))


@dataclass(frozen=True)
class Listed:
    """A hub as a line of the directory: plain text, worked out once per page (not per lookup)."""

    code: str
    name: str
    place: str
    about: str


def listed(hubs: list[Organisation]) -> list[Listed]:
    locale = current_locale()
    hosts: dict[str, str] = {code.value: str(label) for code, label in HOST_TYPE_LABELS.items()}
    statuses: dict[str, str] = {code.value: str(label) for code, label in STATUS_LABELS.items()}
    region_names = {region.id: region.name.in_locale(locale) for region in regions()}
    lines = []
    for hub in hubs:
        region = region_of(hub.path)
        place = ", ".join(part for part in (hub.address, hub.settlement) if part)
        about = [
            hosts.get(hub.host_type or "", ""),
            statuses[hub.status] if hub.status != Status.OPEN else "",
        ]
        lines.append(
            Listed(
                hub.code,
                hub.name.in_locale(locale),
                " · ".join(part for part in (place, region_names[region.id] if region else "") if part),
                " · ".join(part for part in (*about, hub.opening_hours) if part),
            )
        )
    return lines


def hub_by_code(code: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(Organisation.code == code, Organisation.kind == Kind.HUB.value)
    )


def data_date(where: Filter | None = None) -> datetime | None:
    """When the hubs' data last changed: the date open data carries."""
    return db.session.scalar(select(func.max(Organisation.updated_at)).where(*(where or Filter()).clauses()))


def data_version() -> tuple[int, datetime | None]:
    """What changes whenever any organisation does (created, edited, moved): the key of what the
    workers keep. Two index lookups (``updated_at`` is indexed), not a scan."""
    count, latest = db.session.execute(select(func.count(), func.max(Organisation.updated_at))).one()
    return int(count), latest


KEPT_EXPORTS = 16  # files kept per worker (all hubs and the last filters asked for)


def kept_export(kind: str, where: Filter, build: Callable[[], bytes]) -> bytes:
    """The export ``kind`` of the filter's hubs, built once per change of the data in each worker: the
    GeoJSON of 6,200 hubs takes long to build and is asked for on every visit of the map."""
    kept: dict[Any, bytes] = current_app.extensions.setdefault("lms.public.exports", {})
    key = (kind, tuple(sorted(where.as_args().items())), data_version(), current_app.config["LMS_BASE_URL"])
    body = kept.get(key)
    if body is None:
        body = build()
        if len(kept) >= KEPT_EXPORTS:
            kept.pop(next(iter(kept)))
        kept[key] = body
    return body


# --- open data ------------------------------------------------------------------------------------


EXPORTED = (
    Organisation.code,
    Organisation.name,
    Organisation.path,
    Organisation.hromada,
    Organisation.settlement,
    Organisation.address,
    Organisation.host_type,
    Organisation.status,
    Organisation.services,
    Organisation.opening_hours,
    Organisation.phone,
    Organisation.email,
    Organisation.website,
    Organisation.latitude,
    Organisation.longitude,
)


def exported_hubs(where: Filter) -> list[dict[str, Any]]:
    """Every hub the filter finds, as the open-data record (no person in it: hubs only)."""
    columns = Organisation.__table__.c  # plain rows, not ORM ones: 6,200 of them
    query = select(*(columns[column.key] for column in EXPORTED)).where(*where.clauses())
    rows = db.session.execute(query.order_by(columns.code)).all()
    page = url_for("public.hub", code="CODE", _external=False).rsplit("CODE", 1)[0]
    base = current_app.config["LMS_BASE_URL"].rstrip("/")
    by_id = {region.id: region for region in regions()}
    hubs = []
    for row in rows:
        region = next(
            (by_id[int(part)] for part in row.path.strip("/").split("/") if part and int(part) in by_id),
            None,
        )
        hubs.append(
            {
                "code": row.code,
                "name": row.name.get("uk") or row.name.in_locale("uk"),
                "name_en": row.name.get("en", ""),
                "region_code": region.code if region else "",
                "region": (region.name.get("uk") or region.name.in_locale("uk")) if region else "",
                "hromada": row.hromada,
                "settlement": row.settlement,
                "address": row.address,
                "host_type": row.host_type or "",
                "status": row.status,
                "services": list(row.services or []),
                "opening_hours": row.opening_hours,
                "phone": row.phone,
                "email": row.email,
                "website": row.website,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "url": f"{base}{page}{row.code}",
            }
        )
    return hubs


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, float):
        return f"{value:.5f}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def hubs_csv(hubs: list[dict[str, Any]]) -> bytes:
    """CSV that Excel in Ukrainian opens as it is: UTF-8 with a byte-order mark, semicolons (the list
    separator where the decimal separator is a comma), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hub in hubs:
        writer.writerow([_cell(hub[column]) for column in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


GEOJSON_PROPERTIES = (
    "code",
    "name",
    "name_en",
    "region_code",
    "settlement",
    "hromada",
    "address",
    "host_type",
    "status",
    "services",
)


def hubs_geojson(hubs: list[dict[str, Any]], licence: str, licence_url: str, date: datetime | None) -> bytes:
    """An RFC 7946 FeatureCollection: a Point (longitude, latitude, WGS 84) per hub with coordinates;
    a hub without them is an unlocated Feature (``"geometry": null``), so the file lists the same hubs
    as the CSV. The licence and the date of the data are foreign members."""
    features = []
    for hub in hubs:
        located = hub["latitude"] is not None and hub["longitude"] is not None
        geometry = (
            {"type": "Point", "coordinates": [round(hub["longitude"], 5), round(hub["latitude"], 5)]}
            if located
            else None
        )
        properties = {name: hub[name] for name in GEOJSON_PROPERTIES}
        features.append(
            {"type": "Feature", "id": hub["code"], "geometry": geometry, "properties": properties}
        )
    collection = {
        "type": "FeatureCollection",
        "licence": licence,
        "licence_url": licence_url,
        "data_date": date.date().isoformat() if date else None,
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
