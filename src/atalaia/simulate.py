"""Simulated provider traffic: the demo company's events as the webhooks Meta and Evolution API send.

Pure: it builds bytes and sends nothing (`atalaia simulate` and `bench/ingest_http.py` do the HTTP).

1. `simulated_stream` plays the demo generator over the chosen lines only, so N messages are N
   messages of lines that can be simulated, in time order, with their statuses, edits, deletions
   and reactions.
2. `PayloadBuilder` turns each event into its provider's shape: a Cloud API `messages` object, a
   Coexistence `message_echoes` object for what the employee sends from the phone, or a `statuses`
   object; or an Evolution API v2 envelope around a Baileys message (`messages.upsert`,
   `send.message`, `messages.update`, `groups.upsert`).
3. `deliveries` packs Cloud API objects into signed bodies of a few changes, as Meta batches them
   under load, gives each Evolution envelope its line's bearer token, and sends a share of bodies
   again later, byte for byte, as a provider retrying after a timeout does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, NamedTuple

from atalaia.connectors.cloud_api.signature import sign
from atalaia.demo import DemoLine, DemoPlan
from atalaia.demo.timeline import split_quota
from atalaia.demo.traffic import Traffic
from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, MessageKind, Provider
from atalaia.domain.events import (
    ArchiveEvent,
    AttachmentRef,
    ContactRef,
    ConversationRef,
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)

CLOUD_PATH: Final = "/webhooks/cloud"
EVOLUTION_PATH: Final = "/webhooks/evolution"
SIMULATED: Final = frozenset({Provider.CLOUD, Provider.EVOLUTION})  # WAHA lines are not simulated yet
MEMORY: Final = 200_000  # recent message ids whose author is remembered (~30 MB); replies and reactions look back
RETRY_WINDOW: Final = 20  # a re-delivered body goes out 1 to 20 deliveries after the original
LINE: Final = "line"  # in the author memory: the line itself wrote it (other authors are wa_ids)
_CLOUD_KINDS: Final = {
    MessageKind.IMAGE: "image",
    MessageKind.AUDIO: "audio",
    MessageKind.VIDEO: "video",
    MessageKind.DOCUMENT: "document",
    MessageKind.STICKER: "sticker",
}
_BAILEYS_MEDIA: Final = {
    MessageKind.IMAGE: "imageMessage",
    MessageKind.AUDIO: "audioMessage",
    MessageKind.VIDEO: "videoMessage",
    MessageKind.DOCUMENT: "documentMessage",
    MessageKind.STICKER: "stickerMessage",
}
_BAILEYS_STATUS: Final = {
    DeliveryStatus.SENT: "SERVER_ACK",
    DeliveryStatus.DELIVERED: "DELIVERY_ACK",
    DeliveryStatus.READ: "READ",
    DeliveryStatus.PLAYED: "PLAYED",
    DeliveryStatus.FAILED: "ERROR",
}
# Evolution copies the instance's API key into every body; Atalaia must never store or log it.
EVOLUTION_APIKEY: Final = "simulado-apikey-nunca-armazenar"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One HTTP request to send: `POST path` with these exact bytes and headers."""

    provider: Provider
    path: str
    body: bytes
    headers: Mapping[str, str]
    messages: int  # message events carried (0 for statuses, reactions, group updates...)
    events: int  # all archive events carried
    duplicate: bool = False  # the same bytes as an earlier delivery: a provider's retry
    source: tuple[ArchiveEvent, ...] = ()  # the events it carries, kept on request (tests)


@dataclass(frozen=True, slots=True)
class CloudItem:
    """One object of a Cloud API change value, with where it goes."""

    line: DemoLine
    field: str  # the change's `field`: messages | smb_message_echoes
    key: str  # the list in the value: messages | message_echoes | statuses
    obj: dict[str, Any]
    contact: dict[str, Any] | None  # the `contacts` entry an inbound message brings
    event: ArchiveEvent


def simulated_lines(plan: DemoPlan, *, cloud: bool, evolution_numbers: Iterable[str] = ()) -> list[DemoLine]:
    """The plan's lines that traffic can be sent for: Cloud API lines when `cloud`, Evolution
    lines whose number is in `evolution_numbers` (those with a known token)."""
    numbers = set(evolution_numbers)
    return [
        line
        for line in plan.lines
        if (cloud and line.provider is Provider.CLOUD)
        or (line.provider is Provider.EVOLUTION and line.number in numbers)
    ]


def simulated_stream(
    plan: DemoPlan, *, lines: Sequence[DemoLine], seed: int, messages: int, days: int, end: date
) -> Iterator[tuple[DemoLine, ArchiveEvent]]:
    """Exactly `messages` message events over `lines` (split by their weights), with their
    follow-ups, in time order, over the `days` days ending with `end`."""
    if messages < 0 or days < 1:
        raise ValueError("messages must be >= 0 and days >= 1")
    if not lines:
        return
    totals = split_quota(messages, [line.weight for line in lines])
    traffic = Traffic(
        plan, list(zip(lines, totals, strict=True)), seed=seed, first=end - timedelta(days=days - 1), days=days
    )
    by_index = {line.index: line for line in lines}
    for _at, index, _seq, event in traffic:
        yield by_index[index], event


def read_token_file(text: str) -> dict[str, str]:
    """`number=token` lines (blank lines and `#` comments ignored) -> {"+5521...": token}."""
    tokens: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        phone, sep, token = line.partition("=")
        digits = re.sub(r"\D", "", phone)
        if not sep or not token.strip() or not 8 <= len(digits) <= 15:
            raise ValueError(f"line {number}: expected `+5521999990000=TOKEN`")
        tokens[f"+{digits}"] = token.strip()
    return tokens


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join(parts).encode("utf-8")).digest()


def _jid(wa_id: str) -> str:
    return f"{wa_id}@s.whatsapp.net"


class PayloadBuilder:
    """Provider payloads for one plan's events, in stream order.

    It remembers who wrote each recent message (at most `memory` of them), because a reaction,
    an edit or a reply says only the target's id while the payload names the target's author.
    """

    def __init__(self, plan: DemoPlan, *, memory: int = MEMORY, inline_media: bool = True) -> None:
        self.plan = plan
        self.inline_media = inline_media  # Evolution's `webhook_base64`: media bytes in the body
        self.waba_id = str(10**14 + int.from_bytes(_digest("waba", plan.company)[:8]) % (9 * 10**14))
        self._memory = memory
        self._authors: dict[str, str] = {}
        self._groups = {group.key: group for group in plan.groups}
        self._announced: set[tuple[int, str]] = set()

    # -- memory -----------------------------------------------------------------------------

    def _remember(self, message_id: str, author: str | None) -> None:
        if author is None:
            return
        authors = self._authors
        authors[message_id] = author
        if len(authors) > self._memory:
            del authors[next(iter(authors))]  # the oldest: dicts keep insertion order

    def _author(self, message_id: str, *, default: str | None) -> str | None:
        """`LINE`, the author's wa_id, or `default` when the message is not remembered."""
        return self._authors.get(message_id, default)

    # -- Cloud API --------------------------------------------------------------------------

    def cloud_item(self, line: DemoLine, event: ArchiveEvent) -> CloudItem | None:
        """The Cloud API object for `event`; None for what the Cloud API cannot carry (groups)."""
        if isinstance(event, StatusEvent):
            return CloudItem(line, "messages", "statuses", self._cloud_status(event), None, event)
        contact = event.conversation.contact
        if event.conversation.kind is not ConversationKind.DIRECT or contact is None or not contact.wa_id:
            return None
        other = contact.wa_id
        if isinstance(event, MessageEvent):
            outbound = event.direction is Direction.OUTBOUND
            obj = self._cloud_message(line, event, other=other, outbound=outbound)
            self._remember(event.provider_message_id, LINE if outbound else other)
        elif isinstance(event, ReactionEvent):
            outbound = event.author is None
            reaction = {"message_id": event.target_message_id}
            if event.emoji:  # a removed reaction comes without an emoji
                reaction["emoji"] = event.emoji
            obj = self._cloud_base(line, message_id=event.provider_event_id, at=event.reacted_at, other=other,
                                  outbound=outbound, kind="reaction")  # fmt: skip
            obj["reaction"] = reaction
        elif isinstance(event, EditEvent):
            outbound = self._author(event.target_message_id, default=other) == LINE
            event_id = event.provider_event_id or _wamid(line, event.target_message_id, "edit")
            obj = self._cloud_base(line, message_id=event_id, at=event.edited_at, other=other, outbound=outbound,
                                  kind="edit")  # fmt: skip
            obj["edit"] = {
                "original_message_id": event.target_message_id,
                "message": {"type": "text", "text": {"body": event.new_text}},
            }
        else:
            outbound = event.by_line
            event_id = event.provider_event_id or _wamid(line, event.target_message_id, "revoke")
            obj = self._cloud_base(line, message_id=event_id, at=event.revoked_at, other=other, outbound=outbound,
                                  kind="revoke")  # fmt: skip
            obj["revoke"] = {"original_message_id": event.target_message_id}
        if outbound:  # Coexistence: what the employee does in the Business app comes as an echo
            return CloudItem(line, "smb_message_echoes", "message_echoes", obj, None, event)
        profile = {"profile": {"name": contact.name}} if contact.name else {}
        return CloudItem(line, "messages", "messages", obj, {**profile, "wa_id": other}, event)

    def cloud_body(self, items: Sequence[CloudItem]) -> dict[str, Any]:
        """One notification: consecutive items of the same line and list share a change."""
        changes: list[dict[str, Any]] = []
        value: dict[str, Any] = {}
        current: tuple[int, str, str] | None = None
        for item in items:
            key = (item.line.index, item.field, item.key)
            if key != current:
                current = key
                metadata = {"display_phone_number": item.line.wa_id, "phone_number_id": item.line.phone_number_id}
                value = {"messaging_product": "whatsapp", "metadata": metadata}
                changes.append({"value": value, "field": item.field})
            if item.contact is not None:
                contacts = value.setdefault("contacts", [])
                if all(c["wa_id"] != item.contact["wa_id"] for c in contacts):
                    contacts.append(item.contact)
            value.setdefault(item.key, []).append(item.obj)
        return {"object": "whatsapp_business_account", "entry": [{"id": self.waba_id, "changes": changes}]}

    @staticmethod
    def _cloud_base(
        line: DemoLine, *, message_id: str, at: datetime, other: str, outbound: bool, kind: str
    ) -> dict[str, Any]:
        obj: dict[str, Any] = {"from": line.wa_id if outbound else other}
        if outbound:
            obj["to"] = other
        obj.update(id=message_id, timestamp=str(_seconds(at)), type=kind)
        return obj

    def _cloud_message(self, line: DemoLine, event: MessageEvent, *, other: str, outbound: bool) -> dict[str, Any]:
        ref = event.attachments[0] if event.attachments else None
        kind = _CLOUD_KINDS.get(event.kind) if ref is not None else None
        if kind is None and event.kind is not MessageKind.TEXT:
            kind = "unsupported"  # nothing the demo makes; kept honest rather than faked as text
        obj = self._cloud_base(line, message_id=event.provider_message_id, at=event.sent_at, other=other,
                               outbound=outbound, kind=kind or "text")  # fmt: skip
        if kind is None:
            obj["text"] = {"body": event.text or ""}
        elif kind == "unsupported":
            obj["errors"] = [{"code": 131051, "title": "Message type unknown"}]
        else:
            assert ref is not None
            obj[kind] = _cloud_media(kind, ref, message_id=event.provider_message_id)
        context: dict[str, Any] = {}
        if event.reply_to:
            quoted = self._author(event.reply_to, default=other if outbound else LINE)
            context.update({"from": line.wa_id if quoted == LINE else quoted, "id": event.reply_to})
        if event.frequently_forwarded:
            context["frequently_forwarded"] = True
        elif event.forwarded:
            context["forwarded"] = True
        if context:
            obj["context"] = context
        if event.referral:
            obj["referral"] = dict(event.referral)
        return obj

    @staticmethod
    def _cloud_status(event: StatusEvent) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": event.target_message_id,
            "status": event.status.value,
            "timestamp": str(_seconds(event.at)),
            "recipient_id": event.recipient or "",
        }
        if event.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
            conversation_id = _digest("conversation", event.recipient or "").hex()[:32]
            obj["conversation"] = {"id": conversation_id, "origin": {"type": "service"}}
            obj["pricing"] = {"billable": False, "pricing_model": "PMP", "category": "service"}
        if event.errors:
            obj["errors"] = [dict(error) for error in event.errors]
        return obj

    # -- Evolution API v2 -------------------------------------------------------------------

    def evolution_envelopes(
        self, line: DemoLine, event: ArchiveEvent, *, via_api: bool = False
    ) -> list[dict[str, Any]]:
        """The envelopes Evolution would post for `event` (a `groups.upsert` first when a group
        appears for the first time); `via_api`: an outbound message sent through Evolution's
        API (`send.message`) rather than typed on the phone (`messages.upsert`)."""
        if isinstance(event, StatusEvent):
            if event.status not in _BAILEYS_STATUS or not event.recipient:
                return []
            data = {
                "keyId": event.target_message_id,
                "remoteJid": _jid(event.recipient),
                "fromMe": True,
                "participant": None,
                "status": _BAILEYS_STATUS[event.status],
                "instanceId": self._instance_id(line),
                "messageId": "cm" + _digest("row", event.target_message_id, event.status.value).hex()[:23],
            }
            return [self._envelope(line, "messages.update", data, at=event.at)]
        chat = _chat_of(event.conversation)
        if chat is None:
            return []
        when = _moment(event)
        envelopes = []
        if chat.group and (line.index, event.conversation.key) not in self._announced:
            self._announced.add((line.index, event.conversation.key))
            envelopes.append(self._group_envelope(line, event.conversation, chat.jid, at=when))
        name = "messages.upsert"
        # A follow-up's target was written by the line, or by the one-to-one chat's other party;
        # in a group only the memory knows which member.
        default = None if chat.group else _other(event)
        push: str | None = None
        message: dict[str, Any]
        if isinstance(event, MessageEvent):
            outbound = event.direction is Direction.OUTBOUND
            message_id, push = event.provider_message_id, event.author_name
            author = LINE if outbound else (event.author.wa_id if event.author else None)
            message, type_name = self._baileys_message(line, event)
            self._remember(message_id, author)
            if outbound and via_api:
                name = "send.message"
        elif isinstance(event, ReactionEvent):
            message_id, type_name = event.provider_event_id, "reactionMessage"
            author = event.author.wa_id if event.author else LINE
            push = event.author.name if event.author else None
            target = self._author(event.target_message_id, default=default)
            key = _target_key(chat, target=event.target_message_id, author=target)
            message = {type_name: {"key": key, "text": event.emoji, "senderTimestampMs": str(_seconds(when) * 1000)}}
        elif isinstance(event, EditEvent):
            message_id = event.provider_event_id or _hex_id("edit", event.target_message_id)
            author, type_name = self._author(event.target_message_id, default=default), "editedMessage"
            protocol = {
                "key": _target_key(chat, target=event.target_message_id, author=author),
                "type": 14,  # MESSAGE_EDIT
                "editedMessage": {"conversation": event.new_text},
                "timestampMs": str(_seconds(when) * 1000),
            }
            message = {type_name: {"message": {"protocolMessage": protocol}}}
        else:
            message_id = event.provider_event_id or _hex_id("revoke", event.target_message_id)
            author = LINE if event.by_line else self._author(event.target_message_id, default=default)
            type_name = "protocolMessage"
            message = {type_name: {"key": _target_key(chat, target=event.target_message_id, author=author),
                                   "type": "REVOKE"}}  # fmt: skip
        data = self._baileys_data(line, chat, message_id=message_id, author=author, at=when, push=push,
                                  message=message, type_name=type_name)  # fmt: skip
        envelopes.append(self._envelope(line, name, data, at=when))
        return envelopes

    def _envelope(self, line: DemoLine, name: str, data: Any, *, at: datetime) -> dict[str, Any]:
        return {
            "event": name,
            "instance": line.instance,
            "data": data,
            "date_time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "sender": _jid(line.wa_id),
            "server_url": "http://127.0.0.1:8080",
            "apikey": EVOLUTION_APIKEY,
        }

    def _group_envelope(
        self, line: DemoLine, conversation: ConversationRef, jid: str, *, at: datetime
    ) -> dict[str, Any]:
        group = self._groups.get(conversation.key)
        members = [_jid(line.wa_id), *(_jid(m.wa_id) for m in (group.members if group else ()))]
        participants = [{"id": member, "admin": "superadmin" if i == 0 else None} for i, member in enumerate(members)]
        subject = conversation.subject or (group.subject if group else jid)
        data = [{"id": jid, "subject": subject, "owner": members[0], "participants": participants}]
        return self._envelope(line, "groups.upsert", data, at=at)

    def _instance_id(self, line: DemoLine) -> str:
        raw = _digest("instance", line.instance or line.number).hex()
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:32]}"

    def _baileys_data(
        self,
        line: DemoLine,
        chat: _Chat,
        *,
        message_id: str,
        author: str | None,
        at: datetime,
        push: str | None,
        message: dict[str, Any],
        type_name: str,
    ) -> dict[str, Any]:
        """Baileys' WebMessageInfo as Evolution forwards it; `author` is LINE, a wa_id or None."""
        from_me = author == LINE
        key: dict[str, Any] = {"remoteJid": chat.jid, "fromMe": from_me, "id": message_id}
        if chat.group and author is not None and not from_me:
            key["participant"] = _jid(author)
        return {
            "key": key,
            "pushName": line.employee.name if from_me else push or "",
            "status": "SERVER_ACK" if from_me else "DELIVERY_ACK",
            "message": message,
            "messageType": type_name,
            "messageTimestamp": _seconds(at),
            "instanceId": self._instance_id(line),
            "source": _device(message_id),
        }

    def _baileys_message(self, line: DemoLine, event: MessageEvent) -> tuple[dict[str, Any], str]:
        context: dict[str, Any] = {}
        if event.reply_to:
            quoted = self._author(event.reply_to, default=None)
            context["stanzaId"] = event.reply_to
            if quoted is not None:
                context["participant"] = _jid(line.wa_id if quoted == LINE else quoted)
        if event.forwarded or event.frequently_forwarded:
            context["isForwarded"] = True
            context["forwardingScore"] = 5 if event.frequently_forwarded else 1
        secret = {"messageSecret": _b64(_digest("secret", event.provider_message_id)), "deviceListMetadataVersion": 2}
        ref = event.attachments[0] if event.attachments else None
        media = _BAILEYS_MEDIA.get(event.kind) if ref is not None else None
        if ref is None or media is None:
            text = event.text or ""
            if context:
                body = {"text": text, "contextInfo": context}
                return {"extendedTextMessage": body, "messageContextInfo": secret}, "extendedTextMessage"
            return {"conversation": text, "messageContextInfo": secret}, "conversation"
        body = _baileys_media(media, ref, message_id=event.provider_message_id, at=event.sent_at)
        if context:
            body["contextInfo"] = context
        message: dict[str, Any] = {media: body, "messageContextInfo": secret}
        if self.inline_media and ref.content is not None:
            message["base64"] = _b64(ref.content)
        return message, media


class _Chat(NamedTuple):
    jid: str
    group: bool


def _chat_of(conversation: ConversationRef) -> _Chat | None:
    if conversation.kind is ConversationKind.GROUP:
        return _Chat(conversation.key.removeprefix("group:"), group=True)
    contact = conversation.contact
    return _Chat(_jid(contact.wa_id), group=False) if contact and contact.wa_id else None


def _target_key(chat: _Chat, *, target: str, author: str | None) -> dict[str, Any]:
    """The key of the message a reaction, edit or deletion names, as the receiving side writes it."""
    key: dict[str, Any] = {"remoteJid": chat.jid, "fromMe": author == LINE, "id": target}
    if chat.group and author is not None and author != LINE:
        key["participant"] = _jid(author)
    return key


def _moment(event: MessageEvent | EditEvent | RevokeEvent | ReactionEvent) -> datetime:
    if isinstance(event, MessageEvent):
        return event.sent_at
    if isinstance(event, EditEvent):
        return event.edited_at
    return event.revoked_at if isinstance(event, RevokeEvent) else event.reacted_at


def _other(event: MessageEvent | EditEvent | RevokeEvent | ReactionEvent) -> str | None:
    """The other party of a one-to-one chat, the default author of what the line did not write."""
    contact: ContactRef | None = event.conversation.contact
    return contact.wa_id if contact else None


def _wamid(line: DemoLine, target: str, what: str) -> str:
    return "wamid." + _b64(_digest(what, line.number, target)[:24])


def _hex_id(what: str, target: str) -> str:
    return "3EB0" + _digest(what, target).hex()[:16].upper()


def _device(message_id: str) -> str:
    """Where Baileys says a message came from, by the shape of its id."""
    if message_id.startswith("3EB0"):
        return "web"
    return "ios" if message_id.startswith("3A") else "android"


def _sha256_b64(ref: AttachmentRef) -> str | None:
    return _b64(bytes.fromhex(ref.sha256)) if ref.sha256 else None


def _cloud_media(kind: str, ref: AttachmentRef, *, message_id: str) -> dict[str, Any]:
    """A media object: Meta keeps the bytes and gives an id (valid for a while) to fetch them by."""
    media: dict[str, Any] = {}
    if ref.caption:
        media["caption"] = ref.caption
    if kind == "document" and ref.file_name:
        media["filename"] = ref.file_name
    media["mime_type"] = ref.mime_type or "application/octet-stream"
    if (digest := _sha256_b64(ref)) is not None:
        media["sha256"] = digest
    media["id"] = str(10**15 + int.from_bytes(_digest("media", message_id)[:8]) % (9 * 10**15))
    if kind == "audio":
        media["voice"] = (ref.mime_type or "").startswith("audio/ogg")
    elif kind == "sticker":
        media["animated"] = False
    return media


def _baileys_media(name: str, ref: AttachmentRef, *, message_id: str, at: datetime) -> dict[str, Any]:
    path = f"/v/t62.7118-24/{_digest('path', message_id).hex()[:40]}.enc"
    body: dict[str, Any] = {
        "url": f"https://mmg.whatsapp.net{path}?ccb=11-4",
        "mimetype": ref.mime_type or "application/octet-stream",
    }
    if (digest := _sha256_b64(ref)) is not None:
        body["fileSha256"] = digest
    body.update(
        fileLength=str(len(ref.content or b"")),
        mediaKey=_b64(_digest("key", message_id)),
        fileEncSha256=_b64(_digest("enc", message_id)),
        directPath=path,
        mediaKeyTimestamp=str(_seconds(at)),
    )
    if ref.caption:
        body["caption"] = ref.caption
    if name == "documentMessage" and ref.file_name:
        body["fileName"] = body["title"] = ref.file_name
    elif name == "audioMessage":
        body.update(ptt=True, seconds=7)
    elif name == "videoMessage":
        body["seconds"] = 12
    elif name == "stickerMessage":
        body["isAnimated"] = False
    return body


@dataclass(slots=True)
class _Retries:
    """Deliveries to send again later; `due` counts deliveries already sent."""

    due: list[tuple[int, Delivery]] = field(default_factory=list)

    def ready(self, sent: int) -> list[Delivery]:
        ready = [d for at, d in self.due if at <= sent]
        self.due = [(at, d) for at, d in self.due if at > sent]
        return ready


def deliveries(
    stream: Iterable[tuple[DemoLine, ArchiveEvent]],
    *,
    builder: PayloadBuilder,
    rng: random.Random,
    app_secret: str | None = None,
    tokens: Mapping[str, str] | None = None,
    batch: int = 4,
    duplicates: float = 0.0,
    via_api_share: float = 0.1,
    keep_events: bool = False,
) -> Iterator[Delivery]:
    """The HTTP requests for `stream`, in order.

    Cloud API bodies hold 1 to `batch` objects (drawn per body) and are signed with
    `app_secret`; each Evolution event is one envelope with its line's token from `tokens`
    (number -> token). Each delivery is sent again, with probability `duplicates`, 1 to
    `RETRY_WINDOW` deliveries later. Raises ValueError for a line it has no credential for.
    """
    if batch < 1 or not 0 <= duplicates <= 1:
        raise ValueError("batch must be >= 1 and duplicates within 0..1")
    tokens = tokens or {}
    retries = _Retries()
    pending: list[CloudItem] = []
    target = rng.randint(1, batch)
    sent = 0

    def emit(delivery: Delivery) -> Iterator[Delivery]:
        nonlocal sent
        yield delivery
        sent += 1
        if rng.random() < duplicates:
            copy = Delivery(delivery.provider, delivery.path, delivery.body, delivery.headers, delivery.messages,
                            delivery.events, duplicate=True, source=delivery.source)  # fmt: skip
            retries.due.append((sent + rng.randint(1, RETRY_WINDOW), copy))
        for again in retries.ready(sent):
            yield again
            sent += 1

    def flush() -> Iterator[Delivery]:
        nonlocal target
        if pending:
            if app_secret is None:
                raise ValueError("Cloud API traffic needs the app secret to sign it")
            body = _json(builder.cloud_body(pending), ascii_only=True)
            headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua",
                       "X-Hub-Signature-256": sign(body=body, app_secret=app_secret)}  # fmt: skip
            events = tuple(item.event for item in pending)
            yield from emit(Delivery(Provider.CLOUD, CLOUD_PATH, body, headers, _count(events), len(events),
                                     source=events if keep_events else ()))  # fmt: skip
            pending.clear()
        target = rng.randint(1, batch)

    for line, event in stream:
        if line.provider is Provider.CLOUD:
            item = builder.cloud_item(line, event)
            if item is not None:
                pending.append(item)
                if len(pending) >= target:
                    yield from flush()
            continue
        if line.provider is not Provider.EVOLUTION:
            continue
        token = tokens.get(line.number)
        if token is None:
            raise ValueError(f"no token for the Evolution line {line.number}")
        headers = {"Content-Type": "application/json", "User-Agent": "axios/1.7.9", "Authorization": f"Bearer {token}"}
        via_api = isinstance(event, MessageEvent) and rng.random() < via_api_share
        envelopes = builder.evolution_envelopes(line, event, via_api=via_api)
        for i, envelope in enumerate(envelopes):
            carried: tuple[ArchiveEvent, ...] = (event,) if i == len(envelopes) - 1 else ()
            yield from emit(Delivery(Provider.EVOLUTION, EVOLUTION_PATH, _json(envelope, ascii_only=False), headers,
                                     _count(carried), len(carried), source=carried if keep_events else ()))  # fmt: skip
    yield from flush()
    for _at, again in retries.due:
        yield again


def _count(events: Sequence[ArchiveEvent]) -> int:
    return sum(isinstance(e, MessageEvent) for e in events)


def _json(payload: Any, *, ascii_only: bool) -> bytes:
    """Meta escapes non-ASCII characters (`\\u00e7`); Node's JSON.stringify writes UTF-8."""
    return json.dumps(payload, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8")
