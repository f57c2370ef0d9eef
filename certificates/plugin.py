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
from lms.plugins import (
    LEARNING,
    MONITORING,
    TEACHING,
    add_api_paths,
    add_licence_rule,
    add_migrations,
    add_nav_item,
    add_personal_data,
    add_settings,
    add_translations,
)

PACKAGE_DIR = Path(__file__).parent

DEFAULTS = {
    "CERTIFICATES_ISSUER": "",
    "CERTIFICATES_VERIFY_LIMIT": "120 per minute",
}
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "CERTIFICATES_ISSUER": ("CERTIFICATES_ISSUER", str),
    "CERTIFICATES_VERIFY_LIMIT": ("CERTIFICATES_VERIFY_LIMIT", str),
}


NULLABLE = {"type": ["string", "null"]}
# The public verification API, in the core's OpenAPI document (/api/v1/openapi.json).
API_PATHS = {
    "/api/v1/certificates/{number}": {
        "get": {
            "summary": "Verify a certificate by its number (public, rate-limited)",
            "operationId": "verifyCertificate",
            "security": [],
            "parameters": [
                {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "description": "The certificate's number, e.g. KSK-7Q4M-X9TA-3 (case, spaces and "
                    "hyphens forgiven).",
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": {
                    "description": "What anyone may know about the certificate",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["number", "status", "holder", "course", "issued_on"],
                                "properties": {
                                    "number": {"type": "string"},
                                    "status": {
                                        "type": "string",
                                        "enum": ["valid", "expired", "revoked", "superseded"],
                                    },
                                    "holder": {"type": "string"},
                                    "course": {"type": "string"},
                                    "issued_on": {"type": "string", "format": "date"},
                                    "expires_on": {"type": ["string", "null"], "format": "date"},
                                    "issuer": {"type": "string"},
                                    "superseded_by": NULLABLE,
                                },
                            }
                        }
                    },
                },
                "400": {"description": "The number is mistyped (its check character does not match)"},
                "404": {"description": "No certificate has this number"},
                "429": {"description": "Too many checks from this address"},
            },
        }
    }
}


def _teaches(user: Any) -> bool:
    from courses.cohorts import access as cohort_access
    from lms.permissions import can, roles_of

    # roles_of reads the grants the permission check already fetched for this request; has_role would
    # lazy-load the person's grants through the ORM on every page with a header.
    return access.may_list_cohorts(user) and ("trainer" in roles_of(user) or can(user, cohort_access.MANAGE))


def _monitors(user: Any) -> bool:
    return access.may_list_cohorts(user) and not _teaches(user)


AUDIT_ACTIONS = {
    "certificate.issued": _l("Certificate issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "certificate.superseded": _l("Certificate issued again (name corrected)"),
    "certificates.settings-saved": _l("Certificate settings saved"),
    "certificates.desk-used": _l("Verification desk used"),
    "certificates.rerender-started": _l("Re-rendering of certificates started"),
}
"""The audit page's words for every action this plugin records."""


def _label_audit_actions() -> None:
    from lms.audit.models import ACTION_LABELS, TARGET_LABELS

    ACTION_LABELS.update(AUDIT_ACTIONS)
    TARGET_LABELS.setdefault("Certificate", _l("Certificate"))
    TARGET_LABELS.setdefault("RenderJob", _l("Re-rendering of certificates"))


class CertificatesPlugin:
    name = "certificates"
    version = __version__
    requires: tuple[str, ...] = ("courses",)

    def init_app(self, app: Flask) -> None:
        add_settings(app, DEFAULTS, ENVIRONMENT)
        access.install()
        app.register_blueprint(bp)
        app.register_blueprint(public)
        from certificates.cli import certificates_group

        app.cli.add_command(certificates_group)
        add_migrations(app, PACKAGE_DIR)
        add_translations(app, PACKAGE_DIR)
        signed_in = lambda user: user.is_authenticated  # noqa: E731
        add_nav_item(app, "certificates.index", _l("My certificates"), signed_in, 50, area=LEARNING)
        add_nav_item(
            app, "certificates.manage", _l("Certificates"), access.may_search, 50, area=MONITORING, staff=True
        )
        # Trainers and admins find it with their cohorts (Teaching); managers with what they watch.
        add_nav_item(
            app, "certificates.cohorts", _l("Cohort certificates"), _teaches, 60, area=TEACHING, staff=True
        )
        add_nav_item(
            app, "certificates.cohorts", _l("Cohort certificates"), _monitors, 60, area=MONITORING, staff=True
        )
        add_nav_item(
            app,
            "certificates.templates",
            _l("Certificate templates"),
            access.may_edit_templates,
            48,
            area=TEACHING,
            staff=True,
        )
        add_api_paths(app, API_PATHS)
        _label_audit_actions()
        course_completed.connect(services.on_course_completed, sender=app)
        cohort_closed.connect(services.on_cohort_closed, sender=app)
        add_licence_rule(app, services.licence_rule)
        from certificates.indicators import install as add_indicators

        add_indicators(app)  # trainers licensed
        from certificates.personal_data import export as personal_data

        add_personal_data(app, "certificates", personal_data)  # number, course, status, dates
