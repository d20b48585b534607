"""WhatsApp as RSMF 2.0.0: participants, the conversation and one event per message (pure mapping).

The line is the custodian; a one-to-one chat is `direct`, a group a `channel`; the platform is
`whatsapp`. Each message is a `message` event (system lines become `join`, `leave`, `disclaimer`
or `unknown`) with `direction` relative to the line; its body is its current text, `edits` list
every change with the text before and after, a deletion for everyone keeps the text and sets
`deleted`; `reactions` are the reactions standing now (one per person, removals applied);
`read_receipts` come from delivery statuses; `parent` names the quoted message when it is in
the same file. Anything RSMF has no field for goes into `custom` (name/value strings), including
each record's place in the hash chain and attachments whose bytes are missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from atalaia.exports.checkpoint import CheckpointCut
from atalaia.exports.model import ExportAttachment, ExportConversation, ExportMessage, ExportReaction, Party
from atalaia.exports.records import utc_iso

VERSION: Final = "2.0.0"
PLATFORM: Final = "whatsapp"
_DISCLAIMER = re.compile(r"criptografia de ponta a ponta|end-to-end encrypted|cifrad[ao]s de extremo a extremo", re.I)
_LEAVE = re.compile(r"\b(saiu|removeu|left|removed|salió|eliminó)\b", re.I)
_JOIN = re.compile(r"\b(entrou|adicionou|joined|added|se unió|añadió)\b", re.I)
RECEIPTS: Final = {"delivered": "delivered", "read": "read", "played": "read"}


def custom(**values: object) -> list[dict[str, str]]:
    """RSMF custom properties: non-empty string values only, in the order given."""
    return [{"name": name, "value": str(value)} for name, value in values.items() if value is not None and value != ""]


def participant_entry(party: Party, *, custodian: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": party.id, "display": party.display, "account_id": party.phone or party.id}
    if party.email:
        entry["email"] = party.email
    entry["custom"] = custom(phone=party.phone, role="custodian" if custodian else None)
    return entry


def conversation_entry(
    conversation: ExportConversation, participant_ids: Iterable[str], checkpoint: CheckpointCut
) -> dict[str, Any]:
    return {
        "id": f"c{conversation.id}",
        "display": conversation.display,
        "platform": PLATFORM,
        "type": "channel" if conversation.kind == "group" else "direct",
        "participants": list(participant_ids),
        "custodian": conversation.custodian.id,
        "custom": custom(
            atalaia_conversation_id=conversation.id,
            line=conversation.line_number,
            timezone=conversation.timezone,
            checkpoint_seq=checkpoint.seq,
            checkpoint_head_hash=checkpoint.head_hash,
            checkpoint_signature=checkpoint.signature.hex(),
        ),
    }


def event_type(message: ExportMessage) -> str:
    if message.kind != "system":
        return "message"
    text = message.text or ""
    if _DISCLAIMER.search(text):
        return "disclaimer"
    if _LEAVE.search(text):
        return "leave"
    if _JOIN.search(text):
        return "join"
    return "unknown"


def standing_reactions(reactions: Iterable[ExportReaction]) -> list[dict[str, Any]]:
    """Each person's last reaction, removals applied, grouped by emoji in order of first use."""
    last: dict[str, ExportReaction] = {}
    for reaction in reactions:
        last[reaction.author.id] = reaction
    grouped: dict[str, list[str]] = {}
    for reaction in last.values():
        if reaction.emoji:
            grouped.setdefault(reaction.emoji, []).append(reaction.author.id)
    return [{"value": emoji, "count": len(ids), "participants": ids} for emoji, ids in grouped.items()]


def read_receipts(message: ExportMessage, conversation: ExportConversation) -> list[dict[str, Any]]:
    """Delivered/read statuses of a message the line sent, by the recipient when it is known."""
    if message.direction != "outbound":
        return []
    by_digits = {_digits(p.phone): p.id for p in conversation.participants if p.phone and not p.is_line}
    receipts = []
    for status in message.statuses:
        action = RECEIPTS.get(status.status)
        recipient = by_digits.get(_digits(status.recipient)) if status.recipient else None
        participant = recipient or (conversation.contact.id if conversation.contact else None)
        if action and participant:
            receipts.append({"participant": participant, "timestamp": utc_iso(status.at), "action": action})
    return receipts


def referenced_parties(message: ExportMessage, conversation: ExportConversation) -> list[Party]:
    """Every participant the message's event names, so the manifest can declare them."""
    parties = [message.author, *(r.author for r in message.reactions)]
    if message.direction == "outbound" and message.statuses and conversation.contact:
        parties.append(conversation.contact)
    return parties


def event_entry(
    message: ExportMessage,
    conversation: ExportConversation,
    *,
    files: Mapping[int, str],
    missing: Mapping[int, str],
    parent_in_file: bool,
) -> dict[str, Any]:
    """`files`: attachment id -> file name in the zip; `missing`: attachment id -> why it is not there."""
    event: dict[str, Any] = {
        "id": f"m{message.id}",
        "type": event_type(message),
        "participant": message.author.id,
        "conversation": f"c{conversation.id}",
        "timestamp": utc_iso(message.sent_at),
        "direction": "outgoing" if message.direction == "outbound" else "incoming",
    }
    body = message.latest_text
    if body:
        event["body"] = body
    if message.reply_to_id is not None and parent_in_file:
        event["parent"] = f"m{message.reply_to_id}"
    if message.deleted:
        event["deleted"] = True
    attachments = [_attachment(a, files[a.id]) for a in message.attachments if a.id in files]
    if attachments:
        event["attachments"] = attachments
    if message.revisions:
        previous = message.text or ""
        edits = []
        for revision in message.revisions:
            edits.append(
                {"participant": message.author.id, "timestamp": utc_iso(revision.edited_at),
                 "previous": previous, "new": revision.text}
            )  # fmt: skip
            previous = revision.text
        event["edits"] = edits
    reactions = standing_reactions(message.reactions)
    if reactions:
        event["reactions"] = reactions
    receipts = read_receipts(message, conversation)
    if receipts:
        event["read_receipts"] = receipts
    event["custom"] = _event_custom(message, missing, parent_in_file=parent_in_file)
    return event


def _event_custom(message: ExportMessage, missing: Mapping[int, str], *, parent_in_file: bool) -> list[dict[str, str]]:
    revocation = message.revocation
    values = custom(
        atalaia_message_id=message.id,
        provider_message_id=message.provider_message_id,
        kind=message.kind,
        author_name=message.author_name,
        forwarded="true" if message.forwarded else None,
        frequently_forwarded="true" if message.frequently_forwarded else None,
        deleted_at=utc_iso(revocation.revoked_at) if revocation else None,
        deleted_by=("line" if revocation.by_line else "contact") if revocation else None,
        reply_to=message.reply_to if message.reply_to and not parent_in_file else None,
        chain_seq=message.chain_seq,
        content_hash=message.content_hash,
    )
    values += [{"name": f"status_{s.status}", "value": utc_iso(s.at)} for s in message.statuses]
    values += [
        {"name": "missing_attachment", "value": f"{a.file_name or a.id}: {missing[a.id]}"}
        for a in message.attachments
        if a.id in missing
    ]
    return values


def _attachment(attachment: ExportAttachment, name: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": name, "display": attachment.file_name or name}
    if attachment.size is not None:
        entry["size"] = attachment.size
    return entry


def _digits(value: str | None) -> str:
    return "".join(char for char in (value or "").split("@", 1)[0] if char.isdigit())
