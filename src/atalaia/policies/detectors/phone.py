"""Brazilian phone numbers, validated against the national numbering plan that `phonenumbers` ships.

`phonenumbers.PhoneNumberMatcher` costs tens of microseconds per message; instead we find
candidates in the shared number windows and check the national number against the BR
mobile and fixed-line patterns from the library's metadata, compiled once. The area code
(DDD) is required: without it a number cannot be told from any other eight digits.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from atalaia.policies.detectors._numbers import SEP, Window, number_windows, pick
from atalaia.policies.detectors._text import Span
from atalaia.policies.detectors.cpf import is_valid_cpf

NEAR_CHARS: Final = 40
_PHONE_WORD: Final = re.compile(r"\b(?:tel|fone|cel|whats|wpp|zap|ligue|me liga|contato|n[uú]mero)")
SHAPE: Final = re.compile(
    r"(?:\+ ?55|\(\+?55\)|55)?" + f"{SEP}?"  # country code
    r"(?:\(0?[1-9][0-9]\)|0?[1-9][0-9])" + f"{SEP}?"  # area code, with the old trunk 0
    r"(?:9" + f"{SEP}?)?" + r"[0-9]{4}" + f"{SEP}?" + r"[0-9]{4}"
)


@cache
def _national_pattern() -> re.Pattern[str]:
    import phonenumbers  # deferred: loading the metadata costs ~50 ms, paid only when phones are scanned

    meta = phonenumbers.PhoneMetadata.metadata_for_region("BR")
    assert meta is not None
    assert meta.mobile is not None
    assert meta.fixed_line is not None
    mobile = meta.mobile.national_number_pattern
    fixed = meta.fixed_line.national_number_pattern
    return re.compile(f"(?:{mobile})|(?:{fixed})")


def national_number(digits: str, *, trunk: bool = True) -> str | None:
    """The 10- or 11-digit national number inside `digits` (country code and, if `trunk`, the 0 removed)."""
    if len(digits) in (12, 13) and digits.startswith("55"):
        digits = digits[2:]
    if trunk and len(digits) in (11, 12) and digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) in (10, 11) else None


def is_valid_phone(digits: str, *, trunk: bool = True) -> bool:
    national = national_number(digits, trunk=trunk)
    return national is not None and _national_pattern().fullmatch(national) is not None


def phone_spans(text: str, windows: list[Window]) -> list[Span]:
    """Phones among the windows; an unformatted 11-digit number that is also a valid CPF needs a
    phone word nearby ("tel", "cel", "whats"...): such a number is a CPF about seven times out of
    eight (a CPF has a valid area code and mobile 9 about 1 time in 15, a phone passes the CPF
    check digits 1 time in 100)."""
    return drop_lookalikes(text, pick(text, windows, lengths=range(10, 14), shape=SHAPE, valid=is_valid_phone))


def drop_lookalikes(text: str, spans: list[Span]) -> list[Span]:
    """Phone-shaped spans minus bare CPFs without a phone word and bare numbers with a glued trunk 0."""
    if not spans:
        return spans
    return [span for span in spans if not _looks_like_cpf(text, span) and not _bare_trunk(text, span)]


def _bare_trunk(text: str, span: Span) -> bool:
    """ "08930666213": the trunk 0 is written as "(021)" or "021 ...", never glued to a bare number."""
    number = text[span[0] : span[1]]
    return number.isdigit() and not is_valid_phone(number, trunk=False)


def _looks_like_cpf(text: str, span: Span) -> bool:
    start, end = span
    digits = text[start:end]
    if len(digits) != 11 or not digits.isdigit() or not is_valid_cpf(digits):
        return False
    return _PHONE_WORD.search(text[max(0, start - NEAR_CHARS) : end + NEAR_CHARS].lower()) is None


def find_phones(text: str) -> list[Span]:
    """`+55 (21) 99999-8888`, `21 9 9999-8888`, `(021) 3333-4444`, `21999998888`..."""
    return phone_spans(text, number_windows(text))
