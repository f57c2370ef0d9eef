"""The audit log: every change to accounts, roles and organisations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import utcnow


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what to which object, and when. ``scope_path`` is the organisation path it concerns."""

    __tablename__ = "lms_audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    scope_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> Any:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def target_label(self) -> Any:
        return TARGET_LABELS.get(self.target_type, self.target_type)


ACTION_LABELS = {
    "organisation.created": _l("Organisation created"),
    "organisation.updated": _l("Organisation changed"),
    "organisation.moved": _l("Organisation moved"),
    "user.created": _l("Person added"),
    "user.updated": _l("Person changed"),
    "user.deactivated": _l("Person deactivated"),
    "user.activated": _l("Person activated"),
    "user.erased": _l("Personal data erased"),
    "user.password-changed": _l("Password changed"),
    "user.invitation-issued": _l("Invitation issued"),
    "user.invitation-used": _l("Invitation accepted"),
    "user.password-reset-issued": _l("Password reset requested"),
    "user.password-reset-used": _l("Password reset"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role removed"),
    "targetgroup.saved": _l("Target group saved"),
}
TARGET_LABELS = {
    "User": _l("Person"),
    "Organisation": _l("Organisation"),
    "TargetGroup": _l("Target group"),
}
