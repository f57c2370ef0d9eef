"""Cohort lists, creating and editing cohorts, enrolment (one by one, invitations, key, CSV),
withdrawal and transfer, licences."""

from __future__ import annotations

from courses.cohorts.views import bp  # noqa: F401
