"""One message as a JSON object with its whole history: a JSON Lines line, and the CSV's source.

Times are UTC ISO 8601 with a `Z`; the line's local time is given beside the send time, since
reviewers read conversations in it. Attachments say where their file is in the export, or why
it is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from atalaia.exports.attachments import Placed
from atalaia.exports.model import ExportConversation, ExportMessage


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_iso(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).isoformat()


def message_record(
    message: ExportMessage, conversation: ExportConversation, placed: Sequence[Placed]
) -> dict[str, Any]:
    """`placed`: where each of the message's attachments went, in order."""
    return {
        "type": "message",
        "id": message.id,
        "conversation_id": conversation.id,
        "conversation": conversation.display,
        "conversation_kind": conversation.kind,
        "line": conversation.line_number,
        "provider_message_id": message.provider_message_id,
        "sent_at": utc_iso(message.sent_at),
        "sent_at_local": local_iso(message.sent_at, conversation.timezone),
        "received_at": utc_iso(message.received_at),
        "direction": message.direction,
        "kind": message.kind,
        "author": {**message.author.as_dict(), "name_as_sent": message.author_name},
        "text": message.text,
        "latest_text": message.latest_text,
        "edited": message.edited,
        "deleted": message.deleted,
        "reply_to": (
            {"provider_message_id": message.reply_to, "message_id": message.reply_to_id} if message.reply_to else None
        ),
        "forwarded": message.forwarded,
        "frequently_forwarded": message.frequently_forwarded,
        "revisions": [
            {"id": r.id, "text": r.text, "edited_at": utc_iso(r.edited_at), "chain_seq": r.chain_seq}
            for r in message.revisions
        ],
        "revocation": (
            {
                "id": message.revocation.id,
                "revoked_at": utc_iso(message.revocation.revoked_at),
                "by": "line" if message.revocation.by_line else "contact",
                "chain_seq": message.revocation.chain_seq,
            }
            if message.revocation
            else None
        ),
        "reactions": [
            {
                "id": r.id,
                "emoji": r.emoji,
                "removed": r.emoji == "",
                "reacted_at": utc_iso(r.reacted_at),
                "author": r.author.as_dict(),
                "chain_seq": r.chain_seq,
            }
            for r in message.reactions
        ],
        "statuses": [
            {"id": s.id, "status": s.status, "at": utc_iso(s.at), "recipient": s.recipient, "chain_seq": s.chain_seq}
            for s in message.statuses
        ],
        "attachments": [
            {
                "id": a.id,
                "file_name": a.file_name,
                "mime_type": a.mime_type,
                "caption": a.caption,
                "sha256": a.sha256 if where.path else None,
                "size": a.size if where.path else None,
                "status": a.status,
                "path": where.path,
                "missing_reason": where.missing_reason,
            }
            for a, where in zip(message.attachments, placed, strict=True)
        ],
        "chain": {"seq": message.chain_seq, "content_hash": message.content_hash},
    }
