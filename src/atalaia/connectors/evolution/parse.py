"""Evolution API v2 webhook body → domain events, line status and group subjects.

The body is `{event, instance, data, destination, date_time, sender, server_url, apikey}`.
1. `messages.upsert` and `send.message` carry one message (`data` = Baileys WebMessageInfo as
   Evolution prepares it); `messages.set` and `messaging-history.set` carry many. `fromMe` is the
   line writing (outbound, no author); in groups the author is `key.participant`.
2. Edits and deletions: `protocolMessage` type 14 (MESSAGE_EDIT) and 0 (REVOKE) inside a message,
   `messages.edited` / `send.message.update` (data = the protocol message), `messages.delete`
   (data = the deleted message's key). Other protocol types are housekeeping: journal only.
3. `messages.update` becomes delivery statuses of the line's own messages.
4. `connection.update`, `qrcode.updated`, `status.instance`, `logout.instance` change the line's
   status; `groups.upsert` / `groups.update` give group subjects.
Each message's `raw` is its whole `data` object, `messageContextInfo.messageSecret` included (it
decrypts later edits and poll votes); the envelope's `apikey` is never copied anywhere, and inline
media bytes are stored once, as the attachment, not again inside `raw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from atalaia.connectors.evolution.content import (
    DEFAULT_MAX_MEDIA_BYTES,
    BaileysContent,
    context_of,
    read_content,
    reply_and_forward,
)
from atalaia.connectors.evolution.status import CONNECTION_EVENTS, connection_status
from atalaia.connectors.gateway import (
    EncryptedEdit,
    GatewayParse,
    as_dict,
    as_list,
    as_str,
    bytes_of,
    clip_note,
    event_name,
    iso_moment,
    moment,
    text_of,
)
from atalaia.connectors.whatsapp_ids import (
    Jid,
    JidKind,
    contact_for,
    conversation_for,
    group_key,
    parse_jid,
    same_user,
    skip_reason,
)
from atalaia.domain.enums import DeliveryStatus, Direction, MessageKind
from atalaia.domain.events import (
    ContactRef,
    ConversationRef,
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)

MESSAGE_EVENTS: Final = frozenset({"messages.upsert", "send.message"})
HISTORY_EVENTS: Final = frozenset({"messages.set", "messaging.history.set"})
EDIT_EVENTS: Final = frozenset({"messages.edited", "send.message.update"})
GROUP_EVENTS: Final = frozenset({"groups.upsert", "groups.update"})
PROTOCOL_EDIT: Final = frozenset({14, "14", "MESSAGE_EDIT"})
PROTOCOL_REVOKE: Final = frozenset({0, "0", "REVOKE"})
# src/utils/renderStatus.ts; PENDING (1) says nothing the archive keeps.
STATUSES: Final = {
    0: DeliveryStatus.FAILED,
    "ERROR": DeliveryStatus.FAILED,
    2: DeliveryStatus.SENT,
    "SERVER_ACK": DeliveryStatus.SENT,
    3: DeliveryStatus.DELIVERED,
    "DELIVERY_ACK": DeliveryStatus.DELIVERED,
    4: DeliveryStatus.READ,
    "READ": DeliveryStatus.READ,
    5: DeliveryStatus.PLAYED,
    "PLAYED": DeliveryStatus.PLAYED,
}
QUIET_STATUSES: Final = frozenset({1, "PENDING"})
SECRET_KEYS: Final = frozenset({"apikey"})
MEDIA_PLACEHOLDER: Final = "<{} base64 characters: stored once, as the attachment>"


@dataclass(frozen=True, slots=True)
class _Context:
    own: Jid | None  # the instance's own number (`sender`)
    fallback_at: datetime | None  # `date_time`, else when the journal received the body
    max_media_bytes: int


def parse_envelope(
    body: Any, *, received_at: datetime | None = None, max_media_bytes: int = DEFAULT_MAX_MEDIA_BYTES
) -> GatewayParse:
    """Everything one Evolution webhook body says; raises nothing for any JSON value."""
    envelope = as_dict(body)
    name = event_name(envelope.get("event"))
    result = GatewayParse(event=name, instance=text_of(envelope.get("instance")))
    ctx = _Context(
        own=parse_jid(envelope.get("sender")),
        fallback_at=iso_moment(envelope.get("date_time")) or received_at,
        max_media_bytes=max_media_bytes,
    )
    data = envelope.get("data")
    if not name:
        result.problems.append("body without an event name; kept in the journal only")
    elif name in MESSAGE_EVENTS:
        for item in data if isinstance(data, list) else [data]:
            _add_message(result, as_dict(item), ctx=ctx)
    elif name in HISTORY_EVENTS:
        messages = data if isinstance(data, list) else as_list(as_dict(data).get("messages"))
        for item in messages:
            _add_message(result, as_dict(item), ctx=ctx)
    elif name in EDIT_EVENTS:
        _add_edited(result, as_dict(data), ctx=ctx, sent_by_api=name == "send.message.update")
    elif name == "messages.delete":
        _add_delete(result, as_dict(data), ctx=ctx)
    elif name == "messages.update":
        for item in data if isinstance(data, list) else [data]:
            _add_status(result, as_dict(item), ctx=ctx)
    elif name in CONNECTION_EVENTS:
        connection_status(result, name, as_dict(data))
    elif name in GROUP_EVENTS:
        for item in data if isinstance(data, list) else [data]:
            group = as_dict(item)
            jid, subject = parse_jid(group.get("id")), text_of(group.get("subject"))
            if jid is not None and jid.kind is JidKind.GROUP and subject:
                result.group_subjects[group_key(jid)] = subject
        if not result.group_subjects:
            result.problems.append(f"{name} without a group subject; kept in the journal only")
    else:
        result.problems.append(f"event {clip_note(name)} carries no messages; kept in the journal only")
    return result


def evidence(data: dict[str, Any]) -> dict[str, Any]:
    """The `data` object as archived: whole, minus any `apikey` and minus inline media bytes.

    Copied without recursion (a hostile body can nest deeper than Python's stack).
    """
    root: dict[str, Any] = {}
    stack: list[tuple[Any, Any]] = [(data, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if isinstance(key, str) and key.lower() in SECRET_KEYS:
                continue
            copy: Any = value
            if isinstance(value, dict):
                copy = {}
                stack.append((value, copy))
            elif isinstance(value, list):
                copy = [None] * len(value)
                stack.append((value, copy))
            target[key] = copy
    message = root.get("message")
    if isinstance(message, dict) and isinstance(message.get("base64"), str):
        message["base64"] = MEDIA_PLACEHOLDER.format(len(message["base64"]))
    return root


def _add_message(result: GatewayParse, data: dict[str, Any], *, ctx: _Context) -> None:
    key = as_dict(data.get("key"))
    message_id = text_of(key.get("id"))
    from_me = key.get("fromMe") is True
    chat = parse_jid(key.get("remoteJid"))
    if message_id is None or chat is None:
        result.problems.append(f"message without key.id or key.remoteJid skipped: {clip_note(message_id)}")
        return
    if (reason := skip_reason(chat)) is not None:
        result.problems.append(f"message {message_id} is {reason}; kept in the journal only")
        return
    message = as_dict(data.get("message"))
    sent_at = moment(data.get("messageTimestamp")) or ctx.fallback_at
    if not message or sent_at is None:
        result.problems.append(f"message {message_id} without content or timestamp; kept in the journal only")
        return
    push_name = text_of(data.get("pushName"))
    participant = parse_jid(key.get("participant") or data.get("participant"))
    participant_alt = parse_jid(key.get("participantAlt"))
    author: ContactRef | None = None
    if chat.kind is JidKind.BROADCAST and not from_me:
        # Someone's broadcast list: to us it is their one-to-one chat (Baileys getChatId).
        conversation = conversation_for(participant, alt=participant_alt, name=push_name)
        author = conversation.contact if conversation else None
    elif chat.kind in (JidKind.GROUP, JidKind.BROADCAST):
        conversation = conversation_for(chat)
        if not from_me:
            author = contact_for(participant, alt=participant_alt, name=push_name)
            if author is None:
                result.problems.append(f"group message {message_id} without a participant: author unknown")
    else:
        name = None if from_me else push_name  # fromMe: pushName is the employee (or "Você")
        conversation = conversation_for(chat, alt=parse_jid(key.get("remoteJidAlt")), name=name)
        author = None if from_me else (conversation.contact if conversation else None)
    if conversation is None:
        result.problems.append(f"message {message_id} in chat {clip_note(chat.raw)} has no usable party; skipped")
        return
    content = read_content(message, max_media_bytes=ctx.max_media_bytes)
    result.problems.extend(f"message {message_id}: {p}" for p in content.problems)
    raw = evidence(data)
    if content.reaction is not None:
        _add_reaction(result, content.reaction, message_id=message_id, conversation=conversation,
                      author=author, at=sent_at, raw=raw)  # fmt: skip
        return
    if content.protocol is not None:
        _add_protocol(result, content.protocol, conversation=conversation, placed=True, by_line=from_me,
                      at=sent_at, raw=raw)  # fmt: skip
        return
    if content.secret is not None:
        editors = _editor_jids(key, chat=chat, from_me=from_me, own=ctx.own)
        _add_secret_edit(result, content.secret, message_id=message_id, conversation=conversation,
                         editors=editors, at=sent_at, raw=raw)  # fmt: skip
        return
    if content.not_message is not None:
        result.problems.append(f"message {message_id} is {content.not_message}; kept in the journal only")
        return
    reply_to, forwarded, frequently = reply_and_forward(context_of(data, content))
    result.events.append(
        MessageEvent(
            provider_message_id=message_id,
            conversation=conversation,
            direction=Direction.OUTBOUND if from_me else Direction.INBOUND,
            kind=content.kind,
            sent_at=sent_at,
            text=content.text,
            author=author,
            author_name=None if from_me else push_name,
            reply_to=reply_to,
            forwarded=forwarded,
            frequently_forwarded=frequently,
            attachments=content.attachments,
            raw=raw,
        )
    )
    if content.kind is MessageKind.UNSUPPORTED:
        result.problems.append(f"message {message_id} of type {clip_note(content.type_name)} kept as unsupported")


def _add_reaction(
    result: GatewayParse,
    reaction: dict[str, Any],
    *,
    message_id: str,
    conversation: ConversationRef,
    author: ContactRef | None,
    at: datetime,
    raw: dict[str, Any],
) -> None:
    target = text_of(as_dict(reaction.get("key")).get("id"))
    if target is None:
        result.problems.append(f"reaction {message_id} without a target; kept in the journal only")
        return
    result.events.append(
        ReactionEvent(
            target_message_id=target,
            conversation=conversation,
            emoji=as_str(reaction.get("text")) or "",  # empty: the reaction was removed
            reacted_at=moment(reaction.get("senderTimestampMs"), millis=True) or at,
            provider_event_id=message_id,
            author=author,
            raw=raw,
        )
    )


def author_jids(data: Any) -> tuple[str, ...]:
    """The JIDs the author of an archived Evolution message (its `raw`) may be known by."""
    key = as_dict(as_dict(data).get("key"))
    chat = parse_jid(key.get("remoteJid"))
    return _editor_jids(key, chat=chat, from_me=key.get("fromMe") is True, own=None) if chat else ()


def _editor_jids(key: dict[str, Any], *, chat: Jid, from_me: bool, own: Jid | None) -> tuple[str, ...]:
    """Every JID the author of a message may be known by: participant or chat, phone and LID."""
    if chat.kind is JidKind.GROUP or from_me:
        candidates = [parse_jid(key.get("participant")), parse_jid(key.get("participantAlt"))]
        if from_me:
            candidates.append(own)
    else:
        candidates = [chat, parse_jid(key.get("remoteJidAlt"))]
    return tuple(dict.fromkeys(j.raw for j in candidates if j is not None))


def _add_secret_edit(
    result: GatewayParse,
    secret: dict[str, Any],
    *,
    message_id: str,
    conversation: ConversationRef,
    editors: tuple[str, ...],
    at: datetime,
    raw: dict[str, Any],
) -> None:
    target = text_of(as_dict(secret.get("targetMessageKey")).get("id"))
    payload, iv = bytes_of(secret.get("encPayload")), bytes_of(secret.get("encIv"))
    if target is None or payload is None or iv is None or not editors:
        result.problems.append(f"encrypted edit {message_id} lacks its target, payload, iv or author; journal only")
        return
    result.encrypted_edits.append(EncryptedEdit(message_id, target, conversation, payload, iv, editors, at, raw))


def _add_protocol(
    result: GatewayParse,
    protocol: dict[str, Any],
    *,
    conversation: ConversationRef,
    placed: bool,
    by_line: bool,
    at: datetime,
    raw: dict[str, Any],
) -> None:
    """Type 14 edits and type 0 revokes of `protocol.key.id`; other types are housekeeping."""
    kind = protocol.get("type")
    target = text_of(as_dict(protocol.get("key")).get("id"))
    is_edit = isinstance(kind, int | str) and kind in PROTOCOL_EDIT
    is_revoke = isinstance(kind, int | str) and kind in PROTOCOL_REVOKE
    if not (is_edit or is_revoke):
        result.problems.append(f"protocol message of type {clip_note(kind)} is housekeeping; kept in the journal only")
        return
    if target is None:
        result.problems.append("protocol message without key.id; kept in the journal only")
        return
    event: EditEvent | RevokeEvent
    if is_edit:
        edited: BaileysContent = read_content(protocol.get("editedMessage"), max_media_bytes=0)
        when = moment(protocol.get("timestampMs"), millis=True) or at
        # No provider id: the archive derives one from target, time and text, so the same edit
        # delivered twice (retry, or upsert and messages.edited) is one revision.
        event = EditEvent(target, conversation, edited.text or "", when, raw=raw)
    else:
        # A message is deleted once: keyed by its target, whichever event reports it.
        event = RevokeEvent(target, conversation, at, by_line=by_line, provider_event_id=f"revoke:{target}", raw=raw)
    (result.events if placed else result.unplaced).append(event)


def _add_edited(result: GatewayParse, data: dict[str, Any], *, ctx: _Context, sent_by_api: bool) -> None:
    """`messages.edited`: the protocol message alone (its key written from the editor's side),
    or, in some versions, a whole message that contains it."""
    if isinstance(data.get("message"), dict) and isinstance(data.get("key"), dict):
        _add_message(result, data, ctx=ctx)
        return
    protocol = as_dict(data.get("protocolMessage")) or data
    key = as_dict(protocol.get("key"))
    chat = parse_jid(key.get("remoteJid"))
    at = ctx.fallback_at
    if at is None:
        result.problems.append("edit without any timestamp; kept in the journal only")
        return
    placed = False
    guess = ConversationRef(key="")  # unknown: the service places it by its target, or leaves it
    by_line = sent_by_api
    if chat is not None and chat.kind is JidKind.GROUP:
        guess, placed = conversation_for(chat) or guess, True
        by_line = by_line or same_user(parse_jid(key.get("participant")), ctx.own)
    elif chat is not None and skip_reason(chat) is None and not same_user(chat, ctx.own):
        # Written by the line itself: the key names the other party's chat, as we see it.
        guess = conversation_for(chat, alt=parse_jid(key.get("remoteJidAlt"))) or guess
        by_line = by_line or key.get("fromMe") is True
    _add_protocol(result, protocol, conversation=guess, placed=placed and bool(guess.key), by_line=by_line,
                  at=at, raw=evidence(data))  # fmt: skip


def _add_delete(result: GatewayParse, data: dict[str, Any], *, ctx: _Context) -> None:
    """`messages.delete`: the key of the deleted message, from our side (Baileys rewrites it), or
    the stored message (`status: "DELETED"`) when the deletion went through Evolution's API."""
    via_api = isinstance(data.get("key"), dict)
    key = as_dict(data.get("key")) if via_api else data
    target = text_of(key.get("id"))
    chat = parse_jid(key.get("remoteJid"))
    at = ctx.fallback_at
    if target is None or at is None:
        result.problems.append("deletion without key.id or timestamp; kept in the journal only")
        return
    if chat is not None and (reason := skip_reason(chat)) is not None:
        result.problems.append(f"deletion of {target} is {reason}; kept in the journal only")
        return
    conversation = conversation_for(chat, alt=parse_jid(key.get("remoteJidAlt")))
    event = RevokeEvent(
        target,
        conversation or ConversationRef(key=""),
        at,
        by_line=via_api or key.get("fromMe") is True,
        provider_event_id=f"revoke:{target}",
        raw=evidence(data),
    )
    (result.events if conversation is not None else result.unplaced).append(event)


def _add_status(result: GatewayParse, data: dict[str, Any], *, ctx: _Context) -> None:
    """`messages.update`: `{keyId, remoteJid, fromMe, participant, status, messageId (Evolution's
    own row id, not WhatsApp's)}`. Receipts of messages the line received are not kept."""
    key = as_dict(data.get("key"))
    target = text_of(data.get("keyId")) or text_of(key.get("id"))
    from_me = data.get("fromMe") is True or key.get("fromMe") is True
    value = data.get("status")
    if as_list(data.get("pollUpdates")):
        result.problems.append(f"poll votes on {clip_note(target)}; kept in the journal only")
    if target is None or not from_me or (isinstance(value, int | str) and value in QUIET_STATUSES):
        return
    status = STATUSES.get(value) if isinstance(value, int | str) else None
    if status is None and isinstance(value, str) and value.isdigit():
        status = STATUSES.get(int(value))
    if status is None or ctx.fallback_at is None:
        result.problems.append(f"status {clip_note(value)} of {target} not kept")
        return
    recipient = as_str(data.get("participant")) or as_str(data.get("remoteJid")) or as_str(key.get("remoteJid"))
    result.events.append(StatusEvent(target, status, ctx.fallback_at, recipient=recipient, raw=evidence(data)))


__all__ = ["evidence", "parse_envelope"]
