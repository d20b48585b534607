"""CNPJ (company number), numeric and the alphanumeric form issued from July 2026.

The alphanumeric CNPJ keeps the layout `SS.SSS.SSS/SSSS-DD`: twelve characters that may be
digits or upper-case letters, then two numeric check digits. Each character is worth
`ord(c) - 48` (so '0'..'9' stay 0..9 and 'A' is 17), and the mod-11 weights are the ones the
numeric CNPJ always used; a numeric CNPJ is simply the case without letters.
"""

from __future__ import annotations

import re
from operator import mul
from typing import Final

from atalaia.policies.detectors._numbers import count_digits, count_upper
from atalaia.policies.detectors._text import Span

_WEIGHTS_1: Final = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_WEIGHTS_2: Final = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_OFFSET_1: Final = 48 * sum(_WEIGHTS_1)  # map() stops at the weights: the first 12, then 13 characters
_OFFSET_2: Final = 48 * sum(_WEIGHTS_2)
_CHAR: Final = "[0-9A-Z]"
# The first character is matched before the look-behinds so that re's fast scan for a
# starting character stays on; the look-arounds keep us out of longer alphanumeric runs.
_PATTERN: Final = re.compile(
    f"{_CHAR}(?<![0-9A-Za-z]{_CHAR})(?<![0-9][./\\-]{_CHAR}){_CHAR}"
    f"\\.?{_CHAR}{{3}}\\.?{_CHAR}{{3}}/?{_CHAR}{{4}}-?[0-9]{{2}}"
    r"(?![0-9A-Za-z])(?![./\-][0-9A-Za-z])"
)
_SEPARATORS: Final = str.maketrans("", "", "./-")


def _check_digit(raw: bytes, weights: tuple[int, ...], offset: int) -> int:
    """Each byte is worth `byte - 48` ('0'..'9' -> 0..9, 'A' -> 17): the offset takes the 48s off at once."""
    remainder: int = (sum(map(mul, raw, weights)) - offset) % 11
    return 0 if remainder < 2 else 11 - remainder


def is_valid_cnpj(value: str) -> bool:
    """`value` without separators: 12 digits or upper-case letters, then 2 check digits."""
    if len(value) != 14 or not value.isascii() or not value[12:].isdigit() or value == value[0] * 14:
        return False
    base = value[:12]
    if not base.isalnum() or base != base.upper():  # ASCII letters and digits, no lower case
        return False
    raw = value.encode("ascii")
    return (
        _check_digit(raw, _WEIGHTS_1, _OFFSET_1) == raw[12] - 48
        and _check_digit(raw, _WEIGHTS_2, _OFFSET_2) == raw[13] - 48
    )


def find_cnpj(text: str, *, digits: int | None = None, upper: int | None = None) -> list[Span]:
    """CNPJs written with or without `.`, `/`, `-`; letters must be upper case, as issued.

    Every one of a CNPJ's 14 characters is a digit or a capital letter, so a text with fewer
    than 14 of those in all is skipped before the regex runs. `digits`/`upper`: the counts of
    ASCII digits and capitals, when the caller has them.
    """
    if len(text) < 14:
        return []
    digits = count_digits(text) if digits is None else digits
    if digits < 2 or digits + (count_upper(text) if upper is None else upper) < 14:
        return []
    return [m.span() for m in _PATTERN.finditer(text) if is_valid_cnpj(m.group().translate(_SEPARATORS))]
