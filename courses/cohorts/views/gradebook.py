"""The gradebook and its exports, and closing a cohort."""

from __future__ import annotations

from courses.cohorts.views import bp  # noqa: F401
