"""CPF (individual taxpayer number): 11 digits, two mod-11 check digits."""

from __future__ import annotations

import re
from operator import mul
from typing import Final

from atalaia.policies.detectors._numbers import Window, number_windows, pick
from atalaia.policies.detectors._text import Span

# No spaces inside: a CPF is written as one piece ("123.456.789-09"), and allowing spaces
# would find CPFs in the middle of card numbers written in groups.
SHAPE: Final = re.compile(r"[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}[-\u2010-\u2015./]?[0-9]{2}")
_WEIGHTS_1: Final = (10, 9, 8, 7, 6, 5, 4, 3, 2)  # map() stops at the shorter: the first 9 digits
_WEIGHTS_2: Final = (11, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_OFFSET_1: Final = 48 * sum(_WEIGHTS_1)
_OFFSET_2: Final = 48 * sum(_WEIGHTS_2)


def is_valid_cpf(digits: str) -> bool:
    """Check digits right, and not one digit repeated (111.111.111-11 passes the sums but is fake).

    The weighted sums run on the ASCII bytes in C (`sum(map(mul, ...))`, ~1 µs against ~3 µs for
    a Python loop); each byte is its digit plus 48, taken off once per sum.
    """
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit() or digits == digits[0] * 11:
        return False
    raw = digits.encode("ascii")
    first: int = (sum(map(mul, raw, _WEIGHTS_1)) - _OFFSET_1) * 10 % 11 % 10
    if first != raw[9] - 48:
        return False
    second: int = (sum(map(mul, raw, _WEIGHTS_2)) - _OFFSET_2) * 10 % 11 % 10
    return second == raw[10] - 48


def cpf_spans(text: str, windows: list[Window]) -> list[Span]:
    return pick(text, windows, lengths=(11,), shape=SHAPE, valid=is_valid_cpf)


def find_cpf(text: str) -> list[Span]:
    """CPFs written `123.456.789-09`, `123456789-09` or `12345678909`, never inside a longer number."""
    return cpf_spans(text, number_windows(text))
