"""The courses plugin's entry point (``lms.plugins`` → ``courses``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from courses import __version__
from courses.views import bp
from lms.plugins import add_migrations, add_nav_item, add_translations

PACKAGE_DIR = Path(__file__).parent


class CoursesPlugin:
    name = "courses"
    version = __version__
    requires: tuple[str, ...] = ()

    def init_app(self, app: Flask) -> None:
        app.register_blueprint(bp)
        add_migrations(app, PACKAGE_DIR)
        add_translations(app, PACKAGE_DIR)
        add_nav_item(app, "courses.index", _l("Courses"), lambda user: user.is_authenticated, order=40)
