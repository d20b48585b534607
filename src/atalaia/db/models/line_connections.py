"""How a line reaches its provider: Cloud API credentials or a gateway's address and key, sealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class LineConnection(Base):
    """One per line, kept apart from `lines` so the hot paths that read lines never load secrets.

    `secrets_sealed` is a JSON object (Cloud API: access_token, app_secret, verify_token; gateways:
    api_key and, once the instance exists, instance_key) sealed with the tenant's data key, the
    tenant and line ids as associated data. `hints` holds what may be shown instead: "configurado",
    the last four characters, a key id.
    """

    __tablename__ = "line_connections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # cloud | evolution | waha
    base_url: Mapped[str | None] = mapped_column(String(300))  # gateways: the API's base URL
    secrets_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    hints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The Cloud API handshake looks a verify token up by hash, like line tokens (constant time).
    verify_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    instance_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest pairing QR code (a secret for about a minute), sealed like the credentials.
    qr_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    qr_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_ok: Mapped[bool | None] = mapped_column(Boolean)
    check_message: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
