"""The core's own indicators (over the fact table), registered like any plugin's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.monitoring import aggregates
from lms.monitoring.aggregates import Filters
from lms.monitoring.models import Source
from lms.plugins import add_indicator


def certificates(source: str) -> Callable[[Filters], int]:
    def count(filters: Filters) -> int:
        if source == "all":
            return aggregates.count_certificates(filters)
        if filters.source not in ("all", source):
            return 0  # the viewer chose the other source
        return aggregates.count_certificates(replace(filters, source=source))

    return count


def hub_coverage(filters: Filters) -> float | None:
    rows = aggregates.coverage(filters)
    hubs = sum(row.extra["hubs"] for row in rows)
    return sum(row.extra["covered"] for row in rows) / hubs if hubs else None


def register(app: Flask) -> None:
    add_indicator(
        app,
        "certificates.all",
        _l("Certificates (Kaskad's and external)"),
        certificates("all"),
        by_period=True,
        link="monitoring.certificates",
    )
    add_indicator(
        app,
        "certificates.kaskad",
        _l("Kaskad's certificates"),
        certificates(Source.KASKAD),
        by_period=True,
        link="monitoring.certificates",
    )
    add_indicator(
        app,
        "certificates.external",
        _l("External certificates"),
        certificates(Source.EXTERNAL),
        by_period=True,
        link="monitoring.certificates",
    )
    add_indicator(
        app,
        "people.trained",
        _l("People trained"),
        aggregates.count_people,
        by_period=True,
        link="monitoring.certificates",
    )
    add_indicator(
        app,
        "hubs.coverage",
        _l("Hubs with a certified coordinator"),
        hub_coverage,
        by_period=True,
        unit="share",
    )
