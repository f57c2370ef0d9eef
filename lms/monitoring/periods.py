"""Reporting periods: a quarter, a half-year, a year, or custom dates, with the stored key they use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

KINDS = ("quarter", "half", "year", "custom")
PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]))?$")


@dataclass(frozen=True)
class Period:
    """``kind`` quarter/half/year with ``year`` and ``number`` (1–4, 1–2, 0), or custom dates."""

    kind: str
    year: int
    number: int
    start: date
    end: date  # inclusive

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        start = date(year, 3 * (number - 1) + 1, 1)
        end = (date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)) - timedelta(days=1)
        return cls("quarter", year, number, start, end)

    @classmethod
    def half(cls, year: int, number: int) -> Period:
        start = date(year, 1 if number == 1 else 7, 1)
        end = date(year, 6, 30) if number == 1 else date(year, 12, 31)
        return cls("half", year, number, start, end)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls("year", year, 0, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def custom(cls, start: date, end: date) -> Period:
        if end < start:
            raise ValueError(_("The end of the period is before its start."))
        return cls("custom", start.year, 0, start, end)

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-Q3``, ``2026-H2``, ``2026`` or ``2026-07-01..2026-08-15``."""
        text = text.strip()
        if ".." in text:
            start, end = text.split("..", 1)
            try:
                first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
            except ValueError as error:
                raise ValueError(
                    _("Write a period as 2026-Q3, 2026-H2, 2026 or 2026-07-01..2026-08-15.")
                ) from error
            return cls.custom(first, last)
        match = PATTERN.match(text)
        if not match or not 2000 <= int(match[1]) <= 2100:
            raise ValueError(_("Write a period as 2026-Q3, 2026-H2, 2026 or 2026-07-01..2026-08-15."))
        year, part = int(match[1]), match[2]
        if part is None:
            return cls.whole_year(year)
        return cls.quarter(year, int(part[1])) if part[0] == "Q" else cls.half(year, int(part[1]))

    @property
    def code(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "half":
            return f"{self.year}-H{self.number}"
        if self.kind == "year":
            return str(self.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def key(self) -> int | None:
        """The stored integer key of a quarter or half (20263, 20262), None otherwise."""
        return self.year * 10 + self.number if self.kind in ("quarter", "half") else None

    def previous(self) -> Period:
        if self.kind == "quarter":
            return (
                Period.quarter(self.year - 1, 4)
                if self.number == 1
                else Period.quarter(self.year, self.number - 1)
            )
        if self.kind == "half":
            return Period.half(self.year - 1, 2) if self.number == 1 else Period.half(self.year, 1)
        if self.kind == "year":
            return Period.whole_year(self.year - 1)
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period.custom(end - length, end)

    def label(self) -> str:
        if self.kind == "quarter":
            return _("Q%(number)s %(year)s", number=self.number, year=self.year)
        if self.kind == "half":
            return _("H%(number)s %(year)s", number=self.number, year=self.year)
        if self.kind == "year":
            return str(self.year)
        return f"{format_date(self.start)} – {format_date(self.end)}"

    def quarters(self) -> list[Period]:
        """The quarters that make up a quarter, half or year (a custom period has none)."""
        if self.kind == "quarter":
            return [self]
        if self.kind == "half":
            return [
                Period.quarter(self.year, 2 * self.number - 1),
                Period.quarter(self.year, 2 * self.number),
            ]
        if self.kind == "year":
            return [Period.quarter(self.year, number) for number in (1, 2, 3, 4)]
        return []

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "start": self.start.isoformat(), "end": self.end.isoformat()}


def trailing_quarters(period: Period, count: int = 8) -> list[Period]:
    """``count`` quarters ending with the last quarter of ``period``, oldest first."""
    last = Period.containing(period.end)
    quarters = [last]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]
