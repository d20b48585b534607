"""Bounding what arrives from WhatsApp before it reaches a column.

Everything here is attacker-controlled: a profile name can be megabytes long and a message can
hold NUL characters, which PostgreSQL refuses in text columns. Text is kept whole (up to a
generous cap) with NUL replaced; identifiers that are too long are replaced by their hash
rather than cut, so two different long ids never collide.
"""

from __future__ import annotations

import hashlib
from typing import Final

MAX_TEXT_CHARS: Final = 1_000_000  # one WhatsApp message is at most ~65k; exports can join lines
REPLACEMENT: Final = "\ufffd"


def clean_text(value: str | None, *, limit: int = MAX_TEXT_CHARS) -> str | None:
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", REPLACEMENT)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates from hostile JSON escapes
            value = value.encode("utf-8", "replace").decode("utf-8")
    return value[:limit]


def clip(value: str | None, limit: int) -> str | None:
    """A short display field (names, file names, emoji): cleaned and cut to the column size."""
    return clean_text(value, limit=limit)


def bounded_id(value: str, limit: int = 200) -> str:
    value = value.replace("\x00", REPLACEMENT)
    if len(value) <= limit:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
