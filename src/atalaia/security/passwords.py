"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from atalaia.errors import InvalidInput

MIN_PASSWORD_LENGTH: Final = 12
_hasher = PasswordHasher()
# A hash of a random password, checked when the e-mail is unknown so that a failed sign-in
# takes the same time whether or not the account exists. Made on first use, not at import:
# every CLI command would otherwise pay for one argon2 hash.
_dummy_hash: str | None = None


def set_hasher_for_tests(hasher: PasswordHasher) -> None:
    """Cheaper argon2 parameters for the test suite only; production keeps the defaults."""
    global _hasher, _dummy_hash
    _hasher, _dummy_hash = hasher, None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits
