"""Bodies of `/api/v1/exports`, `/api/v1/holds` and `/api/v1/subject-requests` (inputs `...In`, outputs `...Out`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SelectionIn(BaseModel):
    """Exactly one of these (a `phone` only for `subject_access`)."""

    model_config = ConfigDict(extra="forbid")

    conversation: int | None = Field(default=None, ge=1, le=2**63 - 1)
    line: str | None = Field(default=None, max_length=40)
    case: int | None = Field(default=None, ge=1, le=2**63 - 1, description="An alert id")
    query: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=64, description="subject_access: the data subject's number")


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["ediscovery", "subject_access"] = "ediscovery"
    selection: SelectionIn
    format: str = Field(default="rsmf", max_length=10, description="rsmf | jsonl | csv | pdf (ediscovery)")
    reason: str | None = Field(default=None, max_length=4000, description="subject_access: the request, registered")


class ProgressOut(BaseModel):
    done: int
    total: int | None


class ExportOut(BaseModel):
    id: int
    kind: str
    selection: dict[str, Any]
    format: str
    requested_by: str
    status: str  # queued | running | done | failed | expired
    progress: ProgressOut
    sha256: str | None
    manifest_sha256: str | None
    checkpoint_seq: int | None
    size: int | None
    error: str | None
    subject_request_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    download_url: str | None


class ExportListOut(BaseModel):
    exports: list[ExportOut]


class HoldIn(BaseModel):
    """Exactly one target; dates are the tenant's calendar days (AAAA-MM-DD), both optional."""

    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, max_length=64)
    line: str | None = Field(default=None, max_length=40)
    conversation: int | None = Field(default=None, ge=1, le=2**63 - 1)
    employee: str | None = Field(default=None, max_length=320)
    query: str | None = Field(default=None, max_length=500)
    reason: str = Field(max_length=4000)
    starts: str | None = Field(default=None, max_length=20)
    until: str | None = Field(default=None, max_length=20)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=4000)


class HoldOut(BaseModel):
    id: int
    scope: str
    target: str
    reason: str
    owner: str
    created_at: str | None
    starts_at: str | None
    ends_at: str | None
    released_at: str | None
    released_by: str | None
    release_reason: str | None
    active: bool


class HoldListOut(BaseModel):
    holds: list[HoldOut]


class SubjectRequestOut(BaseModel):
    id: int
    kind: str
    subject: str
    contact_id: int | None
    reason: str
    status: str
    received_at: str
    due_at: str
    completed_at: str | None
    overdue: bool
    erased: int
    held: int
    actor: str


class SubjectRequestListOut(BaseModel):
    requests: list[SubjectRequestOut]
