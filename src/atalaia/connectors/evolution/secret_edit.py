"""Encrypted edits (`secretEncryptedMessage`, `secretEncType` 2): recover the new text.

Since 2026 WhatsApp clients send an edit encrypted with the original message's `messageSecret`
(docs/decisions/0011). Gateways on older Baileys pass it through undecrypted; the archive kept
the original's secret, so it can read the edit itself:
1. key = HKDF-SHA256(ikm = messageSecret, no salt, info = original id ‖ original sender JID ‖
   editor JID ‖ "Message Edit", 32 bytes); AES-256-GCM with `encIv`, no associated data, the
   16-byte tag at the end of `encPayload`. JIDs are `user@server` without device; a sender may
   be known by phone and by LID, so every candidate pair is tried (the tag tells the right one).
2. The plaintext is a protobuf `Message` whose `protocolMessage` (type 14, MESSAGE_EDIT) holds
   `editedMessage`: its conversation, extended text or caption is the new text.
Protobuf is read by a bounded wire-format walk (no schema, nothing executed); anything else
yields None and the body stays in the journal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

EDIT_SECRET_TYPE: Final = 2  # secretEncType MESSAGE_EDIT
EDIT_INFO: Final = b"Message Edit"
PROTOCOL_EDIT: Final = 14
MAX_PAYLOAD_BYTES: Final = 256 * 1024
MAX_DEPTH: Final = 6

# Field numbers of WhatsApp's `Message` protobuf that can carry an edit's text.
CONVERSATION: Final = 1
IMAGE, EXTENDED_TEXT, DOCUMENT, VIDEO = 3, 6, 7, 9
PROTOCOL_MESSAGE: Final = 12
DOCUMENT_WITH_CAPTION: Final = 53
PROTOCOL_TYPE, PROTOCOL_EDITED_MESSAGE = 2, 14
CAPTION_FIELD: Final = {IMAGE: 3, VIDEO: 7, DOCUMENT: 20, EXTENDED_TEXT: 1}

Fields = dict[int, list[int | bytes]]


def edit_key(secret: bytes, *, original_id: str, original_sender: str, editor: str) -> bytes:
    info = original_id.encode() + original_sender.encode() + editor.encode() + EDIT_INFO
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def decrypt_edit(
    secret: bytes,
    *,
    iv: bytes,
    payload: bytes,
    original_id: str,
    original_senders: Iterable[str],
    editors: Iterable[str],
) -> bytes | None:
    """The plaintext, or None when no (sender, editor) pair authenticates it."""
    if len(secret) != 32 or len(iv) != 12 or not 16 <= len(payload) <= MAX_PAYLOAD_BYTES:
        return None
    editor_list = list(dict.fromkeys(editors))
    for sender in dict.fromkeys(original_senders):
        for editor in editor_list:
            key = edit_key(secret, original_id=original_id, original_sender=sender, editor=editor)
            try:
                return AESGCM(key).decrypt(iv, payload, None)
            except InvalidTag:
                continue
    return None


def edited_text(plaintext: bytes) -> str | None:
    """The new text of a decrypted MESSAGE_EDIT, or None when it is not one we can read."""
    message = _fields(plaintext)
    if message is None:
        return None
    protocol = _message(message, PROTOCOL_MESSAGE)
    if protocol is not None:
        if _first(protocol, PROTOCOL_TYPE) != PROTOCOL_EDIT:
            return None
        edited = _message(protocol, PROTOCOL_EDITED_MESSAGE)
        return _text(edited) if edited is not None else None
    return _text(message)  # a bare replacement message


def _text(message: Fields, depth: int = 0) -> str | None:
    conversation = _string(message, CONVERSATION)
    if conversation is not None:
        return conversation
    for field, caption in CAPTION_FIELD.items():
        inner = _message(message, field)
        if inner is not None and (text := _string(inner, caption)) is not None:
            return text
    wrapper = _message(message, DOCUMENT_WITH_CAPTION)
    inner = _message(wrapper, 1) if wrapper is not None else None
    if inner is not None and depth < MAX_DEPTH:
        return _text(inner, depth + 1)
    return None


def _first(fields: Fields, number: int) -> int | bytes | None:
    values = fields.get(number)
    return values[0] if values else None


def _message(fields: Fields, number: int) -> Fields | None:
    value = _first(fields, number)
    return _fields(value) if isinstance(value, bytes) else None


def _string(fields: Fields, number: int) -> str | None:
    value = _first(fields, number)
    if not isinstance(value, bytes):
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _fields(data: bytes) -> Fields | None:
    """Protobuf wire format to {field: [values]}: varints as int, length-delimited as bytes.

    Fixed-width fields are skipped; groups, bad tags and overruns make the whole thing None.
    """
    fields: Fields = {}
    position, end = 0, len(data)
    while position < end:
        tag, position = _varint(data, position)
        if tag is None:
            return None
        number, wire = tag >> 3, tag & 7
        if number == 0:
            return None
        if wire == 0:
            value, position = _varint(data, position)
            if value is None:
                return None
            fields.setdefault(number, []).append(value)
        elif wire == 2:
            length, position = _varint(data, position)
            if length is None or position + length > end:
                return None
            fields.setdefault(number, []).append(data[position : position + length])
            position += length
        elif wire in (1, 5):
            position += 8 if wire == 1 else 4
            if position > end:
                return None
        else:
            return None
    return fields


def _varint(data: bytes, position: int) -> tuple[int | None, int]:
    result, shift = 0, 0
    while position < len(data) and shift < 64:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
    return None, position
