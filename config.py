"""Kaskad settings.

Every setting can be overridden by an ``LMS_*`` environment variable. The table ``ENVIRONMENT``
below is the single list of those variables: the environment variable, the Flask setting it
feeds, and how its text is converted. Plugins add rows of their own (``COURSES_*``…) through
:func:`lms.plugins.add_settings`, which uses the same converters.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any


def as_bool(text: str) -> bool:
    """'1', 'true', 'yes', 'on' (any case) are true; everything else is false."""
    return text.strip().lower() in {"1", "true", "yes", "on"}


def as_list(text: str) -> list[str]:
    """Comma-separated names; blanks are dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def as_seconds(text: str) -> timedelta:
    return timedelta(seconds=int(text))


# environment variable -> (Flask setting, converter). Values are strings unless a converter is given.
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "LMS_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "LMS_INSTANCE_PATH": ("LMS_INSTANCE_PATH", str),
    "LMS_SECRET_KEY": ("SECRET_KEY", str),
    "LMS_PLUGINS": ("LMS_PLUGINS", as_list),
    "LMS_BASE_URL": ("LMS_BASE_URL", str),
    "LMS_DEFAULT_LOCALE": ("BABEL_DEFAULT_LOCALE", str),
    "LMS_DEFAULT_TIMEZONE": ("LMS_DEFAULT_TIMEZONE", str),
    "LMS_RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URI", str),
    "LMS_ENV": ("LMS_ENV", str),
    "LMS_SMTP_HOST": ("LMS_SMTP_HOST", str),
    "LMS_SMTP_PORT": ("LMS_SMTP_PORT", int),
    "LMS_SMTP_USERNAME": ("LMS_SMTP_USERNAME", str),
    "LMS_SMTP_PASSWORD": ("LMS_SMTP_PASSWORD", str),
    "LMS_SMTP_STARTTLS": ("LMS_SMTP_STARTTLS", as_bool),
    "LMS_MAIL_FROM": ("LMS_MAIL_FROM", str),
    "LMS_INVITATION_DAYS": ("LMS_INVITATION_DAYS", int),
    "LMS_SESSION_HOURS": ("LMS_SESSION_HOURS", int),
    "LMS_LOGIN_LIMIT": ("LMS_LOGIN_LIMIT", str),
    "LMS_PAGE_SIZE": ("LMS_PAGE_SIZE", int),
    "LMS_QUEUE_URL": ("LMS_QUEUE_URL", str),
    "LMS_JOB_WORKERS": ("LMS_JOB_WORKERS", int),
    "LMS_MAX_UPLOAD_MB": ("LMS_MAX_UPLOAD_MB", int),
    "LMS_FRAGMENT_CACHE": ("LMS_FRAGMENT_CACHE", as_bool),
    "LMS_PUBLIC_LIMIT": ("LMS_PUBLIC_LIMIT", str),
    "LMS_OPEN_DATA_LIMIT": ("LMS_OPEN_DATA_LIMIT", str),
    "LMS_MAP_TILES_URL": ("LMS_MAP_TILES_URL", str),
    "LMS_MAP_ATTRIBUTION": ("LMS_MAP_ATTRIBUTION", str),
    "LMS_MAP_ATTRIBUTION_URL": ("LMS_MAP_ATTRIBUTION_URL", str),
    "LMS_OPEN_DATA_LICENCE": ("LMS_OPEN_DATA_LICENCE", str),
    "LMS_OPEN_DATA_LICENCE_URL": ("LMS_OPEN_DATA_LICENCE_URL", str),
}

LOCALES = ("uk", "en", "fi", "sv")


class Config:
    """Defaults for every deployment; production overrides them through the environment."""

    LMS_ENV = "development"
    LMS_INSTANCE_PATH: str | None = None  # None: instance/ beside the code (read before the app exists)
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: a SQLite file in the instance folder
    SECRET_KEY: str | None = None  # None in development: generated once into the instance folder
    LMS_PLUGINS = ["courses", "certificates"]
    LMS_BASE_URL = "http://127.0.0.1:5000"
    LMS_LOCALES = LOCALES
    BABEL_DEFAULT_LOCALE = "uk"
    LMS_DEFAULT_TIMEZONE = "Europe/Kyiv"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    LMS_LOGIN_LIMIT = "10 per 10 minutes"  # per account and address together
    LMS_SMTP_HOST = ""
    LMS_SMTP_PORT = 25
    LMS_SMTP_USERNAME = ""
    LMS_SMTP_PASSWORD = ""
    LMS_SMTP_STARTTLS = False
    LMS_MAIL_FROM = "kaskad@localhost"
    LMS_INVITATION_DAYS = 14
    LMS_RESET_HOURS = 2
    LMS_SESSION_HOURS = 12
    LMS_PAGE_SIZE = 50
    LMS_QUEUE_URL = ""  # redis://host:6379/0: background jobs go to RQ there (`lms jobs worker`)
    LMS_JOB_WORKERS = 1  # without a queue: processes of the local pool that runs them
    LMS_MAX_UPLOAD_MB = 10
    LMS_FRAGMENT_CACHE = True  # keep {% cache %} pieces of pages per worker (off: render every time)
    # The public pages (landing, hub directory, hub pages, calendars), per visitor's address.
    LMS_PUBLIC_LIMIT = "120 per minute"
    LMS_OPEN_DATA_LIMIT = "30 per minute"  # the CSV and GeoJSON of all hubs are larger
    # The map's tiles: the CSP allows images from this host only (besides Kaskad itself).
    LMS_MAP_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    LMS_MAP_ATTRIBUTION = "© OpenStreetMap contributors"
    LMS_MAP_ATTRIBUTION_URL = "https://www.openstreetmap.org/copyright"
    LMS_OPEN_DATA_LICENCE = "CC BY 4.0"
    LMS_OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    # A CSRF token lives as long as the session, so a form someone spent an hour on is not refused.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Long forms (a lesson written for an hour) must fit: 4 MB of form text, uploads up to the limit.
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}


class TestConfig(Config):
    """Used by the test suite: fast password hashing, an isolated database."""

    TESTING = True
    LMS_ENV = "testing"
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    LMS_BASE_URL = "http://kaskad.test"
    LMS_PASSWORD_HASH_FAST = True


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """The settings named by ``LMS_*`` variables that are set, converted by the table."""
    environ = os.environ if environ is None else environ
    return {
        setting: convert(environ[name])
        for name, (setting, convert) in ENVIRONMENT.items()
        if environ.get(name, "") != ""
    }
