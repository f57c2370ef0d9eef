"""A third-party plugin: one page, one nav item, one indicator. It touches no core file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template

from lms.plugins import LEARNING, add_indicator, add_nav_item

bp = Blueprint("sample", __name__, url_prefix="/sample", template_folder="templates")


@bp.get("/")
def index() -> Any:
    return render_template("sample/index.html")


class SamplePlugin:
    name = "sample"
    version = "1.0.0"
    requires: tuple[str, ...] = ("courses",)

    def init_app(self, app: Flask) -> None:
        app.register_blueprint(bp)
        add_nav_item(app, "sample.index", "Sample plugin", lambda user: True, 99, area=LEARNING)
        add_indicator(app, "sample.answer", "The answer", lambda scope: 42)
