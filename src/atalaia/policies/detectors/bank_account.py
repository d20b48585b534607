"""Bank branch (agência) and account numbers, found only next to the words that introduce them.

A bare "12345-6" is anything; "ag 1234 cc 12345-6" is an account. Two shapes count:
1. a label then a number: "agência 1234", "ag: 1234-5", "conta 12345-6", "c/c nº 0012345-X";
2. an "agency/account" pair, "1234 / 12345-6", within `NEAR_CHARS` after a bank's name.
Only the numbers are reported, so a reviewer (or a redaction) sees exactly what leaked.
"""

from __future__ import annotations

import re
from typing import Final

from atalaia.policies.detectors._numbers import count_digits
from atalaia.policies.detectors._text import Folded, Span, fold

NEAR_CHARS: Final = 40
_BRANCH_LABEL: Final = r"ag(?:encia|\.)?"
_ACCOUNT_LABEL: Final = r"(?:conta(?:[ \-]?corrente|[ \-]poupanca)?|c/c|c\.c\.?|cc|c/p|poupanca)"
_FILLER: Final = r"[ .:#\-]*(?:n[o.]?[ .:#]*)?"  # "ag.: ", "conta nº " (º folds to o), "c/c no. "
_DV: Final = r"(?:[\-.][0-9x])?"
_LABELLED: Final = re.compile(
    r"(?<![^\W_])(?:"
    rf"(?:{_BRANCH_LABEL}){_FILLER}(?P<branch>[0-9]{{3,5}}{_DV})"
    rf"|{_ACCOUNT_LABEL}{_FILLER}(?P<account>[0-9]{{3,13}}{_DV})"
    r")(?![0-9a-z]|[\-./][0-9])"
)
_PAIR: Final = re.compile(r"(?<![0-9])(?P<branch>[0-9]{4}(?:-[0-9x])?) ?/ ?(?P<account>[0-9]{3,13}-[0-9x])(?![0-9])")
_BANK: Final = re.compile(
    r"(?<![^\W_])(?:banco|bco|itau|bradesco|santander|caixa|nubank|inter|sicoob|sicredi|banrisul|"
    r"safra|btg|c6|bb|original|mercado pago|pagbank|picpay)(?![^\W_])"
)
_LABEL_STARTS: Final = ("ag", "conta", "cc", "c/", "c.", "poupanca")


def find_bank_accounts(text: str, *, view: Folded | None = None, digits: int | None = None) -> list[Span]:
    """Spans of branch and account numbers in `text`; `view`/`digits` when the caller has them."""
    if (count_digits(text) if digits is None else digits) < 3:
        return []
    view = view or fold(text)
    folded = view.text
    starts = sorted({pos for label in _LABEL_STARTS for pos in _positions(folded, label)})
    if not starts and "/" not in folded:
        return []
    found: list[Span] = []
    end = 0
    for pos in starts:  # matching only where a label starts: a full regex search tries every position
        m = _LABELLED.match(folded, pos) if pos >= end else None
        if m is None:
            continue
        end = m.end()
        group = "branch" if m.group("branch") else "account"
        number = m.group(group)
        if group == "account" and len(number) < 5:
            continue  # "a conta 150": too short to be an account without a check digit
        found.append(view.to_original(*m.span(group)))
    for m in _PAIR.finditer(folded) if "/" in folded else ():
        if _BANK.search(folded, max(0, m.start() - NEAR_CHARS), m.start()):
            found.append(view.to_original(*m.span("branch")))
            found.append(view.to_original(*m.span("account")))
    return sorted(set(found))


def _positions(text: str, word: str) -> list[int]:
    positions = []
    pos = text.find(word)
    while pos >= 0:
        positions.append(pos)
        pos = text.find(word, pos + 1)
    return positions
