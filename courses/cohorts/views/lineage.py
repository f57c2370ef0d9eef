"""The cascade's lineage: per trainer and national."""

from __future__ import annotations

from courses.cohorts.views import bp  # noqa: F401
