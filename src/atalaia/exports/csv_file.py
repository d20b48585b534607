"""CSV: one row per message, for spreadsheets; safe to open in Excel or LibreOffice.

UTF-8 with a byte-order mark (Excel otherwise reads it as ANSI) and a header row. A cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula: it gets a
leading apostrophe (OWASP's CSV-injection advice). Edits, reactions, statuses and attachments are
JSON in their cells. Excel shows at most 32,767 characters of a cell; the file keeps the whole
text, and JSON Lines is the format to process.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import Any, Final

from atalaia.exports.attachments import AttachmentFolder
from atalaia.exports.model import ExportConversation, ExportMessage
from atalaia.exports.records import message_record
from atalaia.exports.writer import ExportContext

FILE_NAME: Final = "events.csv"
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
COLUMNS: Final = (
    "message_id", "conversation_id", "conversation", "line", "provider_message_id", "sent_at", "sent_at_local",
    "direction", "kind", "author_id", "author", "author_phone", "text", "latest_text", "edited", "edits",
    "deleted", "deleted_at", "deleted_by", "reply_to_message_id", "reply_to_provider_id", "forwarded",
    "reactions", "statuses", "attachments", "chain_seq", "content_hash",
)  # fmt: skip


def safe_cell(value: Any) -> str:
    """The cell's text, defused when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def row_for(record: dict[str, Any]) -> list[str]:
    revocation = record["revocation"] or {}
    reply = record["reply_to"] or {}
    values: dict[str, Any] = {
        "message_id": record["id"],
        "conversation_id": record["conversation_id"],
        "conversation": record["conversation"],
        "line": record["line"],
        "provider_message_id": record["provider_message_id"],
        "sent_at": record["sent_at"],
        "sent_at_local": record["sent_at_local"],
        "direction": record["direction"],
        "kind": record["kind"],
        "author_id": record["author"]["id"],
        "author": record["author"]["name"],
        "author_phone": record["author"]["phone"],
        "text": record["text"],
        "latest_text": record["latest_text"],
        "edited": record["edited"],
        "edits": [{"edited_at": r["edited_at"], "text": r["text"]} for r in record["revisions"]] or None,
        "deleted": record["deleted"],
        "deleted_at": revocation.get("revoked_at"),
        "deleted_by": revocation.get("by"),
        "reply_to_message_id": reply.get("message_id"),
        "reply_to_provider_id": reply.get("provider_message_id"),
        "forwarded": record["forwarded"],
        "reactions": [
            {"emoji": r["emoji"], "author": r["author"]["name"], "at": r["reacted_at"]} for r in record["reactions"]
        ]
        or None,
        "statuses": [{"status": s["status"], "at": s["at"]} for s in record["statuses"]] or None,
        "attachments": [
            {key: a[key] for key in ("file_name", "sha256", "size", "path", "status", "missing_reason")}
            for a in record["attachments"]
        ]
        or None,
        "chain_seq": record["chain"]["seq"],
        "content_hash": record["chain"]["content_hash"],
    }
    return [safe_cell(values[column]) for column in COLUMNS]


class CsvWriter:
    def __init__(self, ctx: ExportContext) -> None:
        self._folder = AttachmentFolder(ctx.root, ctx.attachments)
        self._file = (ctx.root / FILE_NAME).open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file, quoting=csv.QUOTE_MINIMAL)
        self._csv.writerow(COLUMNS)
        self._conversation: ExportConversation | None = None

    def begin_conversation(self, conversation: ExportConversation) -> None:
        self._conversation = conversation

    def write(self, messages: Sequence[ExportMessage]) -> None:
        assert self._conversation is not None
        for message in messages:
            placed = [self._folder.place(a, message_id=message.id) for a in message.attachments]
            self._csv.writerow(row_for(message_record(message, self._conversation, placed)))

    def end_conversation(self) -> None:
        self._conversation = None

    def close(self) -> None:
        self._file.close()
