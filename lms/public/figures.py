"""The programme's headline figures on the landing page: the indicators (``lms.plugins.add_indicator``)
an administrator chose to publish, counted over the whole country. None is published until then."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import format_decimal, format_percent

from lms.audit.services import record
from lms.extensions import db
from lms.permissions import Scope
from lms.plugins import Indicator, registry
from lms.public.models import Setting

PUBLISHED = "public.figures"
EDIT = "public.figures.edit"  # the action: admins with a grant at the root
EVERYWHERE = Scope((), is_everything=True)
# Counted at most this often per worker: a visitor's page must not count certificates every time.
KEEP_SECONDS = 300


def published_names() -> list[str]:
    setting = db.session.get(Setting, PUBLISHED)
    return list(setting.value) if setting is not None else []


def indicators() -> list[Indicator]:
    """The indicators that may be published: counts (a share needs its base to be read right)."""
    return [indicator for indicator in registry().indicators.values() if indicator.unit == "count"]


def publish(names: list[str], by: Any) -> None:
    """Publish exactly the indicators named (in the registry's order). Flushes and records."""
    known = [indicator.name for indicator in indicators() if indicator.name in names]
    setting = db.session.get(Setting, PUBLISHED)
    before = list(setting.value) if setting is not None else []
    if setting is None:
        setting = Setting(name=PUBLISHED, value=known, updated_by_id=by.id)
        db.session.add(setting)
    else:
        setting.value, setting.updated_by_id = known, by.id
    db.session.flush()
    if before != known:
        record("public.figures.published", setting, "", before=before, after=known)
    _kept(current_app).clear()


def _kept(app: Any) -> dict[tuple[str, ...], Any]:
    return app.extensions.setdefault("lms.public.figures", {})


def shown(indicator: Indicator, value: int | float | None) -> str:
    """The figure as people read it: a share as a percentage, a count as a number."""
    if value is None:
        return "—"
    return format_percent(value) if indicator.unit == "share" else format_decimal(value)


def headline_figures() -> list[tuple[Any, str]]:
    """(label, figure) of each published indicator, over everything so far; kept for ``KEEP_SECONDS``.
    A figure that does not apply (a share of nothing) is left out."""
    names = tuple(published_names())
    if not names:
        return []
    kept = _kept(current_app)
    entry = kept.get(names)
    if entry is None or entry[0] < time.monotonic():
        counts = {
            indicator.name: indicator.for_scope(EVERYWHERE)
            for indicator in indicators()
            if indicator.name in names
        }
        entry = (time.monotonic() + KEEP_SECONDS, counts)
        kept.clear()
        kept[names] = entry
    by_name = {indicator.name: indicator for indicator in indicators()}
    return [
        (by_name[name].label, shown(by_name[name], value))
        for name, value in entry[1].items()
        if value is not None and name in by_name
    ]
