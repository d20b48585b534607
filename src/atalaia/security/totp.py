"""Time-based one-time passwords (RFC 6238) and recovery codes: pure functions, no storage.

pyotp computes the codes. This module decides which time steps count (one either side of now,
for a phone whose clock is a little off) and returns the step that matched, so that the caller
can refuse the same step a second time: a code seen over someone's shoulder is then worthless.

Recovery codes are a public selector (the first 4 characters, stored in clear only to find the
row) followed by 60 secret bits; the whole code is hashed with argon2 like a password.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Final

import pyotp

ISSUER: Final = "Atalaia"
STEP_SECONDS: Final = 30
DIGITS: Final = 6
TOLERANCE_STEPS: Final = 1  # steps accepted either side of now: 30 s of clock drift
RECOVERY_CODES: Final = 10
RECOVERY_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
RECOVERY_LENGTH: Final = 16  # 80 bits, of which the 4-character selector (20 bits) is public
SELECTOR_LENGTH: Final = 4
_LOOKALIKES: Final = str.maketrans({"o": "0", "i": "1", "l": "1"})


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=account, issuer_name=issuer)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def looks_like_code(text: str) -> bool:
    code = text.replace(" ", "")
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The latest time step within the tolerance whose code is `code`, or None.

    Every candidate is compared in constant time and none is skipped, so timing tells nothing.
    """
    code = code.replace(" ", "")
    if not looks_like_code(code):
        return None
    centre = current_step(now)
    matched = None
    for step in range(centre - TOLERANCE_STEPS, centre + TOLERANCE_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step).encode(), code.encode()):
            matched = step
    return matched


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Fresh recovery codes, normalised (16 characters, no dashes)."""
    return ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(count)]


def normalise_recovery_code(text: str) -> str | None:
    """What the person typed, without dashes, spaces or case, lookalike letters read as digits; None if malformed."""
    code = "".join(text.split()).replace("-", "").lower().translate(_LOOKALIKES)
    if len(code) != RECOVERY_LENGTH or any(char not in RECOVERY_ALPHABET for char in code):
        return None
    return code


def recovery_selector(code: str) -> str:
    return code[:SELECTOR_LENGTH]


def format_recovery_code(code: str) -> str:
    """`abcd-efgh-jkmn-pqrs`: easier to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
