"""The certificates plugin's entry point (``lms.plugins`` → ``certificates``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from certificates import __version__, access, services
from certificates.views import bp, public
from courses.signals import cohort_closed, course_completed
from lms.plugins import LEARNING, add_migrations, add_nav_item, add_settings, add_translations

PACKAGE_DIR = Path(__file__).parent

DEFAULTS = {
    "CERTIFICATES_ISSUER": "",
    "CERTIFICATES_VERIFY_LIMIT": "120 per minute",
}
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "CERTIFICATES_ISSUER": ("CERTIFICATES_ISSUER", str),
    "CERTIFICATES_VERIFY_LIMIT": ("CERTIFICATES_VERIFY_LIMIT", str),
}


class CertificatesPlugin:
    name = "certificates"
    version = __version__
    requires: tuple[str, ...] = ("courses",)

    def init_app(self, app: Flask) -> None:
        add_settings(app, DEFAULTS, ENVIRONMENT)
        access.install()
        app.register_blueprint(bp)
        app.register_blueprint(public)
        add_migrations(app, PACKAGE_DIR)
        add_translations(app, PACKAGE_DIR)
        signed_in = lambda user: user.is_authenticated  # noqa: E731
        add_nav_item(app, "certificates.index", _l("Certificates"), signed_in, 50, area=LEARNING)
        course_completed.connect(services.on_course_completed, sender=app)
        cohort_closed.connect(services.on_cohort_closed, sender=app)
