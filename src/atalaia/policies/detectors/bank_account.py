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
from atalaia.policies.detectors._text import Folded, Span, fold, folded_bytes

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
_LABEL_START: Final = re.compile(r"ag|conta|cc|c[/.]|poupanca")  # literals: re skips ahead in C
_LABEL_START_BYTES: Final = re.compile(_LABEL_START.pattern.encode())


def find_bank_accounts(text: str, *, view: Folded | None = None, digits: int | None = None) -> list[Span]:
    """Spans of branch and account numbers in `text`; `view`/`digits` when the caller has them."""
    if (count_digits(text) if digits is None else digits) < 3:
        return []
    if view is None:  # look for a label or a '/' before building the view: most numbers have neither
        quick = folded_bytes(text)
        if quick is not None and b"/" not in quick and _LABEL_START_BYTES.search(quick) is None:
            return []
        view = fold(text)
    folded = view.text
    # Where a label may start. Non-overlapping matches suffice: a label can only start a word, and
    # no word starts inside another label ("c/" and "c." end on their separator).
    starts = [m.start() for m in _LABEL_START.finditer(folded)]
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
