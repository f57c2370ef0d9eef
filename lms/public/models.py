"""Settings of the site that an administrator changes in the app (not in the environment)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.i18n import utcnow


class Setting(db.Model):  # type: ignore[name-defined]
    """One named setting with a JSON value, e.g. ``public.figures``: the indicators the landing page
    publishes."""

    __tablename__ = "lms_setting"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
