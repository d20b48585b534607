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
# takes the same time whether or not the account exists.
_DUMMY_HASH: Final = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits
