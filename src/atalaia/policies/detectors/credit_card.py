"""Payment card numbers: a known brand's prefix and length, and the Luhn checksum.

A number that passes Luhn but belongs to no brand below is not reported: one random 16-digit
number in ten passes Luhn, so the brand prefix is what keeps order ids and barcodes out.
Elo and Hipercard are checked first because their ranges sit inside Visa's and Discover's.
"""

from __future__ import annotations

import re
from typing import Final

from atalaia.policies.detectors._numbers import Window, number_windows, pick
from atalaia.policies.detectors._text import Span

SHAPE: Final = re.compile(
    r"[0-9]{13,19}"
    r"|[0-9]{4}([ .\-\u00a0])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?"  # 4-4-4-4(-3)
    r"|[0-9]{4}([ .\-\u00a0])[0-9]{6}\2[0-9]{4,5}"  # Amex 4-6-5, Diners 4-6-4
)

# b"0".."9" -> the digit of 2 * d (minus 9 above 9), still as a byte: "5" (10 -> 1) becomes "1".
_DOUBLED: Final = bytes.maketrans(b"0123456789", bytes(48 + (2 * d - 9 if d > 4 else 2 * d) for d in range(10)))

_ELO_RANGES: Final = (
    (401178, 401179), (431274, 431274), (438935, 438935), (451416, 451416), (457393, 457393),
    (457631, 457632), (504175, 504175), (506699, 506778), (509000, 509999), (627780, 627780),
    (636297, 636297), (636368, 636368), (650031, 650033), (650035, 650051), (650405, 650439),
    (650485, 650538), (650541, 650598), (650700, 650718), (650720, 650727), (650901, 650920),
    (651652, 651679), (655000, 655019), (655021, 655058),
)  # fmt: skip


def luhn_ok(digits: str) -> bool:
    """Luhn on ASCII digits, in C: every second byte from the right through a table of doubled values."""
    raw = digits.encode("ascii", "replace")
    plain = raw[::-1][::2]  # the rightmost digit and every second one from it, as they are
    doubled = raw[::-1][1::2].translate(_DOUBLED)
    return (sum(plain) - 48 * len(plain) + sum(doubled) - 48 * len(doubled)) % 10 == 0


def card_brand(digits: str) -> str | None:
    """The brand whose prefix and length fit `digits`, or None."""
    size = len(digits)
    six = int(digits[:6])
    four = six // 100
    if size == 16 and any(low <= six <= high for low, high in _ELO_RANGES):
        return "elo"
    if size in (13, 16, 19) and (six == 606282 or digits.startswith("3841")):
        return "hipercard"
    if digits[0] == "4" and size in (13, 16, 19):
        return "visa"
    if size == 16 and (51 <= four // 100 <= 55 or 2221 <= four <= 2720):
        return "mastercard"
    if size == 15 and digits[:2] in ("34", "37"):
        return "amex"
    if 3528 <= four <= 3589 and 16 <= size <= 19:
        return "jcb"
    if size in (14, 16) and (300 <= six // 1000 <= 305 or four == 3095 or digits[:2] in ("36", "38", "39")):
        return "diners"
    if 16 <= size <= 19 and (
        four == 6011 or 644 <= six // 1000 <= 649 or digits[:2] == "65" or 622126 <= six <= 622925
    ):
        return "discover"
    return None


def is_valid_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and card_brand(digits) is not None and luhn_ok(digits)


def card_spans(text: str, windows: list[Window]) -> list[Span]:
    return pick(text, windows, lengths=range(13, 20), shape=SHAPE, valid=is_valid_card)


def find_credit_cards(text: str) -> list[Span]:
    """Card numbers written together or in groups of 4 (Amex/Diners 4-6-5/4) split by space, dot or dash."""
    return card_spans(text, number_windows(text))
