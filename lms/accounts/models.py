"""People, their roles over organisation subtrees, target groups, jobs and one-time tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.i18n import Translated, TranslatedText, casefold_email, sort_key, utcnow

if TYPE_CHECKING:
    from lms.orgs.models import Organisation


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    TRAINER = "trainer"
    LEARNER = "learner"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MANAGER: _l("Manager"),
    Role.TRAINER: _l("Trainer"),
    Role.LEARNER: _l("Learner"),
}

user_target_group = Table(
    "lms_user_target_group",
    db.metadata,
    Column("user_id", ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("lms_target_group.id"), primary_key=True, index=True),
)


class TargetGroup(db.Model):  # type: ignore[name-defined]
    """A group the regional plans count certificates by (civil servants, librarians, …)."""

    __tablename__ = "lms_target_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[Translated] = mapped_column(TranslatedText)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return str(self.name)


class Job(db.Model):  # type: ignore[name-defined]
    """What a person does (hub coordinator, regional trainer…); it selects their competence minimum."""

    __tablename__ = "lms_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[Translated] = mapped_column(TranslatedText)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return str(self.name)


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person. Never deleted: deactivated, or erased (anonymised) on request."""

    __tablename__ = "lms_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # SQLite's NOCASE folds ASCII only; a stored case-folded copy makes "ЮЛІЯ@" equal "юлія@" everywhere.
    email_casefold: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    surname: Mapped[str] = mapped_column(String(120))
    given_name: Mapped[str] = mapped_column(String(120))
    patronymic: Mapped[str] = mapped_column(String(120), default="")
    name_sort: Mapped[str] = mapped_column(String(255), index=True, default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(50), default="Europe/Kyiv")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("lms_job.id"))
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship()
    job: Mapped[Job | None] = relationship()
    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=user_target_group, order_by=TargetGroup.position
    )
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", foreign_keys="RoleGrant.user_id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id}>"

    def set_email(self, email: str) -> None:
        self.email = email.strip()
        self.email_casefold = casefold_email(email)

    def set_names(self, surname: str, given_name: str, patronymic: str = "") -> None:
        self.surname, self.given_name, self.patronymic = (
            surname.strip(),
            given_name.strip(),
            patronymic.strip(),
        )
        self.name_sort = sort_key(self.surname, self.given_name, self.patronymic)

    @property
    def full_name(self) -> str:
        """Surname, given name, patronymic: the order Ukrainian lists and certificates use."""
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_invited(self) -> bool:
        """An account that has never been taken up: no password has been set (the invitation, if any,
        is not accepted yet). Such a person cannot log in and is not counted as active."""
        return self.is_active_account and not self.is_erased and not self.password_hash

    @property
    def status_label(self) -> Any:
        if self.is_erased:
            return _l("Erased")
        if not self.is_active_account:
            return _l("Deactivated")
        if self.is_invited:
            return _l("Invited, not accepted yet")
        return _l("Active")

    def has_role(self, role: str) -> bool:
        return any(grant.role == role for grant in self.grants)


class RoleGrant(db.Model):  # type: ignore[name-defined]
    """A role held over an organisation and everything below it."""

    __tablename__ = "lms_role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()

    @property
    def role_label(self) -> Any:
        return ROLE_LABELS[Role(self.role)]


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a token purpose, not a password)


class AccountToken(db.Model):  # type: ignore[name-defined]
    """A one-time, expiring link. Only a hash of the token is stored."""

    __tablename__ = "lms_account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
