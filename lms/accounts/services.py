"""Account services: people, roles, one-time links, passwords. They flush and log, never commit."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import ColumnElement, Select, func, or_, select

from lms import signals
from lms.accounts.models import AccountToken, Job, Role, RoleGrant, TargetGroup, TokenPurpose, User
from lms.accounts.passwords import hash_password, needs_rehash, verify_password
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import Translated, casefold_email, sort_key, utcnow
from lms.orgs.models import Organisation
from lms.permissions import Scope, forget_permissions
from lms.plugins import registry

log = logging.getLogger("lms.accounts")

NAME_COLUMNS = (User.surname, User.given_name, User.patronymic)
MAX_SEARCH_WORDS = 6  # a search is a name or an address, not a paragraph


def _scope_path(user: User) -> str:
    return user.organisation.path if user.organisation else ""


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_casefold == casefold_email(email)))


def create_user(
    email: str,
    surname: str,
    given_name: str,
    patronymic: str = "",
    organisation: Organisation | None = None,
    job: Job | None = None,
    target_groups: Iterable[TargetGroup] = (),
    locale: str | None = None,
    timezone: str | None = None,
    password: str | None = None,
) -> User:
    user = User(organisation=organisation, job=job, locale=locale or None)
    user.timezone = timezone or current_app.config["LMS_DEFAULT_TIMEZONE"]
    user.set_email(email)
    user.set_names(surname, given_name, patronymic)
    user.target_groups = list(target_groups)
    if password:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.created", user, _scope_path(user), email=user.email)
    signals.user_created.send(signals.sender(), user=user)
    return user


PROFILE_FIELDS = ("email", "surname", "given_name", "patronymic", "organisation", "job", "locale", "timezone")


def update_user(
    user: User, target_groups: Iterable[TargetGroup] | None = None, **fields: Any
) -> dict[str, Any]:
    """Change profile fields; returns what changed (also written to the audit log)."""
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in PROFILE_FIELDS:
            raise TypeError(f"{key} is not a profile field")
        old = getattr(user, key)
        if old != value:
            changes[key] = (getattr(old, "code", old), getattr(value, "code", value))
    if "email" in fields:
        user.set_email(fields.pop("email"))
    names = {key: fields.pop(key) for key in ("surname", "given_name", "patronymic") if key in fields}
    if names:
        user.set_names(
            names.get("surname", user.surname),
            names.get("given_name", user.given_name),
            names.get("patronymic", user.patronymic),
        )
    for key, value in fields.items():
        setattr(user, key, value)
    if target_groups is not None:
        new_groups = list(target_groups)
        if {group.code for group in new_groups} != {group.code for group in user.target_groups}:
            changes["target_groups"] = (
                sorted(group.code for group in user.target_groups),
                sorted(group.code for group in new_groups),
            )
            user.target_groups = new_groups
    if changes:
        db.session.flush()
        record("user.updated", user, _scope_path(user), changes=changes)
        signals.user_updated.send(signals.sender(), user=user, changes=changes)
    return changes


def grant_role(
    user: User, role: str, organisation: Organisation, granted_by: User | None = None
) -> RoleGrant:
    role = Role(role).value
    for grant in user.grants:
        if grant.role == role and grant.organisation_id == organisation.id:
            return grant
    grant = RoleGrant(
        user=user, role=role, organisation=organisation, granted_by_id=getattr(granted_by, "id", None)
    )
    db.session.add(grant)
    db.session.flush()
    forget_permissions()
    record("role.granted", user, organisation.path, role=role, organisation=organisation.code)
    signals.role_granted.send(signals.sender(), grant=grant)
    return grant


def revoke_role(grant: RoleGrant) -> None:
    user, role, organisation = grant.user, grant.role, grant.organisation
    user.grants.remove(grant)
    db.session.flush()
    forget_permissions()
    record("role.revoked", user, organisation.path, role=role, organisation=organisation.code)
    signals.role_revoked.send(signals.sender(), user=user, role=role, organisation=organisation)


def deactivate(user: User) -> None:
    if not user.is_active_account:
        return
    user.is_active_account = False
    user.deactivated_at = utcnow()
    db.session.flush()
    record("user.deactivated", user, _scope_path(user))
    signals.user_deactivated.send(signals.sender(), user=user)


def activate(user: User) -> None:
    if user.is_active_account or user.is_erased:
        return
    user.is_active_account = True
    user.deactivated_at = None
    db.session.flush()
    record("user.activated", user, _scope_path(user))


def export_data(user: User) -> dict[str, Any]:
    """Everything the core keeps about a person, for a data-access request."""
    from lms.audit.models import AuditEntry

    about_them = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "User", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.at)
    )
    data: dict[str, Any] = {
        "id": user.id,
        "email": user.email,
        "surname": user.surname,
        "given_name": user.given_name,
        "patronymic": user.patronymic,
        "locale": user.locale,
        "timezone": user.timezone,
        "organisation": user.organisation.code if user.organisation else None,
        "job": user.job.code if user.job else None,
        "target_groups": [group.code for group in user.target_groups],
        "roles": [{"role": grant.role, "organisation": grant.organisation.code} for grant in user.grants],
        "is_active": user.is_active_account,
        "created_at": user.created_at.isoformat() + "Z",
        "last_login_at": user.last_login_at.isoformat() + "Z" if user.last_login_at else None,
        "history": [
            {"at": entry.at.isoformat() + "Z", "action": entry.action, "details": entry.details}
            for entry in about_them
        ],
    }
    for name, export in registry().personal_data.items():  # courses: enrolments, attempts, levels …
        data[name] = export(user)
    return data


def erase(user: User) -> None:
    """Anonymise a person on request. The row, organisation, job and target groups stay, so counts
    stay true; names, e-mail, password, tokens and roles go."""
    user.set_email(f"erased-{user.id}@invalid")
    user.set_names("—", "—", "")
    user.password_hash = None
    user.locale = None
    user.is_active_account = False
    user.erased_at = user.deactivated_at = utcnow()
    user.grants.clear()
    for token in db.session.scalars(select(AccountToken).where(AccountToken.user_id == user.id)):
        db.session.delete(token)
    _erase_from_audit_log(user)
    db.session.flush()
    forget_permissions()
    record("user.erased", user, _scope_path(user))
    signals.user_erased.send(signals.sender(), user=user)


PERSONAL_FIELDS = ("email", "surname", "given_name", "patronymic")


def _erase_from_audit_log(user: User) -> None:
    """The audit log keeps what was done to an erased person, but not their name or address."""
    from lms.audit.models import AuditEntry

    def scrub(details: dict[str, Any]) -> dict[str, Any]:
        return {
            key: "—" if key in PERSONAL_FIELDS else scrub(value) if isinstance(value, dict) else value
            for key, value in details.items()
        }

    for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "User", AuditEntry.target_id == user.id)
    ):
        entry.details = scrub(entry.details or {})


# --- passwords and one-time links --------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Upgrades an outdated hash."""
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if not user.is_active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    db.session.flush()
    record("user.password-changed", user, _scope_path(user))


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, created_by: User | None = None) -> str:
    """A new one-time token for ``user``; only its hash is stored. Older unused ones of the same
    purpose stop working."""
    now = utcnow()
    for token in db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None)
        )
    ):
        token.used_at = now
    raw = secrets.token_urlsafe(32)
    lifetime = (
        timedelta(days=current_app.config["LMS_INVITATION_DAYS"])
        if purpose == TokenPurpose.INVITATION
        else timedelta(hours=current_app.config["LMS_RESET_HOURS"])
    )
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=_token_hash(raw),
            created_by_id=getattr(created_by, "id", None),
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    record(f"user.{purpose.value.replace('_', '-')}-issued", user, _scope_path(user))
    return raw


def token_user(raw: str, purpose: TokenPurpose) -> User | None:
    """The user a valid (unused, unexpired) token belongs to."""
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _token_hash(raw), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        return None
    if token.user.is_erased or not token.user.is_active_account:  # deactivated: only "activate" brings back
        return None
    return token.user


def use_token(raw: str, purpose: TokenPurpose, new_password: str) -> User | None:
    """Spend a token: set the password (and activate an invited account). None if it is not valid."""
    user = token_user(raw, purpose)
    if user is None:
        return None
    token = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _token_hash(raw)))
    assert token is not None
    token.used_at = utcnow()
    user.password_hash = hash_password(new_password)
    user.is_active_account = True
    user.deactivated_at = None
    db.session.flush()
    record(f"user.{purpose.value.replace('_', '-')}-used", user, _scope_path(user))
    return user


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link built from LMS_BASE_URL, never from the request's Host header."""
    return current_app.config["LMS_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


# --- lists ----------------------------------------------------------------------------------------


def scoped_people(scope: Scope) -> Select[tuple[User]]:
    """People whose home organisation lies in ``scope``, in Ukrainian alphabetical order."""
    query = select(User).outerjoin(User.organisation)
    if not scope.is_everything:
        query = query.where(scope.filter(Organisation.path))
    return query.order_by(User.name_sort, User.id)


def people_matching(search: str) -> list[ColumnElement[bool]]:
    """WHERE clauses for a search box: every word typed must be found in the surname, given name,
    patronymic or e-mail, in any order ("Мельник Олена Петрівна", "олена мельник", "melnyk@")."""
    clauses: list[ColumnElement[bool]] = []
    for word in search.split()[:MAX_SEARCH_WORDS]:
        key = sort_key(word)[:-2]  # case and apostrophes ignored, as the names are sorted
        name_parts = [column.contains(word, autoescape=True) for column in NAME_COLUMNS]
        if key:  # the keys of the three names, one after another: a part matches anywhere in them
            name_parts.append(User.name_sort.contains(key, autoescape=True))
        clauses.append(or_(*name_parts, User.email_casefold.contains(casefold_email(word), autoescape=True)))
    return clauses


def count_active_people(scope: Scope) -> int:
    """Active accounts that have been taken up (a password is set); invited people are counted apart."""
    return _count(
        scoped_people(scope).where(User.is_active_account.is_(True), User.password_hash.is_not(None))
    )


def count_invited_people(scope: Scope) -> int:
    """Active accounts whose invitation has not been accepted yet (no password set)."""
    return _count(
        scoped_people(scope).where(
            User.is_active_account.is_(True), User.password_hash.is_(None), User.erased_at.is_(None)
        )
    )


def _count(query: Select[tuple[User]]) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def target_groups(active_only: bool = True) -> list[TargetGroup]:
    query = select(TargetGroup).order_by(TargetGroup.position, TargetGroup.id)
    if active_only:
        query = query.where(TargetGroup.is_active.is_(True))
    return list(db.session.scalars(query))


def jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.position, Job.id)))


def save_target_group(
    group: TargetGroup | None, code: str, name: dict[str, str], is_active: bool
) -> TargetGroup:
    """Create (``group`` None) or change a target group."""
    if group is None:
        position = db.session.scalar(select(func.max(TargetGroup.position))) or 0
        group = TargetGroup(position=position + 1)
        db.session.add(group)
    group.code = code.strip()
    group.name = Translated({locale: text.strip() for locale, text in name.items() if text.strip()})
    group.is_active = is_active
    db.session.flush()
    record("targetgroup.saved", group, "", code=group.code, name=dict(group.name), is_active=is_active)
    return group
