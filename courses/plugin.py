"""The courses plugin's entry point (``lms.plugins`` → ``courses``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from config import as_bool
from courses import __version__
from lms.plugins import (
    ADMINISTRATION,
    LEARNING,
    TEACHING,
    add_demo_loader,
    add_migrations,
    add_nav_item,
    add_settings,
    add_translations,
)

PACKAGE_DIR = Path(__file__).parent

# environment variable -> (setting, converter), as in config.py
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "COURSES_MEDIA_DIR": ("COURSES_MEDIA_DIR", str),
    "COURSES_MAX_MEDIA_MB": ("COURSES_MAX_MEDIA_MB", int),
    "COURSES_TRAINERS_AUTHOR": ("COURSES_TRAINERS_AUTHOR", as_bool),
    "COURSES_X_ACCEL_REDIRECT": ("COURSES_X_ACCEL_REDIRECT", str),
    "COURSES_QUIZ_GRACE_SECONDS": ("COURSES_QUIZ_GRACE_SECONDS", int),
    "COURSES_QUIZ_MIN_EVIDENCE": ("COURSES_QUIZ_MIN_EVIDENCE", int),
    "COURSES_OUTLINE_CACHE": ("COURSES_OUTLINE_CACHE", as_bool),
}
DEFAULTS = {
    "COURSES_MEDIA_DIR": "",  # empty: <instance folder>/media
    "COURSES_MAX_MEDIA_MB": 200,
    "COURSES_TRAINERS_AUTHOR": False,  # may trainers author courses too?
    "COURSES_X_ACCEL_REDIRECT": "",  # e.g. /protected-media/ when nginx serves the files
    "COURSES_QUIZ_GRACE_SECONDS": 30,  # a quiz page sent this late after the time limit still counts
    "COURSES_QUIZ_MIN_EVIDENCE": 3,  # questions of a competence an attempt needs to confirm a level
    "COURSES_OUTLINE_CACHE": True,  # keep course outlines per worker (off: built on every lesson page)
}


class CoursesPlugin:
    name = "courses"
    version = __version__
    requires: tuple[str, ...] = ()

    def init_app(self, app: Flask) -> None:
        from courses import models  # noqa: F401  (tables for the migrations)
        from courses.cli import courses_group
        from courses.cohorts import models as cohort_models  # noqa: F401
        from courses.frameworks import models as framework_models  # noqa: F401
        from courses.frameworks.cli import frameworks_group
        from courses.frameworks.views import bp as frameworks_bp
        from courses.questions import models as question_models  # noqa: F401
        from courses.questions.cli import questions_group
        from courses.questions.views import bp as questions_bp
        from courses.views import bp

        add_settings(app, DEFAULTS, ENVIRONMENT)
        app.cli.add_command(courses_group)
        app.cli.add_command(frameworks_group)
        app.cli.add_command(questions_group)
        if not app.config["COURSES_MEDIA_DIR"]:
            app.config["COURSES_MEDIA_DIR"] = str(Path(app.instance_path) / "media")
        # A lesson's video may be larger than other uploads (files spool to disk, never to memory).
        media_limit = app.config["COURSES_MAX_MEDIA_MB"] * 1024 * 1024
        app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_CONTENT_LENGTH"] or 0, media_limit)
        app.register_blueprint(bp)
        from courses.outline import install as keep_outlines_fresh

        keep_outlines_fresh()
        app.register_blueprint(frameworks_bp)
        app.register_blueprint(questions_bp)
        add_migrations(app, PACKAGE_DIR)
        add_translations(app, PACKAGE_DIR)
        from courses.demo import load_demo

        add_demo_loader(app, "courses", load_demo)
        add_nav_item(
            app, "courses.index", _l("Courses"), lambda user: user.is_authenticated, 40, area=LEARNING
        )
        # Authoring: admins anywhere; trainers too when COURSES_TRAINERS_AUTHOR is on (see may_author).
        from courses.views.authoring import may_author
        from lms.permissions import allow

        allow("admin", "courses.author")
        add_nav_item(
            app, "courses.author_index", _l("Course authoring"), may_author, 45, area=TEACHING, staff=True
        )
        # Quizzes (courses/quizzes/): attempts, results, competence profiles, essays to grade.
        from courses.quizzes import models as quiz_models  # noqa: F401
        from courses.quizzes.cli import quizzes_group
        from courses.quizzes.indicators import install as add_quiz_indicators
        from courses.quizzes.views import GRADE, may_grade, quiz_summary
        from courses.quizzes.views import bp as quizzes_bp

        app.register_blueprint(quizzes_bp)
        app.cli.add_command(quizzes_group)
        app.add_template_global(quiz_summary)
        add_quiz_indicators(app)
        allow("trainer", GRADE)
        allow("admin", GRADE)
        signed_in = lambda user: user.is_authenticated  # noqa: E731
        add_nav_item(
            app, "courses_quizzes.my_competences", _l("My competences"), signed_in, 42, area=LEARNING
        )
        add_nav_item(
            app, "courses_quizzes.grading", _l("Essays to grade"), may_grade, 47, area=TEACHING, staff=True
        )
        from courses.personal_data import export as personal_data
        from lms.plugins import add_personal_data

        add_personal_data(app, "courses", personal_data)  # enrolments, progress, attempts, levels
        from courses.frameworks.views import may_manage

        add_nav_item(
            app,
            "courses_frameworks.index",
            _l("Competence frameworks"),
            may_manage,
            46,
            area=ADMINISTRATION,
            staff=True,
        )
        add_nav_item(
            app, "courses_questions.index", _l("Question bank"), may_author, 46, area=TEACHING, staff=True
        )
        from courses.home import install as add_home_sections

        add_home_sections(app)
        # Cohorts and the cascade (courses/cohorts/).
        from courses.cohorts.setup import init_app as init_cohorts

        init_cohorts(app)
