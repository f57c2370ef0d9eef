"""API tokens: created and revoked by their owner; only a SHA-256 of the token is stored, and a token
sees exactly what its owner may see (the owner's permissions are checked on every request)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.monitoring.models import ApiToken

PREFIX = "ksk_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name.strip()[:100], token_hash=digest(token), prefix=token[:12])
    db.session.add(row)
    db.session.flush()
    record("api_token.created", user, user.organisation.path if user.organisation else "", name=row.name)
    return row, token


def revoke_token(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
        record("api_token.revoked", row.user, "", name=row.name)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def user_for(header: str | None) -> Any:
    """The active owner of the bearer token in an ``Authorization`` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    if not token.startswith(PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now  # at most once a minute: a busy client does not write on every call
        db.session.commit()
    return row.user
