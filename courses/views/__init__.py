"""Courses pages: the blueprint, with learning, authoring and media routes in their own modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="../templates")

from courses.views import authoring, learning, media  # noqa: E402, F401  (they add routes to bp)
