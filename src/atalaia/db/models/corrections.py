"""Corrections of a data subject's contact data (LGPD art. 18, III), with what they replaced.

The contact row shows the corrected values; the values they replaced stay here, sealed with the
tenant's data key (AES-GCM, the tenant and contact ids as associated data), because the old name
is personal data too and an erasure must be able to drop it (`sealed` then becomes empty). The
hash-chained audit entry of each correction carries the SHA-256 of its sealed value, so a row
swapped afterwards does not match its entry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class ContactCorrection(Base):
    """One contact row's correction: which fields changed, and their previous and new values sealed."""

    __tablename__ = "contact_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("subject_requests.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(JSON)  # names of the fields changed: name, email, note
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # {"before": {...}, "after": {...}}; None once erased
