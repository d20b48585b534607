"""Usage rules, onboarding invitations and each employee's acceptance of a version of the rules.

See docs/decisions/0022-usage-rules-and-onboarding.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class UsageRuleVersion(Base):
    """One published version of a tenant's usage rules (Markdown); never edited, only superseded."""

    __tablename__ = "usage_rule_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per tenant; the highest is in force
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered with raw HTML disabled
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(320))  # an administrator's e-mail, or "atalaia"


class Invitation(Base):
    """An e-mailed, single-use, expiring link to read and accept the rules; only its SHA-256 is kept.

    A newer invitation (or reminder) for the same employee supersedes the older ones, so only the
    latest link works.
    """

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_employee_created", "employee_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))  # the line to connect, when known
    kind: Mapped[str] = mapped_column(String(20))  # invite | reminder
    rules_version: Mapped[int] = mapped_column(Integer)  # the version in force when it was sent
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(320))  # an administrator's e-mail, "cli" or "atalaia"
    email_status: Mapped[str] = mapped_column(String(20))  # pending | sent | failed | retrying | not_configured
    email_error: Mapped[str | None] = mapped_column(String(500))


class Acceptance(Base):
    """An employee accepted one version of the rules: when, through which link, from where."""

    __tablename__ = "acceptances"
    __table_args__ = (UniqueConstraint("employee_id", "version_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("usage_rule_versions.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))
