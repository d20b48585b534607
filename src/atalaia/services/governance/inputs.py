"""What every governance action checks first: a reason, dates, a phone number."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from atalaia.errors import InvalidInput
from atalaia.search import parse_date_bound
from atalaia.services.lines import normalise_number

MAX_REASON: Final = 2_000


def require_reason(reason: str | None, *, what: str = "a ação") -> str:
    """A hold, a release, a purge rule or an erasure must say why: the audit trail is its point."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(f"Informe o motivo para {what} (--reason).")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"O motivo tem no máximo {MAX_REASON} caracteres.")
    return text


def parse_day(value: str | None, *, timezone: str, end: bool, label: str) -> datetime | None:
    """A date typed by a person, in the tenant's time zone; `end` makes a whole day inclusive."""
    if value is None or not value.strip():
        return None
    return parse_date_bound(value, timezone=timezone, end=end, label=label)


def subject_phone(value: str) -> str:
    """E.164 for a phone number or a WhatsApp id (digits with the country code, maybe with
    `@s.whatsapp.net`)."""
    text = (value or "").strip().split("@", 1)[0]
    if not text:
        raise InvalidInput("Informe o telefone do titular (--phone).")
    try:
        return normalise_number(text)
    except InvalidInput:
        digits = text.lstrip("+")
        if digits.isdigit():
            return normalise_number("+" + digits)  # a WhatsApp id: country code first, no plus
        raise


def wa_digits(e164: str) -> str:
    """The WhatsApp id form of a number: its digits, country code first."""
    return e164.lstrip("+")


def mask_phone(e164: str) -> str:
    """What the request register keeps of a phone after erasure: the country code and last 4 digits."""
    digits = wa_digits(e164)
    return "+" + digits[:2] + "*" * max(len(digits) - 6, 0) + digits[-4:]
