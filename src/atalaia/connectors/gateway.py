"""What the linked-device gateway connectors (Evolution API, WAHA) share: the parse result and
tolerant readers for the JSON they send.

Every reader takes any JSON value and returns None rather than raising: a gateway body is
attacker-controlled as far as the archive is concerned, and one odd field must not cost the rest.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from atalaia.domain.enums import LineStatus
from atalaia.domain.events import ArchiveEvent, ConversationRef, EditEvent, RevokeEvent

MAX_NAME_CHARS: Final = 120  # an event name longer than this is not one; clipped in problem notes
MAX_BYTE_ITEMS: Final = 4096  # hashes and secrets are 32 bytes; a longer array is not one of them
EARLIEST: Final = datetime(2009, 1, 1, tzinfo=UTC)  # WhatsApp did not exist before; older = garbage


@dataclass(slots=True)
class GatewayParse:
    """One gateway webhook body, normalised.

    `unplaced` holds edits and deletions whose chat the body does not say for sure (Evolution's
    `messages.edited` carries the protocol message alone, whose key is written from the sender's
    side): the ingest service places them in the chat of the archived target message, falls back
    to their `conversation` when its key is not empty, and otherwise leaves them to the journal.
    """

    event: str
    instance: str | None = None
    events: list[ArchiveEvent] = field(default_factory=list)
    unplaced: list[EditEvent | RevokeEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    line_status: LineStatus | None = None
    status_reason: str | None = None
    group_subjects: dict[str, str] = field(default_factory=dict)  # group conversation key -> subject
    encrypted_edits: list[EncryptedEdit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EncryptedEdit:
    """An edit only the original message's `messageSecret` opens (connectors/evolution/secret_edit.py).

    The ingest service finds the archived original, decrypts and archives an EditEvent, or keeps
    the body in the journal until the original is in (replay).
    """

    provider_event_id: str  # the secret message's own id
    target_message_id: str
    conversation: ConversationRef
    payload: bytes
    iv: bytes
    editors: tuple[str, ...]  # JIDs the editor may be known by (phone and LID)
    at: datetime
    raw: dict[str, Any]


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def text_of(value: Any) -> str | None:
    """A non-empty string, or None."""
    return value if isinstance(value, str) and value else None


def event_name(value: Any) -> str:
    """`messages.upsert`, `MESSAGES_UPSERT` and `messages-upsert` all read `messages.upsert`."""
    text = as_str(value) or ""
    return text[:MAX_NAME_CHARS].strip().lower().replace("_", ".").replace("-", ".")


def number(value: Any) -> float | None:
    """A JSON number, a numeric string, or a protobuf Long (`{low, high, unsigned}`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get("low"), int) and isinstance(value.get("high"), int):
        low, high = value["low"] & 0xFFFFFFFF, value["high"]
        if value.get("unsigned") is True:
            high &= 0xFFFFFFFF
        return float((high << 32) | low)
    return None


def moment(value: Any, *, millis: bool = False) -> datetime | None:
    """An aware UTC datetime from Unix seconds (or milliseconds); None when absurd."""
    seconds = number(value)
    if seconds is None or seconds != seconds:  # NaN
        return None
    if millis:
        seconds /= 1000
    try:
        result = datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return result if result >= EARLIEST else None


def iso_moment(value: Any) -> datetime | None:
    """Evolution's `date_time` (`2025-05-01T17:51:14.031Z`, sometimes with an offset)."""
    text = as_str(value)
    if not text or len(text) > 40:
        return None
    try:
        result = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def bytes_of(value: Any) -> bytes | None:
    """Protobuf bytes as gateways serialise them: base64 text, a list of ints, or a Uint8Array
    serialised by JSON.stringify (`{"0": 12, "1": 250, ...}`)."""
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            try:
                return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            except (binascii.Error, ValueError):
                return None
    items: list[Any]
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict) and value.get("type") == "Buffer":  # Node's Buffer.toJSON()
        items = as_list(value.get("data"))
    elif isinstance(value, dict) and 0 < len(value) <= MAX_BYTE_ITEMS and all(k.isdigit() for k in value):
        items = [value[k] for k in sorted(value, key=int)]
    else:
        return None
    if not items or len(items) > MAX_BYTE_ITEMS or not all(_is_byte(i) for i in items):
        return None
    return bytes(items)


def _is_byte(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 255


def sha256_hex(value: Any) -> str | None:
    """A declared SHA-256 as lower-case hex, from hex text or any bytes form above."""
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value):
        return value.lower()
    raw = bytes_of(value)
    return raw.hex() if raw is not None and len(raw) == 32 else None


def clip_note(value: Any, limit: int = 80) -> str:
    """A provider value quoted in a problem note: short, and never more than the value's repr."""
    return repr(value if isinstance(value, str | int | float | bool) or value is None else type(value).__name__)[:limit]
