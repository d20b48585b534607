"""Output schemas of the REST API (inputs get their own `...In` models when writes arrive)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class MeOut(BaseModel):
    id: int
    email: str
    role: str
    team_ids: list[int]


class ConversationSummaryOut(BaseModel):
    id: int
    line: str
    kind: str
    title: str
    last_message_at: datetime | None
    last_text: str


class ConversationListOut(BaseModel):
    """An object, not a bare list, so fields can be added without breaking clients."""

    total: int
    limit: int
    offset: int
    conversations: list[ConversationSummaryOut]


class EditOut(BaseModel):
    text: str
    edited_at: datetime


class ReactionOut(BaseModel):
    emoji: str
    at: datetime


class StatusOut(BaseModel):
    status: str
    at: datetime


class AttachmentOut(BaseModel):
    id: int
    file_name: str | None
    mime_type: str | None
    size: int | None
    status: str


class MessageOut(BaseModel):
    id: int
    provider_message_id: str
    direction: str
    kind: str
    author: str | None
    text: str | None
    sent_at: datetime
    reply_to: str | None
    forwarded: bool
    edits: list[EditOut]
    revoked_at: datetime | None
    deleted_by_line: bool
    reactions: list[ReactionOut]
    statuses: list[StatusOut]
    attachments: list[AttachmentOut]


class ConversationOut(BaseModel):
    id: int
    kind: str
    title: str
    contact_phone: str | None
    line: str | None
    messages: list[MessageOut]


class JournalCounts(BaseModel):
    accepted: int
    rejected: int
    failed: int


class StatsOut(BaseModel):
    messages: int
    conversations: int
    contacts: int
    attachments: int
    revisions: int
    revocations: int
    reactions: int
    statuses: int
    journal: JournalCounts


class ErrorOut(BaseModel):
    ok: bool = False
    error: str
    status: int
