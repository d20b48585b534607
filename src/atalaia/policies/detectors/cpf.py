"""CPF (individual taxpayer number): 11 digits, two mod-11 check digits."""

from __future__ import annotations

import re
from typing import Final

from atalaia.policies.detectors._numbers import Window, number_windows, pick
from atalaia.policies.detectors._text import Span

# No spaces inside: a CPF is written as one piece ("123.456.789-09"), and allowing spaces
# would find CPFs in the middle of card numbers written in groups.
_SHAPE: Final = re.compile(r"[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}[-\u2010-\u2015./]?[0-9]{2}")


def is_valid_cpf(digits: str) -> bool:
    """Check digits right, and not one digit repeated (111.111.111-11 passes the sums but is fake)."""
    if len(digits) != 11 or not digits.isdigit() or digits == digits[0] * 11:
        return False
    numbers = [ord(c) - 48 for c in digits]
    for size in (9, 10):
        total = sum(n * w for n, w in zip(numbers[:size], range(size + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != numbers[size]:
            return False
    return True


def cpf_spans(text: str, windows: list[Window]) -> list[Span]:
    return pick(text, windows, lengths=(11,), shape=_SHAPE, valid=is_valid_cpf)


def find_cpf(text: str) -> list[Span]:
    """CPFs written `123.456.789-09`, `123456789-09` or `12345678909`, never inside a longer number."""
    return cpf_spans(text, number_windows(text))
