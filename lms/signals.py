"""Core signals. The sender is always the app; connect receivers with ``sender=app``."""

from __future__ import annotations

from blinker import Namespace
from flask import Flask, current_app

signals = Namespace()


def sender() -> Flask:
    """The app itself (not the proxy): the sender of every signal."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


user_created = signals.signal(
    "lms.user-created",
    doc="A user account was created (by an admin, an import or an accepted invitation). Kwargs: user.",
)
user_updated = signals.signal(
    "lms.user-updated", doc="A user's profile changed. Kwargs: user, changes (dict of field: (old, new))."
)
user_deactivated = signals.signal("lms.user-deactivated", doc="A user was deactivated. Kwargs: user.")
user_erased = signals.signal(
    "lms.user-erased",
    doc="A user's personal data was erased on request; the row stays so counts stay true. Kwargs: user.",
)
role_granted = signals.signal(
    "lms.role-granted", doc="A role was granted over an organisation subtree. Kwargs: grant."
)
role_revoked = signals.signal(
    "lms.role-revoked", doc="A role grant was removed. Kwargs: user, role, organisation."
)
organisation_created = signals.signal(
    "lms.organisation-created", doc="An organisation was created. Kwargs: organisation."
)
organisation_moved = signals.signal(
    "lms.organisation-moved",
    doc="An organisation (with its subtree) got a new parent. Kwargs: organisation, old_parent.",
)
