"""Compliance: policy versions, the alerts their hits raise, the cases around them, notifications.

An alert groups the hits of one policy in one conversation within one window (a local day, see
`services/compliance/scanning.py`), so a long chat full of CPFs is one alert with a hit count.
Hits keep a redacted display form of what matched, never the text itself: the evidence is the
archived message they point to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class PolicyVersion(Base):
    """One distinct policy file as imported; at most one per tenant is active."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version"), UniqueConstraint("tenant_id", "sha256"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per tenant
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))  # of the UTF-8 text, as imported
    created_by: Mapped[str] = mapped_column(String(320))  # user e-mail or "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class Alert(Base):
    """The hits of one policy in one conversation and window; also the case a reviewer works."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "conversation_id", "policy", "window_key"),
        Index("ix_alerts_tenant_status", "tenant_id", "status", "last_hit_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)  # the line's, when raised
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))  # shown pseudonymised
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    policy: Mapped[str] = mapped_column(String(100))  # the policy's id in the file
    rule: Mapped[str] = mapped_column(String(100))  # the rule of the first hit
    title: Mapped[str] = mapped_column(String(200))  # the policy's name when raised
    severity: Mapped[str] = mapped_column(String(10))  # the highest of its hits
    category: Mapped[str] = mapped_column(String(20))  # risk | opportunity
    window_key: Mapped[str] = mapped_column(String(40))  # local day, "~N" after a resolved one
    first_hit_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_hit_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))  # open | in_review | resolved
    resolution: Mapped[str | None] = mapped_column(String(20))  # confirmed | false_positive
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertHit(Base):
    """One hit of one rule in one message; unique per place, so a rescan adds nothing.

    A hit of a threshold rule below its threshold has no alert yet (`alert_id` NULL): it is kept
    so that later hits can count it, and attached when the count is reached.
    """

    __tablename__ = "alert_hits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "message_id", "policy", "rule", "source", "start"),
        Index("ix_alert_hits_rule_at", "tenant_id", "policy", "rule", "at"),  # a threshold's earlier hits
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    policy: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(100))
    detector: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    match: Mapped[str] = mapped_column(String(200))  # redacted display form: ***.456.789-**
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # text | attachment_text | attachment | timestamp
    detail: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the message was sent


class CaseEvent(Base):
    """The case history: every comment, assignment, status change, reveal and escalation."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))  # user e-mail, "cli" or "system"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # comment | assign | status | reveal | escalate
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Notification(Base):
    """One delivery of one alert event to one recipient; the attempt is recorded before sending."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("alert_id", "event", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(20))  # created | escalated
    channel: Mapped[str] = mapped_column(String(10))  # email | webhook
    recipient: Mapped[str] = mapped_column(String(500))  # e-mail address or webhook URL
    status: Mapped[str] = mapped_column(String(20))  # pending | sending | sent | retrying | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationChannel(Base):
    """Where a tenant's alerts go besides its users' e-mail: a signed webhook or a mailing list."""

    __tablename__ = "notification_channels"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    kind: Mapped[str] = mapped_column(String(10))  # webhook | email
    target: Mapped[str] = mapped_column(String(500))  # URL or e-mail address
    # The webhook signing secret sealed with the tenant's data key (the HMAC needs the secret itself).
    secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
