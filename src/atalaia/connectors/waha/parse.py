"""WAHA webhook body → domain events and line status.

The body is `{id, timestamp (ms), event, session, metadata, me, payload, engine, environment}`.
1. `message` (incoming) and `message.any` (all, the line's own included) carry the same message
   for incoming ones: both archive to one row, since ids are normalised (below) and the archive is
   idempotent on them.
2. `message.edited` (`editedMessageId`, new `body`), `message.revoked` (`revokedMessageId`),
   `message.reaction` (empty text = removed), `message.ack` (statuses of the line's messages).
3. `session.status` changes the line's status; `group.v2.*` may give a group subject.

Ids: a message id is `{fromMe}_{chatId}_{messageId}[_{participant}]`, but edits, revocations and
some engines name messages by the bare `messageId`. Every id is reduced to that bare part (what
Evolution and Baileys use too), so all events about one message meet on one provider id.
Media are never fetched here: `media.url` becomes the attachment's `provider_media_id` for the
download job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from atalaia.connectors.evolution.content import BaileysContent, read_content, reply_and_forward
from atalaia.connectors.gateway import (
    GatewayParse,
    as_dict,
    as_list,
    as_str,
    clip_note,
    event_name,
    moment,
    number,
    sha256_hex,
    text_of,
)
from atalaia.connectors.whatsapp_ids import (
    Jid,
    JidKind,
    contact_for,
    conversation_for,
    group_key,
    parse_jid,
    skip_reason,
)
from atalaia.domain.enums import DeliveryStatus, Direction, LineStatus, MessageKind
from atalaia.domain.events import (
    AttachmentRef,
    ContactRef,
    ConversationRef,
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)

MESSAGE_EVENTS: Final = frozenset({"message", "message.any"})
# ack −1..4 (ERROR, PENDING, SERVER, DEVICE, READ, PLAYED); PENDING says nothing worth keeping.
ACKS: Final = {
    -1: DeliveryStatus.FAILED,
    1: DeliveryStatus.SENT,
    2: DeliveryStatus.DELIVERED,
    3: DeliveryStatus.READ,
    4: DeliveryStatus.PLAYED,
}
ACK_NAMES: Final = {"ERROR": -1, "PENDING": 0, "SERVER": 1, "DEVICE": 2, "READ": 3, "PLAYED": 4}
SESSION_STATUSES: Final = {
    "WORKING": LineStatus.CONNECTED,
    "SCAN_QR_CODE": LineStatus.PENDING,
    "PASSKEY_REQUIRED": LineStatus.PENDING,
    "PASSKEY_CONFIRMATION_REQUIRED": LineStatus.PENDING,
    "STOPPED": LineStatus.DISCONNECTED,
    "FAILED": LineStatus.DISCONNECTED,
}
# Engine type names (WEBJS `_data.type`, GOWS `_data.Info.MediaType`) that say more than a mimetype.
TYPE_HINTS: Final = {
    "chat": MessageKind.TEXT,
    "text": MessageKind.TEXT,
    "image": MessageKind.IMAGE,
    "video": MessageKind.VIDEO,
    "gif": MessageKind.VIDEO,
    "ptv": MessageKind.VIDEO,
    "audio": MessageKind.AUDIO,
    "ptt": MessageKind.AUDIO,
    "document": MessageKind.DOCUMENT,
    "sticker": MessageKind.STICKER,
    "location": MessageKind.LOCATION,
    "vcard": MessageKind.CONTACTS,
    "multi_vcard": MessageKind.CONTACTS,
}
MIME_KINDS: Final = (
    ("image/webp", MessageKind.STICKER),
    ("image/", MessageKind.IMAGE),
    ("video/", MessageKind.VIDEO),
    ("audio/", MessageKind.AUDIO),
)


def message_id(value: Any) -> str | None:
    """The bare WhatsApp message id of `{fromMe}_{chatId}_{messageId}[_{participant}]` or of a
    bare id; None for anything else."""
    text = text_of(value)
    if text is None:
        return None
    prefix, _, rest = text.partition("_")
    if prefix in ("true", "false") and rest:
        chat, _, tail = rest.partition("_")
        bare = tail.partition("_")[0]
        if "@" in chat and bare:
            return bare
    return text


def parse_webhook(body: Any, *, received_at: datetime | None = None) -> GatewayParse:
    """Everything one WAHA webhook body says; raises nothing for any JSON value."""
    envelope = as_dict(body)
    name = event_name(envelope.get("event"))
    result = GatewayParse(event=name, instance=text_of(envelope.get("session")))
    payload = as_dict(envelope.get("payload"))
    fallback = moment(envelope.get("timestamp"), millis=True) or received_at
    me = parse_jid(as_dict(envelope.get("me")).get("id"))
    if not name:
        result.problems.append("body without an event name; kept in the journal only")
    elif name in MESSAGE_EVENTS:
        _add_message(result, payload, fallback=fallback)
    elif name == "message.edited":
        _add_edit(result, payload, fallback=fallback)
    elif name == "message.revoked":
        _add_revoke(result, payload, fallback=fallback)
    elif name == "message.reaction":
        _add_reaction(result, payload, fallback=fallback)
    elif name == "message.ack":
        _add_ack(result, payload, fallback=fallback, me=me)
    elif name == "session.status":
        status = as_str(payload.get("status"))
        result.line_status = SESSION_STATUSES.get(status or "")
        result.status_reason = f"session {clip_note(status)}"
        if result.line_status is None and status != "STARTING":
            result.problems.append(f"session status {clip_note(status)} not understood; line status unchanged")
    elif name.startswith("group.v2.") or name in ("group.join", "group.leave"):
        group = as_dict(payload.get("group")) or payload
        jid, subject = parse_jid(group.get("id")), text_of(group.get("subject"))
        if jid is not None and jid.kind is JidKind.GROUP and subject:
            result.group_subjects[group_key(jid)] = subject
        else:
            result.problems.append(f"{name} without a group subject; kept in the journal only")
    else:
        result.problems.append(f"event {clip_note(name)} carries no messages; kept in the journal only")
    return result


def _chat_and_author(
    payload: dict[str, Any], *, from_me: bool
) -> tuple[ConversationRef | None, ContactRef | None, str | None]:
    """(conversation, author, problem): the chat is the group when either side is one, else the
    other party; the author of an incoming group message is its `participant`."""
    sender, recipient = parse_jid(payload.get("from")), parse_jid(payload.get("to"))
    chat = next((j for j in (sender, recipient) if j is not None and j.kind is JidKind.GROUP), None)
    chat = chat or (recipient if from_me else sender)
    if chat is None:
        return None, None, "no chat id"
    if (reason := skip_reason(chat)) is not None:
        return None, None, reason
    data = as_dict(payload.get("_data"))
    name = _push_name(payload, data)
    if chat.kind is JidKind.GROUP:
        if from_me:
            return conversation_for(chat), None, None
        participant = parse_jid(payload.get("participant") or payload.get("author"))
        author = contact_for(participant, alt=_alt(data, participant=True, from_me=False), name=name)
        return conversation_for(chat), author, None if author else "group message without a participant"
    conversation = conversation_for(chat, alt=_alt(data, participant=False, from_me=from_me),
                                    name=None if from_me else name)  # fmt: skip
    if conversation is None:
        return None, None, "no usable party"
    return conversation, None if from_me else conversation.contact, None


def _alt(data: dict[str, Any], *, participant: bool, from_me: bool) -> Jid | None:
    """The other form (phone or LID) of a party, when the engine's raw data gives it:
    NOWEB (Baileys) `key.remoteJidAlt` / `key.participantAlt`, GOWS (whatsmeow) `Info.SenderAlt` /
    `Info.RecipientAlt`."""
    key = as_dict(data.get("key"))
    info = as_dict(data.get("Info"))
    if participant:
        return parse_jid(key.get("participantAlt")) or parse_jid(info.get("SenderAlt"))
    gows = info.get("RecipientAlt") if from_me else info.get("SenderAlt")
    return parse_jid(key.get("remoteJidAlt")) or parse_jid(gows)


def _push_name(payload: dict[str, Any], data: dict[str, Any]) -> str | None:
    return (
        text_of(data.get("notifyName"))
        or text_of(data.get("pushName"))
        or text_of(as_dict(data.get("Info")).get("PushName"))
        or text_of(payload.get("notifyName"))
    )


def _add_message(result: GatewayParse, payload: dict[str, Any], *, fallback: datetime | None) -> None:
    provider_id = message_id(payload.get("id"))
    from_me = payload.get("fromMe") is True
    sent_at = moment(payload.get("timestamp")) or fallback
    if provider_id is None or sent_at is None:
        result.problems.append(f"message without id or timestamp skipped: {clip_note(payload.get('id'))}")
        return
    conversation, author, problem = _chat_and_author(payload, from_me=from_me)
    if conversation is None:
        result.problems.append(f"message {provider_id}: {problem}; kept in the journal only")
        return
    if problem:
        result.problems.append(f"message {provider_id}: {problem}")
    data = as_dict(payload.get("_data"))
    baileys = read_content(data.get("message"), max_media_bytes=0) if isinstance(data.get("message"), dict) else None
    kind, text, attachments = _content(payload, data, baileys)
    context = dict(baileys.context) if baileys else {}
    _, forwarded, frequently = reply_and_forward({**context, **_webjs_forwarding(data)})
    reply = as_dict(payload.get("replyTo"))
    result.events.append(
        MessageEvent(
            provider_message_id=provider_id,
            conversation=conversation,
            direction=Direction.OUTBOUND if from_me else Direction.INBOUND,
            kind=kind,
            sent_at=sent_at,
            text=text,
            author=author,
            author_name=None if from_me else _push_name(payload, data),
            reply_to=message_id(reply.get("id")) or text_of(context.get("stanzaId")),
            forwarded=forwarded,
            frequently_forwarded=frequently,
            attachments=attachments,
            raw=payload,
        )
    )
    if kind is MessageKind.UNSUPPORTED:
        result.problems.append(f"message {provider_id} kept as unsupported")


def _webjs_forwarding(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("isForwarded", "forwardingScore") if k in data}


def _content(
    payload: dict[str, Any], data: dict[str, Any], baileys: BaileysContent | None
) -> tuple[MessageKind, str | None, tuple[AttachmentRef, ...]]:
    """Kind, text and media from WAHA's engine-neutral fields, refined by the engine's raw type."""
    body = as_str(payload.get("body")) or None
    media = as_dict(payload.get("media"))
    hint = (
        as_str(data.get("type"))
        or as_str(as_dict(data.get("Info")).get("MediaType"))
        or as_str(as_dict(data.get("Info")).get("Type"))
    )
    hinted = TYPE_HINTS.get((hint or "").lower())
    if baileys is not None and baileys.kind not in (MessageKind.SYSTEM, MessageKind.UNSUPPORTED):
        hinted = hinted or baileys.kind
    location = as_dict(payload.get("location"))
    if location:
        lat, lng = number(location.get("latitude")), number(location.get("longitude"))
        label = as_str(location.get("description")) or as_str(location.get("name"))
        coordinates = f"{lat},{lng}" if lat is not None and lng is not None else None
        return MessageKind.LOCATION, label or coordinates or body, ()
    cards = [c for c in as_list(payload.get("vCards")) if isinstance(c, str) and c]
    if cards or hinted is MessageKind.CONTACTS:
        return MessageKind.CONTACTS, body or _vcard_text(cards), ()
    if payload.get("hasMedia") is True or media:
        mime = as_str(media.get("mimetype"))
        kind = hinted if hinted not in (None, MessageKind.TEXT) else _mime_kind(mime)
        declared = None
        if baileys is not None and baileys.attachments:
            declared = baileys.attachments[0].sha256
        attachment = AttachmentRef(
            file_name=as_str(media.get("filename")),
            mime_type=mime,
            sha256=declared or sha256_hex(data.get("filehash")),
            # Fetched later by the download job, never here; absent when WAHA failed to download it.
            provider_media_id=None if media.get("error") else text_of(media.get("url")),
            caption=body,
        )
        return kind or MessageKind.DOCUMENT, body, (attachment,)
    if hinted is not None and hinted is not MessageKind.TEXT:
        return hinted, body, ()
    if body is not None:
        return MessageKind.TEXT, body, ()
    return MessageKind.UNSUPPORTED, None, ()


def _mime_kind(mime: str | None) -> MessageKind:
    value = (mime or "").lower()
    return next((kind for prefix, kind in MIME_KINDS if value.startswith(prefix)), MessageKind.DOCUMENT)


def _vcard_text(cards: list[str]) -> str | None:
    lines = []
    for card in cards:
        fields = [
            line.split(":", 1)[1].strip()
            for line in card.splitlines()
            if (line.upper().startswith("FN") or line.upper().startswith("TEL")) and ":" in line
        ]
        lines.append(" ".join(f for f in fields if f))
    return "; ".join(line for line in lines if line) or None


def _add_edit(result: GatewayParse, payload: dict[str, Any], *, fallback: datetime | None) -> None:
    target = message_id(payload.get("editedMessageId"))
    at = moment(payload.get("timestamp")) or fallback
    conversation, _, problem = _chat_and_author(payload, from_me=payload.get("fromMe") is True)
    if target is None or at is None or conversation is None:
        result.problems.append(f"edit of {clip_note(target)} skipped ({problem or 'no target or time'})")
        return
    # No provider id: the action's id may equal the target's (WEBJS), and a message can be edited
    # more than once; the archive derives one from target, time and text.
    result.events.append(EditEvent(target, conversation, as_str(payload.get("body")) or "", at, raw=payload))


def _add_revoke(result: GatewayParse, payload: dict[str, Any], *, fallback: datetime | None) -> None:
    after, before = as_dict(payload.get("after")), as_dict(payload.get("before"))
    target = message_id(payload.get("revokedMessageId")) or message_id(before.get("id"))
    action = after or before
    at = moment(action.get("timestamp")) or fallback
    if target is None or at is None:
        result.problems.append("revocation without revokedMessageId or time; kept in the journal only")
        return
    conversation, _, problem = _chat_and_author(action, from_me=action.get("fromMe") is True)
    if conversation is None and problem and problem != "no chat id":
        result.problems.append(f"revocation of {target}: {problem}; kept in the journal only")
        return
    event = RevokeEvent(
        target,
        conversation or ConversationRef(key=""),
        at,
        by_line=action.get("fromMe") is True,
        provider_event_id=f"revoke:{target}",  # a message is deleted once
        raw=payload,
    )
    (result.events if conversation is not None else result.unplaced).append(event)


def _add_reaction(result: GatewayParse, payload: dict[str, Any], *, fallback: datetime | None) -> None:
    reaction = as_dict(payload.get("reaction"))
    target = message_id(reaction.get("messageId"))
    event_id = message_id(payload.get("id"))
    at = moment(payload.get("timestamp")) or fallback
    from_me = payload.get("fromMe") is True
    conversation, author, problem = _chat_and_author(payload, from_me=from_me)
    if target is None or event_id is None or at is None or conversation is None:
        result.problems.append(f"reaction to {clip_note(target)} skipped ({problem or 'no id, target or time'})")
        return
    result.events.append(
        ReactionEvent(
            target_message_id=target,
            conversation=conversation,
            emoji=as_str(reaction.get("text")) or "",  # empty: the reaction was removed
            reacted_at=at,
            provider_event_id=event_id,
            author=author,
            raw=payload,
        )
    )


def _add_ack(result: GatewayParse, payload: dict[str, Any], *, fallback: datetime | None, me: Jid | None) -> None:
    """Statuses of the line's own messages; receipts the line sends for what it received are not kept."""
    target = message_id(payload.get("id"))
    if target is None or payload.get("fromMe") is not True:
        return
    ack = number(payload.get("ack"))
    if ack is None and (as_str(payload.get("ackName")) or "") in ACK_NAMES:
        ack = float(ACK_NAMES[as_str(payload.get("ackName")) or ""])
    if ack == 0:
        return
    status = ACKS.get(int(ack)) if ack is not None and ack.is_integer() else None
    at = moment(payload.get("timestamp")) or fallback
    if status is None or at is None:
        result.problems.append(f"ack {clip_note(payload.get('ack'))} of {target} not kept")
        return
    parties = [parse_jid(payload.get(k)) for k in ("participant", "to", "from")]
    recipient = next((j.raw for j in parties if j is not None and (me is None or j.user != me.user)), None)
    result.events.append(StatusEvent(target, status, at, recipient=recipient, raw=payload))


__all__ = ["message_id", "parse_webhook"]
