"""Governance: legal holds, retention rules, data-subject requests, and the chained record of
what a purge or an erasure took away (docs/decisions/0018-retention-holds-erasure.md).

`purges` and `erasures` are archived records themselves, linked into the tenant's hash chain;
each names the records it removed or rewrote through `tombstones` rows, which its `digest`
covers, so `atalaia verify` can tell a purged or erased row from a tampered one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class LegalHold(Base):
    """Data that must not be purged or erased while the hold is active (released_at empty,
    between starts_at and ends_at). `target` is what was asked for, normalised."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    scope: Mapped[str] = mapped_column(String(20))  # phone | line | conversation | employee | query
    target: Mapped[str] = mapped_column(String(500))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    reason: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(320))  # who placed it: user e-mail or "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(320))
    release_reason: Mapped[str | None] = mapped_column(Text)


class RetentionRule(Base):
    """Keep `kind` records of the tenant, a team or a line for `keep_days`; the most specific
    scope wins (line, then team, then tenant), and within it a kind-specific rule beats `all`."""

    __tablename__ = "retention_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    kind: Mapped[str] = mapped_column(String(20))  # all | media | a message kind (text, image, ...)
    keep_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(320))


class SubjectRequest(Base):
    """A data subject's request under the LGPD (art. 18), with its 15-day deadline and outcome.

    `subject` is the phone masked to its last digits: the register outlives the erasure."""

    __tablename__ = "subject_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # erasure | access | correction
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    subject: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open | partial | done | refused
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(320))


class Purge(Base):
    """One committed batch of a retention purge; chained, with the digest of its tombstones."""

    __tablename__ = "purges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(300))
    records: Mapped[int] = mapped_column(Integer)  # tombstones it covers
    digest: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Erasure(Base):
    """One data-subject erasure; chained, with the digest of its tombstones (old and new hashes)."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("subject_requests.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Tombstone(Base):
    """A chained record a purge removed (`new_hash` empty) or an erasure rewrote (`new_hash` is
    the rewritten row's content hash). `content_hash` is what the chain expected before."""

    __tablename__ = "tombstones"
    __table_args__ = (
        Index("ix_tombstones_record", "tenant_id", "record_type", "record_id"),
        Index("ix_tombstones_batch", "tenant_id", "batch_type", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    batch_type: Mapped[str] = mapped_column(String(20))  # purge | erasure
    batch_id: Mapped[int] = mapped_column(BigId)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(BigId)
    content_hash: Mapped[str] = mapped_column(String(64))
    new_hash: Mapped[str | None] = mapped_column(String(64))
