"""The built-in text detectors of one text, in one straight pass behind cheap gates.

The engine's budget is ~10 µs per message on one core, and a Python call costs ~0.2 µs
here, so this is deliberately one flat function rather than a registry of objects:
1. count the digits once (a `bytes.translate`, ~0.3 µs); most messages stop every number
   detector right there, and those without an '@' or four dashes either stop everything;
2. find the number windows once for CPF, card, phone and PIX, and sort them in one pass (a
   window's digit count says which shapes can fit);
3. run each remaining detector only when its own gate passes ('@' for e-mail, 14 digits or
   capitals for CNPJ, a label word for bank accounts, a candidate or four dashes for PIX).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from atalaia.policies.detectors._numbers import MIN_WINDOW_DIGITS, Window, keep_longest, number_windows
from atalaia.policies.detectors._text import Folded, Span
from atalaia.policies.detectors.bank_account import find_bank_accounts
from atalaia.policies.detectors.cnpj import find_cnpj
from atalaia.policies.detectors.cpf import SHAPE as CPF_SHAPE
from atalaia.policies.detectors.cpf import is_valid_cpf
from atalaia.policies.detectors.credit_card import SHAPE as CARD_SHAPE
from atalaia.policies.detectors.credit_card import is_valid_card
from atalaia.policies.detectors.email import find_emails
from atalaia.policies.detectors.phone import SHAPE as PHONE_SHAPE
from atalaia.policies.detectors.phone import drop_lookalikes, is_valid_phone
from atalaia.policies.detectors.pix_key import pix_key_spans

NAMES: Final = frozenset({"cpf", "cnpj", "credit_card", "email", "phone", "pix_key", "bank_account"})
_WINDOW_USERS: Final = frozenset({"cpf", "credit_card", "phone", "pix_key"})
_DIGITS: Final = b"0123456789"
_UPPER: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NONE: Final[list[Span]] = []  # shared and never mutated: saves an allocation per detector and message
_NO_WINDOWS: Final[list[Window]] = []
_NOTHING: Final[Mapping[str, list[Span]]] = MappingProxyType({})


def detect_builtin(text: str, names: frozenset[str], *, view: Folded | None = None) -> Mapping[str, list[Span]]:
    """Spans per detector name, for each name in `names` (and what PIX needs); `view`: the folded text.

    Read-only: a message that cannot hold any personal datum gets one shared empty mapping.
    """
    raw = text.encode("latin-1", "replace")
    digits = len(raw) - len(raw.translate(None, _DIGITS))
    if digits < 2 and "@" not in text and text.count("-") < 4:
        return _NOTHING  # every number needs 2 digits or more, an e-mail its '@', a random PIX key 4 dashes
    windows = (
        number_windows(text, digits=digits)
        if digits >= MIN_WINDOW_DIGITS and not names.isdisjoint(_WINDOW_USERS)
        else _NO_WINDOWS
    )
    pix = "pix_key" in names
    want_cpf, want_card, want_phone = pix or "cpf" in names, "credit_card" in names, pix or "phone" in names
    found: dict[str, list[Span]] = {}
    if windows:
        cpf, card, phone = _from_windows(text, windows, cpf=want_cpf, card=want_card, phone=want_phone)
    else:
        cpf = card = phone = _NONE
    if want_cpf:
        found["cpf"] = cpf
    if want_card:
        found["credit_card"] = card
    if want_phone:
        found["phone"] = phone
    if pix or "cnpj" in names:
        found["cnpj"] = (
            find_cnpj(text, digits=digits, upper=len(raw) - len(raw.translate(None, _UPPER))) if digits >= 2 else _NONE
        )
    if pix or "email" in names:
        found["email"] = find_emails(text)
    if "bank_account" in names:
        found["bank_account"] = find_bank_accounts(text, view=view, digits=digits) if digits >= 3 else _NONE
    if pix:
        candidates = [*found["cpf"], *found["cnpj"], *found["email"], *found["phone"]]
        found["pix_key"] = pix_key_spans(text, candidates=candidates) if candidates or "-" in text else _NONE
    return found


def _from_windows(
    text: str, windows: list[Window], *, cpf: bool, card: bool, phone: bool
) -> tuple[list[Span], list[Span], list[Span]]:
    """CPF, card and phone spans in one pass over the windows (what `cpf_spans`, `card_spans` and
    `phone_spans` give one by one): a window's digit count says which shapes can fit."""
    cpfs: list[Span] = []
    cards: list[Span] = []
    phones: list[Span] = []
    for start, end, number in windows:
        size = len(number)
        if cpf and size == 11 and CPF_SHAPE.fullmatch(text, start, end) and is_valid_cpf(number):
            cpfs.append((start, end))
        if card and size >= 13 and CARD_SHAPE.fullmatch(text, start, end) and is_valid_card(number):
            cards.append((start, end))
        if phone and size <= 13 and PHONE_SHAPE.fullmatch(text, start, end) and is_valid_phone(number):
            phones.append((start, end))
    return keep_longest(cpfs), keep_longest(cards), drop_lookalikes(text, keep_longest(phones))
