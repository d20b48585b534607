"""The raw event journal: every webhook body, byte for byte, stored before anything parses it."""

from atalaia.journal.store import append_entry, mark_entry

__all__ = ["append_entry", "mark_entry"]
