"""Writing to the audit log."""

from __future__ import annotations

import logging
from typing import Any

from flask_login import current_user

from lms.audit.models import AuditEntry
from lms.extensions import db

log = logging.getLogger("lms.audit")


def record(action: str, target: Any, scope_path: str = "", actor: Any = None, **details: Any) -> AuditEntry:
    """Add an audit entry for ``action`` on ``target`` (a model instance). Flushes, never commits."""
    if actor is None:
        try:
            actor = current_user._get_current_object() if current_user.is_authenticated else None
        except (AttributeError, RuntimeError):  # outside a request: a CLI command
            actor = None
    entry = AuditEntry(
        actor=actor,
        action=action,
        target_type=target.__class__.__name__,  # not type(): current_user is a proxy of a User
        target_id=getattr(target, "id", None),
        scope_path=scope_path,
        details={key: _plain(value) for key, value in details.items()},
    )
    db.session.add(entry)
    db.session.flush()
    log.info("%s %s %s by %s", action, entry.target_type, entry.target_id, getattr(actor, "id", "system"))
    return entry


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
