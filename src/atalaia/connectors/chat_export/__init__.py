"""WhatsApp "Export chat" files (`.txt`, or `.zip` with media): parsing and domain events.

Usage: `with read_export(path) as reader: for message in reader.messages(): ...`, then
`to_message_events(...)` for the archive. Decisions: docs/decisions/0002-chat-export-parsing.md.
"""

from atalaia.connectors.chat_export.archive import MediaStore, ZipLimits, chat_name_from_filename, open_export
from atalaia.connectors.chat_export.errors import ExportError
from atalaia.connectors.chat_export.events import (
    collect_authors,
    contact_ref_for,
    conversation_ref_for,
    message_id,
    to_message_events,
)
from atalaia.connectors.chat_export.lines import LineLimits
from atalaia.connectors.chat_export.models import ExportedMessage, ExportKind, ParseStats
from atalaia.connectors.chat_export.reader import ExportFormat, ExportReader, read_export

__all__ = [
    "ExportError",
    "ExportFormat",
    "ExportKind",
    "ExportReader",
    "ExportedMessage",
    "LineLimits",
    "MediaStore",
    "ParseStats",
    "ZipLimits",
    "chat_name_from_filename",
    "collect_authors",
    "contact_ref_for",
    "conversation_ref_for",
    "message_id",
    "open_export",
    "read_export",
    "to_message_events",
]
