"""Meta's webhook signature: HMAC-SHA256 of the exact raw body with the app secret."""

from __future__ import annotations

import hashlib
import hmac


def signature_valid(*, body: bytes, header: str | None, app_secret: str) -> bool:
    """Constant-time check of `X-Hub-Signature-256: sha256=<hex>`; never parses the body."""
    if not header or not app_secret:
        return False
    scheme, _, received = header.strip().partition("=")
    if scheme.lower() != "sha256" or not received:
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.strip().lower())


def sign(*, body: bytes, app_secret: str) -> str:
    """The header value Meta would send; used by `atalaia simulate` and the tests."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
