"""Courses pages. For now one page that says what is coming."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")


@bp.get("/")
@login_required
def index() -> Any:
    return render_template("courses/index.html")
