"""Kaskad core: the application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Any = None) -> Flask:
    """Build the app: settings, extensions, core blueprints, then the plugins in ``LMS_PLUGINS``.

    ``config`` is a settings class or object, or a dict; ``LMS_*`` environment variables override
    both the defaults and ``config``, except in tests where ``config`` has ``TESTING``.
    """
    import config as settings

    # The instance folder (SQLite file, development secret, uploaded media) may live elsewhere.
    instance = (config.get("LMS_INSTANCE_PATH") if isinstance(config, dict) else None) or os.environ.get(
        "LMS_INSTANCE_PATH"
    )
    app = Flask(__name__, instance_relative_config=True, instance_path=instance or None)
    app.config.from_object(settings.Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("TESTING"):
        app.config.update(settings.from_environment())
    _finish_config(app)

    from lms import bootstrap

    bootstrap.init_extensions(app)
    bootstrap.init_core(app)

    from lms.plugins import load_plugins

    load_plugins(app)
    bootstrap.share_macros(app)
    return app


def _finish_config(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "kaskad.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file has no connection to lose: pinging it would cost a query on every request.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        if app.config["LMS_ENV"] == "production":
            raise RuntimeError("LMS_SECRET_KEY must be set in production (LMS_ENV=production).")
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    app.config["SESSION_COOKIE_SECURE"] = app.config["LMS_BASE_URL"].startswith("https://")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["MAX_CONTENT_LENGTH"] = app.config["LMS_MAX_UPLOAD_MB"] * 1024 * 1024
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["LMS_SESSION_HOURS"] * 3600
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["LMS_DEFAULT_TIMEZONE"]


def _instance_secret(path: Path) -> str:
    """Read the development secret key, creating it once; concurrent workers all get the same one."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    temporary.write_text(secrets.token_urlsafe(48))
    os.chmod(temporary, 0o600)
    try:
        os.link(temporary, path)  # atomic: fails if another worker got there first
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
