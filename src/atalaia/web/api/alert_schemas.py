"""Request and response bodies of the `/api/v1/alerts` endpoints (objects only, so fields can be added)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from atalaia.services.compliance.cases import MAX_TEXT_CHARS

TEXT = Field(max_length=5 * MAX_TEXT_CHARS)  # bounds the body; the service says when it is too long


class AlertOut(BaseModel):
    id: int
    policy: str
    title: str
    rule: str
    severity: str
    category: str
    status: str
    resolution: str | None
    conversation_id: int
    line: str
    team: str | None
    employee: str = Field(description="Pseudonym (`Colaborador #4F2A9C`); see POST .../reveal")
    first_hit_at: datetime
    last_hit_at: datetime
    hits: int
    assignee: str | None
    escalated: bool
    created_at: datetime


class AlertCountsOut(BaseModel):
    by_status: dict[str, int]
    open_by_severity: dict[str, int] = Field(description="Alerts open or in review, by severity")
    escalated: int = Field(description="Escalated and not resolved")


class AlertListOut(BaseModel):
    total: int
    limit: int
    offset: int
    alerts: list[AlertOut]
    counts: AlertCountsOut = Field(description="Over every alert in scope, whatever the filters")


class HitOut(BaseModel):
    message_id: int
    rule: str
    detector: str
    severity: str
    match: str = Field(description="Redacted display form, never the data")
    start: int
    end: int
    source: str
    detail: str | None
    at: datetime


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    detail: dict[str, Any] | None


class PartOut(BaseModel):
    text: str
    marked: bool


class HitNoteOut(BaseModel):
    rule: str
    source: str
    match: str
    detail: str | None


class ContextMessageOut(BaseModel):
    id: int
    direction: str
    kind: str
    author: str
    sent_at: datetime
    parts: list[PartOut]
    is_hit: bool
    rules: list[str]
    notes: list[HitNoteOut]
    attachments: list[str]
    edited: bool
    revoked: bool


class ExcerptOut(BaseModel):
    messages: list[ContextMessageOut]


class EvidenceOut(BaseModel):
    alert_id: int
    conversation_id: int
    conversation_title: str
    excerpts: list[ExcerptOut]
    hit_messages: int
    shown: int


class AlertDetailOut(AlertOut):
    hit_list: list[HitOut]
    history: list[EventOut]
    context: EvidenceOut | None = Field(None, description="The hits in their conversation (`?context=true`)")


class AssignIn(BaseModel):
    user_id: int | None = Field(description="A user who may act on the alert, or null for nobody")


class CommentIn(BaseModel):
    text: str = TEXT


class ResolveIn(BaseModel):
    resolution: str = Field(max_length=20, description="confirmed | false_positive")
    reason: str = TEXT


class ReasonIn(BaseModel):
    reason: str = TEXT


class RevealedOut(BaseModel):
    alert_id: int
    pseudonym: str
    employee_id: int | None
    name: str | None
    email: str | None
    team: str | None


class RulePrecisionOut(BaseModel):
    policy: str
    rule: str
    confirmed: int
    false_positive: int
    unresolved: int
    precision: float | None = Field(description="confirmed / (confirmed + false_positive); null until one is resolved")


class PrecisionOut(BaseModel):
    rules: list[RulePrecisionOut]


class EvidenceFileOut(BaseModel):
    id: int
    alert_id: int
    file_name: str = Field(description="Cleaned: no folders, no control characters, at most 120 characters")
    real_type: str | None = Field(description="From the magic bytes")
    declared_type: str | None = Field(description="From the name's extension")
    type_mismatch: bool = Field(description="The extension does not match the real type")
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None


class EvidenceListOut(BaseModel):
    files: list[EvidenceFileOut]


class EmployeeNoticeOut(BaseModel):
    alert_id: int
    status: str = Field(description="sent | failed (recorded in the case history either way)")
    template_version: int = Field(description="0 is the built-in default")
    error: str | None
