"""What a reviewer adds to a case besides words: evidence files, and the notice template for employees.

Evidence bytes live encrypted in the blob store under their own keys (services/compliance/
case_evidence.py); a row is never deleted while its alert exists, only marked withdrawn with a
reason, and goes with the alert (ON DELETE CASCADE). Notice templates are versioned per tenant:
each save is a new version, the highest is in force, and the case history names the version sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class CaseEvidence(Base):
    """One file attached to a case: who, when, what it really is, and its digest."""

    __tablename__ = "case_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(120))  # sanitised; never a path
    real_type: Mapped[str | None] = mapped_column(String(40))  # from the magic bytes
    declared_type: Mapped[str | None] = mapped_column(String(40))  # from the name's extension
    type_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)  # the extension lies
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the plaintext, as uploaded
    uploaded_by: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(320))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class EmployeeNoticeTemplate(Base):
    """One saved version of a tenant's notice to employees; the highest version is in force."""

    __tablename__ = "employee_notice_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per tenant; 0 is the built-in default
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
