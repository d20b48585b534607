"""What an export carries, read from the archive once and handed to every format's writer.

Plain frozen values with no database session behind them, so a batch can be written after the
short read transaction that produced it has ended (SQLite's writers must not wait on an export).
Only records covered by the export's signed checkpoint are here (see `reading.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Party:
    """Someone in a conversation: the line (the custodian), a contact, or a name from a chat export."""

    id: str  # stable within the archive: line-3, contact-17, name-<hash>, unknown
    display: str
    phone: str | None = None  # E.164
    email: str | None = None  # only the line's employee has one
    is_line: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.display, "phone": self.phone, "email": self.email, "line": self.is_line}


@dataclass(frozen=True, slots=True)
class ExportAttachment:
    id: int
    position: int
    file_name: str | None
    mime_type: str | None
    caption: str | None
    sha256: str | None  # set only when the bytes are stored and covered by the checkpoint
    size: int | None
    status: str  # attachments.download_status: stored, pending, failed, mismatch...
    missing_reason: str | None  # why the bytes cannot be exported; None when `sha256` is set


@dataclass(frozen=True, slots=True)
class ExportRevision:
    id: int
    text: str
    edited_at: datetime
    chain_seq: int


@dataclass(frozen=True, slots=True)
class ExportRevocation:
    id: int
    revoked_at: datetime
    by_line: bool  # the employee deleted it (else the other party)
    chain_seq: int


@dataclass(frozen=True, slots=True)
class ExportReaction:
    id: int
    emoji: str  # empty: the author removed their reaction
    reacted_at: datetime
    author: Party
    chain_seq: int


@dataclass(frozen=True, slots=True)
class ExportStatus:
    id: int
    status: str  # sent | delivered | read | played | failed | deleted
    at: datetime
    recipient: str | None
    chain_seq: int


@dataclass(frozen=True, slots=True)
class ExportMessage:
    id: int
    conversation_id: int
    line_id: int
    provider_message_id: str
    direction: str  # inbound | outbound
    kind: str
    author: Party
    author_name: str | None  # as the provider or export gave it
    text: str | None  # the original text: edits never change it
    sent_at: datetime
    received_at: datetime
    reply_to: str | None  # provider id of the quoted message
    reply_to_id: int | None  # that message's id, when it is archived on the same line
    forwarded: bool
    frequently_forwarded: bool
    chain_seq: int
    content_hash: str
    revisions: tuple[ExportRevision, ...] = ()  # oldest first
    revocation: ExportRevocation | None = None
    reactions: tuple[ExportReaction, ...] = ()  # in the order they happened
    statuses: tuple[ExportStatus, ...] = ()
    attachments: tuple[ExportAttachment, ...] = ()

    @property
    def latest_text(self) -> str | None:
        """What the message says now: its last edit, else what was first said."""
        return self.revisions[-1].text if self.revisions else self.text

    @property
    def edited(self) -> bool:
        return bool(self.revisions)

    @property
    def deleted(self) -> bool:
        return self.revocation is not None


@dataclass(frozen=True, slots=True)
class ExportConversation:
    id: int
    kind: str  # direct | group
    display: str
    subject: str | None
    line_id: int
    line_number: str
    timezone: str  # the line's: local times in transcripts are in it
    custodian: Party  # the line, and the employee assigned to it
    contact: Party | None  # the other party of a direct chat
    participants: tuple[Party, ...]  # known members, the custodian first
