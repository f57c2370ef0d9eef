"""Password hashing with Argon2id (memory-hard).

Parameters: 19 MiB of memory, 2 passes, 1 lane — OWASP's minimum for Argon2id, chosen so that a
small hub server (one or two cores, little memory) verifies a login in tens of milliseconds while
each guess costs an attacker the same memory. `make bench` measures a login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_STANDARD = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# The test suite creates hundreds of accounts; it uses cheap parameters (LMS_PASSWORD_HASH_FAST).
_FAST = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    return _FAST if current_app.config.get("LMS_PASSWORD_HASH_FAST") else _STANDARD


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _hasher().hash(password)  # same cost whether or not the account exists
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
