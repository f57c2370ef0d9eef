"""Sessions, calendar feeds, attendance, rosters, offline work."""

from __future__ import annotations

from courses.cohorts.views import bp  # noqa: F401
