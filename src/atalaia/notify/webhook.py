"""Signed webhook notifications: POST the alert as JSON, with an HMAC of the exact body.

`X-Atalaia-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the channel's secret>`,
as GitHub and Meta do, so a receiver checks it in three lines (see `signature_valid`).
`X-Atalaia-Delivery` is the notification's id: the same on every retry, so a receiver can drop a
duplicate. Retries are the job's: a 408, 425, 429, 5xx or a network error is retried with back-off,
any other answer is permanent. Redirects are not followed (a moved endpoint is reconfigured).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from atalaia.notify.base import AlertNotice, DeliveryError, Recipient

SIGNATURE_HEADER: Final = "X-Atalaia-Signature"
TIMEOUT_SECONDS: Final = 10.0
RETRYABLE: Final = frozenset({408, 425, 429})
USER_AGENT: Final = "Atalaia-Webhook/1"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_valid(*, secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of `X-Atalaia-Signature`, for receivers and tests."""
    return bool(header) and hmac.compare_digest(sign(secret, body), (header or "").strip())


def payload(notice: AlertNotice, *, delivery: str | None = None) -> dict[str, Any]:
    return {
        "event": f"alert.{notice.event}",
        "tenant": notice.tenant,
        "delivery": delivery,
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "alert": notice.as_json(),
    }


class WebhookNotifier:
    channel = "webhook"

    def __init__(self, *, client: httpx.Client | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
        self._client = client
        self._timeout = timeout

    def send(self, notice: AlertNotice, *, recipient: Recipient, delivery: str | None = None) -> None:
        if not recipient.secret:
            raise DeliveryError("webhook channel has no signing secret", permanent=True)
        body = json.dumps(payload(notice, delivery=delivery), ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(recipient.secret, body),
            "X-Atalaia-Event": f"alert.{notice.event}",
        }
        if delivery:
            headers["X-Atalaia-Delivery"] = delivery
        client = self._client or httpx.Client(timeout=self._timeout, follow_redirects=False)
        try:
            response = client.post(recipient.address, content=body, headers=headers)
        except httpx.HTTPError as exc:  # connection refused, timeout, TLS
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}", permanent=False) from exc
        finally:
            if self._client is None:
                client.close()
        status = response.status_code
        if 200 <= status < 300:
            return
        retry = status >= 500 or status in RETRYABLE
        raise DeliveryError(f"webhook answered HTTP {status}", permanent=not retry)
