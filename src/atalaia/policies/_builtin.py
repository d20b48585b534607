"""The built-in text detectors of one text, in one straight pass behind cheap gates.

The engine's budget is ~10 µs per message on one core, and a Python call costs ~0.2 µs
here, so this is deliberately one flat function rather than a registry of objects:
1. count the digits once (a `bytes.translate`, ~0.3 µs); most messages stop every number
   detector right there;
2. find the number windows once for CPF, card, phone and PIX;
3. run each remaining detector only when its own gate passes ('@' for e-mail, 14 digits or
   capitals for CNPJ, a label word for bank accounts, a candidate or four dashes for PIX).
"""

from __future__ import annotations

from typing import Final

from atalaia.policies.detectors._numbers import MIN_WINDOW_DIGITS, Window, number_windows
from atalaia.policies.detectors._text import Folded, Span
from atalaia.policies.detectors.bank_account import find_bank_accounts
from atalaia.policies.detectors.cnpj import find_cnpj
from atalaia.policies.detectors.cpf import cpf_spans
from atalaia.policies.detectors.credit_card import card_spans
from atalaia.policies.detectors.email import find_emails
from atalaia.policies.detectors.phone import phone_spans
from atalaia.policies.detectors.pix_key import pix_key_spans

NAMES: Final = frozenset({"cpf", "cnpj", "credit_card", "email", "phone", "pix_key", "bank_account"})
_WINDOW_USERS: Final = frozenset({"cpf", "credit_card", "phone", "pix_key"})
_DIGITS: Final = b"0123456789"
_NONE: Final[list[Span]] = []  # shared and never mutated: saves an allocation per detector and message
_NO_WINDOWS: Final[list[Window]] = []


def detect_builtin(text: str, names: frozenset[str], *, view: Folded | None = None) -> dict[str, list[Span]]:
    """Spans per detector name, for each name in `names` (and what PIX needs); `view`: the folded text."""
    raw = text.encode("latin-1", "replace")
    digits = len(raw) - len(raw.translate(None, _DIGITS))
    windows = (
        number_windows(text, digits=digits)
        if digits >= MIN_WINDOW_DIGITS and not names.isdisjoint(_WINDOW_USERS)
        else _NO_WINDOWS
    )
    pix = "pix_key" in names
    found: dict[str, list[Span]] = {}
    if pix or "cpf" in names:
        found["cpf"] = cpf_spans(text, windows) if windows else _NONE
    if "credit_card" in names:
        found["credit_card"] = card_spans(text, windows) if windows else _NONE
    if pix or "phone" in names:
        found["phone"] = phone_spans(text, windows) if windows else _NONE
    if pix or "cnpj" in names:
        found["cnpj"] = find_cnpj(text, digits=digits) if digits >= 2 else _NONE
    if pix or "email" in names:
        found["email"] = find_emails(text)
    if "bank_account" in names:
        found["bank_account"] = find_bank_accounts(text, view=view, digits=digits) if digits >= 3 else _NONE
    if pix:
        candidates = [*found["cpf"], *found["cnpj"], *found["email"], *found["phone"]]
        found["pix_key"] = pix_key_spans(text, candidates=candidates) if candidates or "-" in text else _NONE
    return found
