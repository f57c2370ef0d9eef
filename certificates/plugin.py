"""The certificates plugin's entry point (``lms.plugins`` → ``certificates``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from certificates import __version__
from certificates.views import bp
from lms.plugins import LEARNING, add_migrations, add_nav_item, add_translations

PACKAGE_DIR = Path(__file__).parent


class CertificatesPlugin:
    name = "certificates"
    version = __version__
    requires: tuple[str, ...] = ("courses",)

    def init_app(self, app: Flask) -> None:
        app.register_blueprint(bp)
        add_migrations(app, PACKAGE_DIR)
        add_translations(app, PACKAGE_DIR)
        signed_in = lambda user: user.is_authenticated  # noqa: E731
        add_nav_item(app, "certificates.index", _l("Certificates"), signed_in, 50, area=LEARNING)
