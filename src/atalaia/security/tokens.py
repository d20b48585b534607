"""Bearer tokens and session tokens: random, shown once, stored only as SHA-256.

SHA-256 (not argon2) is right here: the tokens carry 256 bits of randomness, so there is
nothing to brute-force, and lookups must be a single indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

TOKEN_PREFIX: Final = "atl_"  # noqa: S105 - a public marker that makes leaked tokens greppable


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
