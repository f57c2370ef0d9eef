"""Cohort pages: one blueprint, with each part's routes in its own module."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("courses_cohorts", __name__, url_prefix="/cohorts", template_folder="../../templates")

from courses.cohorts.views import cohorts, gradebook, lineage, sessions  # noqa: E402, F401  (add routes to bp)
