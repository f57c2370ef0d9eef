"""Frozen reports: a report's content as it stood when someone signed it off. Later certificates and
revocations never change a frozen version; a later version can be frozen, and two compared."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from lms.audit.services import record
from lms.extensions import db
from lms.monitoring.aggregates import Filters
from lms.monitoring.models import FrozenReport
from lms.permissions import Scope

EVERYTHING = "*"


def scope_key(scope: Scope) -> str:
    return EVERYTHING if scope.is_everything else "|".join(scope.paths)


def report_key(preset: str, filters: Filters) -> str:
    """What makes versions of "the same report": preset, filters (not the day) and scope."""
    args = {key: value for key, value in filters.args().items() if key != "as_of"}
    parts = [preset, *(f"{key}={args[key]}" for key in sorted(args)), scope_key(filters.scope)]
    return ";".join(parts)[:200]


def versions_of(key: str) -> list[FrozenReport]:
    """The frozen versions of the report ``key`` names, newest first."""
    return list(
        db.session.scalars(
            select(FrozenReport).where(FrozenReport.key == key).order_by(FrozenReport.version.desc())
        )
    )


def versions(preset: str, filters: Filters) -> list[FrozenReport]:
    return versions_of(report_key(preset, filters))


def keep(
    preset: str, key: str, parameters: dict[str, Any], content: dict[str, Any], scope_path: str, by: Any
) -> FrozenReport:
    """Keep ``content`` as the next version of the report ``key`` names, signed off by ``by``: any
    report whose content is plain data (the monitoring presets, a plan's execution report)."""
    latest = db.session.scalar(select(func.max(FrozenReport.version)).where(FrozenReport.key == key)) or 0
    report = FrozenReport(
        preset=preset,
        key=key,
        version=latest + 1,
        parameters=parameters,
        content=content,
        scope_path=scope_path,
        signed_by_id=by.id,
    )
    db.session.add(report)
    db.session.flush()
    record(
        "report.frozen",
        report,
        "" if scope_path == EVERYTHING else scope_path.split("|")[0],
        actor=by,
        preset=preset,
        version=report.version,
        period=parameters.get("period", ""),
    )
    return report


def freeze(preset: str, filters: Filters, content: dict[str, Any], by: Any) -> FrozenReport:
    """Keep ``content`` as the next version of its report, signed off by ``by``."""
    return keep(
        preset,
        report_key(preset, filters),
        {**filters.args(), "as_of": content["as_of"]},
        content,
        scope_key(filters.scope),
        by,
    )


def may_see(report: FrozenReport, viewer: Scope) -> bool:
    """A frozen report is seen by those whose scope covers all of the scope it was made for."""
    if viewer.is_everything:
        return True
    if report.scope_path == EVERYTHING:
        return False
    return all(any(path.startswith(own) for own in viewer.paths) for path in report.scope_path.split("|"))


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cell (row × column, totals included) whose number differs between two versions."""
    columns = [(column["code"], column["name"]) for column in new["columns"]]
    known = {code for code, _name in columns}
    columns += [(column["code"], column["name"]) for column in old["columns"] if column["code"] not in known]
    if new["preset"] == "quarterly":
        columns.append(("*", "*"))

    def cells(content: dict[str, Any]) -> dict[tuple[str, str], tuple[str, int]]:
        found = {
            (row["code"], code): (row["name"], row["cells"].get(code, 0))
            for row in content["rows"]
            for code, _name in columns
        }
        found.update({("", code): ("", content["total"].get(code, 0)) for code, _name in columns})
        return found

    before, after = cells(old), cells(new)
    names = dict(columns)
    changed = []
    for key in sorted(set(before) | set(after), key=lambda item: (item[0] == "", item)):
        was = before.get(key, ("", 0))
        now = after.get(key, ("", 0))
        if was[1] != now[1]:
            changed.append(
                {
                    "row": key[0],
                    "row_name": now[0] or was[0],
                    "column": names.get(key[1], key[1]),
                    "column_code": key[1],
                    "old": was[1],
                    "new": now[1],
                    "change": now[1] - was[1],
                }
            )
    return changed
