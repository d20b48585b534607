"""A tenant's notification channels beyond its users' e-mail: signed webhooks and mailing lists.

A webhook's signing secret is generated here, shown once, and kept sealed with the tenant's
data key (the HMAC needs the secret itself, so a hash would not do). Adding a URL again
rotates its secret and re-enables it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import NotificationChannel
from atalaia.errors import InvalidInput
from atalaia.security.keys import open_sealed, seal
from atalaia.services import audit
from atalaia.services.people import normalise_email

WEBHOOK: Final = "webhook"
EMAIL: Final = "email"
MAX_TARGET_CHARS: Final = 500
SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True, slots=True)
class CreatedWebhook:
    id: int
    url: str
    secret: str  # shown once


def add_webhook(session: Session, *, tenant_id: int, url: str, data_key: bytes, actor: str) -> CreatedWebhook:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_TARGET_CHARS:
        raise InvalidInput(f"URL de webhook inválida {url[:80]!r}: use http(s)://host/caminho")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    sealed = seal(data_key, secret.encode(), aad=_aad(tenant_id, url))
    channel = session.execute(
        select(NotificationChannel).where(
            NotificationChannel.tenant_id == tenant_id,
            NotificationChannel.kind == WEBHOOK,
            NotificationChannel.target == url,
        )
    ).scalar_one_or_none()
    if channel is None:
        channel = NotificationChannel(tenant_id=tenant_id, kind=WEBHOOK, target=url, created_at=datetime.now(UTC))
        session.add(channel)
    channel.secret_sealed, channel.active = sealed, True
    session.flush()
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="alert_webhook_set",
        object_type="channel",
        object_id=channel.id,
        detail={"url": url},
    )
    return CreatedWebhook(id=channel.id, url=url, secret=secret)


def add_email(session: Session, *, tenant_id: int, address: str, actor: str) -> NotificationChannel:
    """A mailing list (compliance@...) that receives every new alert, besides the users it routes to."""
    email = normalise_email(address)
    channel = session.execute(
        select(NotificationChannel).where(
            NotificationChannel.tenant_id == tenant_id,
            NotificationChannel.kind == EMAIL,
            NotificationChannel.target == email,
        )
    ).scalar_one_or_none()
    if channel is None:
        channel = NotificationChannel(tenant_id=tenant_id, kind=EMAIL, target=email, created_at=datetime.now(UTC))
        session.add(channel)
    channel.active = True
    session.flush()
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="alert_email_set",
        object_type="channel",
        object_id=channel.id,
        detail={"email": email},
    )
    return channel


def active_channels(session: Session, *, tenant_id: int) -> list[NotificationChannel]:
    return list(
        session.execute(
            select(NotificationChannel)
            .where(NotificationChannel.tenant_id == tenant_id, NotificationChannel.active.is_(True))
            .order_by(NotificationChannel.id)
        ).scalars()
    )


def webhook_secret(channel: NotificationChannel, *, data_key: bytes) -> str | None:
    if channel.secret_sealed is None:
        return None
    return open_sealed(data_key, channel.secret_sealed, aad=_aad(channel.tenant_id, channel.target)).decode()


def _aad(tenant_id: int, url: str) -> bytes:
    return f"alert-webhook:{tenant_id}:{url}".encode()
