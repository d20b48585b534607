"""TOTP arithmetic, recovery-code formats and the signed pending-login value: pure, no database."""

from __future__ import annotations

import pyotp
import pytest

from atalaia.security.totp import (
    RECOVERY_CODES,
    current_step,
    format_recovery_code,
    matching_step,
    new_recovery_codes,
    new_secret,
    normalise_recovery_code,
    provisioning_uri,
    recovery_selector,
)
from atalaia.web.console.signin import PENDING_SECONDS, pending_value, read_pending_value

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_750_000_000.0  # a fixed moment, so no test depends on the wall clock


def code(offset_seconds: float) -> str:
    return pyotp.TOTP(SECRET).at(NOW + offset_seconds)


def test_the_current_code_matches_its_own_step() -> None:
    assert matching_step(SECRET, code(0), now=NOW) == current_step(NOW)


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_either_side_is_tolerated(offset: int) -> None:
    assert matching_step(SECRET, code(offset), now=NOW) == current_step(NOW) + offset // 30


@pytest.mark.parametrize("offset", [-90, -60, 60, 90, 3600])
def test_codes_further_away_are_refused(offset: int) -> None:
    assert matching_step(SECRET, code(offset), now=NOW) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"])
def test_malformed_codes_never_match(typed: str) -> None:
    assert matching_step(SECRET, typed, now=NOW) is None


def test_spaces_in_a_typed_code_are_ignored() -> None:
    typed = code(0)
    assert matching_step(SECRET, f"{typed[:3]} {typed[3:]}", now=NOW) == current_step(NOW)


def test_the_same_code_as_pyotp_for_a_new_secret() -> None:
    secret = new_secret()
    assert len(secret) == 32  # 160 bits
    assert matching_step(secret, pyotp.TOTP(secret).at(NOW), now=NOW) == current_step(NOW)


def test_the_provisioning_uri_names_the_issuer_and_the_account() -> None:
    uri = provisioning_uri(SECRET, account="ana@exemplo.com.br")
    assert uri.startswith("otpauth://totp/Atalaia:ana%40exemplo.com.br?")
    assert f"secret={SECRET}" in uri
    assert "issuer=Atalaia" in uri


def test_recovery_codes_are_distinct_and_read_back_however_typed() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == RECOVERY_CODES
    for generated in codes:
        shown = format_recovery_code(generated)
        assert len(shown) == 19
        assert shown.count("-") == 3
        assert normalise_recovery_code(f"  {shown.upper()} ") == generated
        assert recovery_selector(generated) == generated[:4]


@pytest.mark.parametrize("typed", ["", "abcd-efgh", "abcd-efgh-jkmn-pqrs-tvwx", "abcd-efgh-jkmn-pqr!"])
def test_malformed_recovery_codes_are_none(typed: str) -> None:
    assert normalise_recovery_code(typed) is None


def test_lookalike_letters_read_as_digits() -> None:
    assert normalise_recovery_code("OOOO-IIII-LLLL-0000") == "0000111111110000"


KEY = b"k" * 32


def test_a_pending_value_names_its_user_until_it_expires() -> None:
    value = pending_value(KEY, user_id=42, now=NOW)

    assert read_pending_value(KEY, value, now=NOW) == 42
    assert read_pending_value(KEY, value, now=NOW + PENDING_SECONDS) == 42
    assert read_pending_value(KEY, value, now=NOW + PENDING_SECONDS + 1) is None


def test_a_forged_or_foreign_pending_value_is_refused() -> None:
    value = pending_value(KEY, user_id=42, now=NOW)
    body, _, mac = value.rpartition(".")
    forged = "43" + body[2:] + "." + mac

    assert read_pending_value(KEY, forged, now=NOW) is None
    assert read_pending_value(b"x" * 32, value, now=NOW) is None
    for junk in (None, "", "a.b", "1.2.3.4.5"):
        assert read_pending_value(KEY, junk, now=NOW) is None
