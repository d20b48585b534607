"""The raw event journal: every webhook body, byte for byte, stored before anything parses it."""

from atalaia.journal.redaction import redact_entries, tombstone
from atalaia.journal.store import EntryMark, append_entries, append_entry, list_pending, mark_entries, mark_entry

__all__ = [
    "EntryMark",
    "append_entries",
    "append_entry",
    "list_pending",
    "mark_entries",
    "mark_entry",
    "redact_entries",
    "tombstone",
]
