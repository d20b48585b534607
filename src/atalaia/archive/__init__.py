"""The archive: idempotent storage of normalised events, linked into a per-tenant hash chain."""

from atalaia.archive.writer import ArchiveContext, ArchiveResult, archive_events, archive_lines

__all__ = ["ArchiveContext", "ArchiveResult", "archive_events", "archive_lines"]
