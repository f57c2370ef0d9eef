"""The courses plugin's entry point (``lms.plugins`` → ``courses``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from config import as_bool
from courses import __version__
from lms.plugins import add_demo_loader, add_migrations, add_nav_item, add_settings, add_translations

PACKAGE_DIR = Path(__file__).parent

# environment variable -> (setting, converter), as in config.py
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "COURSES_MEDIA_DIR": ("COURSES_MEDIA_DIR", str),
    "COURSES_MAX_MEDIA_MB": ("COURSES_MAX_MEDIA_MB", int),
    "COURSES_TRAINERS_AUTHOR": ("COURSES_TRAINERS_AUTHOR", as_bool),
    "COURSES_X_ACCEL_REDIRECT": ("COURSES_X_ACCEL_REDIRECT", str),
}
DEFAULTS = {
    "COURSES_MEDIA_DIR": "",  # empty: <instance folder>/media
    "COURSES_MAX_MEDIA_MB": 200,
    "COURSES_TRAINERS_AUTHOR": False,  # may trainers author courses too?
    "COURSES_X_ACCEL_REDIRECT": "",  # e.g. /protected-media/ when nginx serves the files
}


class CoursesPlugin:
    name = "courses"
    version = __version__
    requires: tuple[str, ...] = ()

    def init_app(self, app: Flask) -> None:
        from courses import models  # noqa: F401  (tables for the migrations)
        from courses.frameworks import models as framework_models  # noqa: F401
        from courses.questions import models as question_models  # noqa: F401
        from courses.cli import courses_group
        from courses.views import bp

        add_settings(app, DEFAULTS, ENVIRONMENT)
        app.cli.add_command(courses_group)
        if not app.config["COURSES_MEDIA_DIR"]:
            app.config["COURSES_MEDIA_DIR"] = str(Path(app.instance_path) / "media")
        # A lesson's video may be larger than other uploads (files spool to disk, never to memory).
        media_limit = app.config["COURSES_MAX_MEDIA_MB"] * 1024 * 1024
        app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_CONTENT_LENGTH"] or 0, media_limit)
        app.register_blueprint(bp)
        add_migrations(app, PACKAGE_DIR)
        add_translations(app, PACKAGE_DIR)
        from courses.demo import load_demo

        add_demo_loader(app, "courses", load_demo)
        add_nav_item(app, "courses.index", _l("Courses"), lambda user: user.is_authenticated, order=40)
        # Authoring: admins anywhere; trainers too when COURSES_TRAINERS_AUTHOR is on (see may_author).
        from courses.views.authoring import may_author
        from lms.permissions import allow

        allow("admin", "courses.author")
        add_nav_item(app, "courses.author_index", _l("Course authoring"), may_author, order=45)
