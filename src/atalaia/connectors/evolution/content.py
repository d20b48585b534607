"""What one Baileys message (`proto.Message` as JSON) says: kind, text, media, context.

Evolution API forwards Baileys messages nearly as Baileys built them, with a few rewrites
(`extendedTextMessage` becomes `conversation`, `documentWithCaptionMessage` is unwrapped, media
bytes may be added as `message.base64`). WAHA's NOWEB engine carries the same shape in `_data`.
Every field is optional; anything unexpected yields None, and an unknown content key is kept as
`unsupported`, never dropped.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from atalaia.connectors.gateway import as_dict, as_list, as_str, number, sha256_hex, text_of
from atalaia.domain.enums import MessageKind
from atalaia.domain.events import AttachmentRef

DEFAULT_MAX_MEDIA_BYTES: Final = 64 * 1024 * 1024  # bytes of one attachment carried in a body
MAX_UNWRAP_DEPTH: Final = 8
FREQUENTLY_FORWARDED_SCORE: Final = 5  # WhatsApp shows "forwarded many times" from the fifth hop

# Containers whose `message` holds the real content (view-once, disappearing, album children...).
WRAPPERS: Final = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
    "deviceSentMessage",
    "groupMentionedMessage",
    "botInvokeMessage",
    "lottieStickerMessage",
    "associatedChildMessage",
)
# Keys beside the content that say nothing about its type.
META_KEYS: Final = frozenset(
    {"messageContextInfo", "senderKeyDistributionMessage", "base64", "mediaUrl", "speechToText", "contextInfo"}
)
MEDIA: Final = {
    "imageMessage": MessageKind.IMAGE,
    "videoMessage": MessageKind.VIDEO,
    "ptvMessage": MessageKind.VIDEO,  # round video note
    "audioMessage": MessageKind.AUDIO,
    "documentMessage": MessageKind.DOCUMENT,
    "stickerMessage": MessageKind.STICKER,
}
# Known content that is not a message of the chat: recorded in the journal only.
NOT_MESSAGES: Final = {
    "pollUpdateMessage": "a poll vote (encrypted with the poll's messageSecret)",
    "encReactionMessage": "an encrypted reaction",
    "keepInChatMessage": "a keep-in-chat marker",
    "pinInChatMessage": "a pin marker",
    "secretEncryptedMessage": "an encrypted secret message other than an edit (event or poll update)",
}
POLLS: Final = ("pollCreationMessage", "pollCreationMessageV2", "pollCreationMessageV3", "pollCreationMessageV5")


@dataclass(frozen=True, slots=True)
class BaileysContent:
    type_name: str | None  # the content key, e.g. "imageMessage"; None when there is none
    kind: MessageKind
    text: str | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)  # the content's contextInfo
    protocol: dict[str, Any] | None = None  # protocolMessage: edits, revokes, and housekeeping
    reaction: dict[str, Any] | None = None
    secret: dict[str, Any] | None = None  # secretEncryptedMessage: an edit encrypted with the original's secret
    not_message: str | None = None  # why it is kept in the journal only
    problems: tuple[str, ...] = ()


def unwrap(message: Any) -> dict[str, Any]:
    """The innermost message: wrappers are peeled up to a fixed depth (a loop can't hang us)."""
    current = as_dict(message)
    for _ in range(MAX_UNWRAP_DEPTH):
        inner = next((as_dict(as_dict(current.get(w)).get("message")) for w in WRAPPERS if w in current), None)
        if not inner:
            return current
        current = inner
    return current


def content_type(message: dict[str, Any]) -> str | None:
    """The content key, as Baileys' getContentType picks it: the first key that is not metadata."""
    return next((k for k, v in message.items() if k not in META_KEYS and v is not None), None)


def read_content(message: Any, *, max_media_bytes: int = DEFAULT_MAX_MEDIA_BYTES) -> BaileysContent:
    """Classify one Baileys message; `message.base64` (Evolution) becomes the attachment's bytes."""
    outer = as_dict(message)
    inner = unwrap(outer)
    name = content_type(inner)
    body = as_dict(inner.get(name)) if name else {}
    context = as_dict(body.get("contextInfo"))
    if name is None:
        return BaileysContent(None, MessageKind.UNSUPPORTED)
    if name == "conversation":
        return BaileysContent(name, MessageKind.TEXT, as_str(inner.get(name)))
    if name == "extendedTextMessage":
        return BaileysContent(name, MessageKind.TEXT, as_str(body.get("text")), context=context)
    if name in MEDIA:
        return _media(name, body, outer=outer, context=context, max_media_bytes=max_media_bytes)
    if name == "protocolMessage":
        return BaileysContent(name, MessageKind.SYSTEM, protocol=body)
    if name == "reactionMessage":
        return BaileysContent(name, MessageKind.SYSTEM, reaction=body)
    if name == "secretEncryptedMessage" and body.get("secretEncType") in (2, "2", "MESSAGE_EDIT"):
        return BaileysContent(name, MessageKind.SYSTEM, secret=body)
    if name in NOT_MESSAGES:
        return BaileysContent(name, MessageKind.SYSTEM, not_message=NOT_MESSAGES[name])
    if name in ("locationMessage", "liveLocationMessage"):
        return BaileysContent(name, MessageKind.LOCATION, _location(body), context=context)
    if name in ("contactMessage", "contactsArrayMessage"):
        return BaileysContent(name, MessageKind.CONTACTS, _contacts(name, body), context=context)
    if name in POLLS:
        # No poll kind in the archive vocabulary: kept as unsupported, with the question and
        # options as text so that policies and search still see them.
        options = [as_str(as_dict(o).get("optionName")) for o in as_list(body.get("options"))]
        text = "\n".join(t for t in [as_str(body.get("name")), *options] if t) or None
        return BaileysContent(name, MessageKind.UNSUPPORTED, text, context=context)
    kind, text = _interactive(name, body)
    return BaileysContent(name, kind, text, context=context)


def context_of(data: Mapping[str, Any], content: BaileysContent) -> dict[str, Any]:
    """Evolution moves `contextInfo` to the top of `data` when it rewrites extendedTextMessage."""
    return {**as_dict(data.get("contextInfo")), **content.context}


def reply_and_forward(context: Mapping[str, Any]) -> tuple[str | None, bool, bool]:
    """(quoted message id, forwarded, frequently forwarded) from a contextInfo."""
    score = number(context.get("forwardingScore")) or 0
    forwarded = context.get("isForwarded") is True or score > 0
    return text_of(context.get("stanzaId")), forwarded, score >= FREQUENTLY_FORWARDED_SCORE


def _media(
    name: str, body: dict[str, Any], *, outer: dict[str, Any], context: dict[str, Any], max_media_bytes: int
) -> BaileysContent:
    caption = as_str(body.get("caption"))
    content, problems = _inline_bytes(outer.get("base64"), limit=max_media_bytes)
    attachment = AttachmentRef(
        file_name=as_str(body.get("fileName")) or (as_str(body.get("title")) if name == "documentMessage" else None),
        mime_type=as_str(body.get("mimetype")),
        sha256=sha256_hex(body.get("fileSha256")),
        provider_media_id=text_of(outer.get("mediaUrl")),  # set when Evolution stores media in S3
        caption=caption,
        content=content,
    )
    return BaileysContent(name, MEDIA[name], caption, (attachment,), context=context, problems=problems)


def _inline_bytes(value: Any, *, limit: int) -> tuple[bytes | None, tuple[str, ...]]:
    """Media bytes sent inline (`webhook_base64`), refused above `limit` before decoding."""
    if not isinstance(value, str) or not value:
        return None, ()
    if value.startswith("data:") and "," in value[:200]:
        value = value.split(",", 1)[1]
    if len(value) // 4 * 3 > limit:
        return None, (f"inline media larger than {limit} bytes not stored; the journal keeps it",)
    try:
        return base64.b64decode(value, validate=True), ()
    except (binascii.Error, ValueError):
        return None, ("inline media is not valid base64; not stored",)


def _location(body: dict[str, Any]) -> str | None:
    parts = [as_str(body.get("name")), as_str(body.get("address")), as_str(body.get("caption"))]
    label = " — ".join(p for p in parts if p)
    lat, lng = number(body.get("degreesLatitude")), number(body.get("degreesLongitude"))
    coordinates = f"{lat},{lng}" if lat is not None and lng is not None else ""
    return label or coordinates or None


def _contacts(name: str, body: dict[str, Any]) -> str | None:
    cards = [body] if name == "contactMessage" else [as_dict(c) for c in as_list(body.get("contacts"))]
    lines: list[str] = []
    for card in cards:
        display = as_str(card.get("displayName"))
        phones = [
            line.split(":", 1)[1].strip()
            for line in (as_str(card.get("vcard")) or "").splitlines()
            if line.upper().startswith("TEL") and ":" in line
        ]
        lines.append(" ".join(p for p in [display, *phones] if p))
    return "; ".join(line for line in lines if line) or as_str(body.get("displayName"))


def _interactive(name: str, body: dict[str, Any]) -> tuple[MessageKind, str | None]:
    """Buttons, lists, templates and orders, mostly sent by businesses and bots."""
    if name in ("buttonsResponseMessage", "templateButtonReplyMessage"):
        return MessageKind.BUTTON, as_str(body.get("selectedDisplayText")) or as_str(body.get("selectedId"))
    if name == "listResponseMessage":
        reply = as_str(as_dict(body.get("singleSelectReply")).get("selectedRowId"))
        return MessageKind.INTERACTIVE, as_str(body.get("title")) or reply
    if name in ("interactiveResponseMessage", "interactiveMessage"):
        return MessageKind.INTERACTIVE, as_str(as_dict(body.get("body")).get("text"))
    if name == "buttonsMessage":
        return MessageKind.INTERACTIVE, as_str(body.get("contentText")) or as_str(body.get("text"))
    if name == "listMessage":
        return MessageKind.INTERACTIVE, as_str(body.get("description")) or as_str(body.get("title"))
    if name == "templateMessage":
        template = as_dict(body.get("hydratedTemplate")) or as_dict(body.get("hydratedFourRowTemplate"))
        return MessageKind.INTERACTIVE, as_str(template.get("hydratedContentText"))
    if name == "orderMessage":
        return MessageKind.ORDER, as_str(body.get("message")) or as_str(body.get("orderTitle"))
    if name == "productMessage":
        return MessageKind.ORDER, as_str(as_dict(body.get("product")).get("title"))
    return MessageKind.UNSUPPORTED, None
