"""What one Cloud API message object says: its kind, readable text and media.

Every field is optional and attacker-controlled; anything missing or of the wrong type yields
None rather than an exception, and an unknown type is kept as `unsupported` with its raw JSON.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Final

from atalaia.domain.enums import MessageKind
from atalaia.domain.events import AttachmentRef

MEDIA_KINDS: Final = {
    "image": MessageKind.IMAGE,
    "video": MessageKind.VIDEO,
    "audio": MessageKind.AUDIO,
    "document": MessageKind.DOCUMENT,
    "sticker": MessageKind.STICKER,
}


@dataclass(frozen=True, slots=True)
class Content:
    kind: MessageKind
    text: str | None
    attachments: tuple[AttachmentRef, ...] = ()


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def sha256_hex(value: Any) -> str | None:
    """Webhooks give base64, the media endpoint sometimes hex; store hex either way."""
    text = as_str(value)
    if not text:
        return None
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def content_of(message: dict[str, Any]) -> Content:
    kind_name = as_str(message.get("type")) or ""
    body = as_dict(message.get(kind_name))
    if kind_name == "text":
        return Content(MessageKind.TEXT, as_str(body.get("body")))
    if kind_name in MEDIA_KINDS:
        attachment = AttachmentRef(
            file_name=as_str(body.get("filename")),
            mime_type=as_str(body.get("mime_type")),
            sha256=sha256_hex(body.get("sha256")),
            provider_media_id=as_str(body.get("id")),
            caption=as_str(body.get("caption")),
        )
        return Content(MEDIA_KINDS[kind_name], as_str(body.get("caption")), (attachment,))
    if kind_name == "location":
        parts = [as_str(body.get("name")), as_str(body.get("address"))]
        coordinates = f"{body.get('latitude')},{body.get('longitude')}"
        return Content(MessageKind.LOCATION, " — ".join(p for p in parts if p) or coordinates)
    if kind_name == "contacts":
        listed = message.get("contacts")
        cards: list[Any] = listed if isinstance(listed, list) else []
        names = [as_str(as_dict(as_dict(card).get("name")).get("formatted_name")) for card in cards]
        phones = [
            as_str(as_dict(phone).get("phone"))
            for card in cards
            for phone in (as_dict(card).get("phones") or [])
            if isinstance(phone, dict)
        ]
        return Content(MessageKind.CONTACTS, "; ".join(p for p in [*names, *phones] if p) or None)
    if kind_name == "interactive":
        reply = as_dict(body.get("button_reply")) or as_dict(body.get("list_reply"))
        text = as_str(reply.get("title")) or as_str(as_dict(body.get("nfm_reply")).get("body"))
        return Content(MessageKind.INTERACTIVE, text)
    if kind_name == "button":
        return Content(MessageKind.BUTTON, as_str(body.get("text")) or as_str(body.get("payload")))
    if kind_name == "order":
        return Content(MessageKind.ORDER, as_str(body.get("text")))
    if kind_name == "system":
        return Content(MessageKind.SYSTEM, as_str(body.get("body")))
    return Content(MessageKind.UNSUPPORTED, None)
