"""Reporting rounds' pages (open a round, executors' submissions, reminders, close), on the plans'
blueprint. Imported at the end of :mod:`lms.plans.views`."""

from __future__ import annotations

from lms.plans.views import bp  # noqa: F401
