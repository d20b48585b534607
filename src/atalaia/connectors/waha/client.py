"""A small WAHA client: create (and start) a session, read its QR code, send a text.

Every call carries `X-Api-Key`. Replies are read through `gateway_api.call_json`: bounded, never
redirected, errors carrying whether a retry can help.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

import httpx

from atalaia.connectors.gateway import as_dict, text_of
from atalaia.connectors.gateway_api import GatewayApiError, call_json, new_client
from atalaia.connectors.waha.parse import message_id

# What connectors/waha/parse.py understands; `message.any` already includes `message`.
WEBHOOK_EVENTS: Final = (
    "session.status", "message.any", "message.ack", "message.edited", "message.revoked", "message.reaction",
    "group.v2.join", "group.v2.update",
)  # fmt: skip
MAX_QR_CHARS: Final = 2000


class WahaClient:
    def __init__(self, *, base_url: str, api_key: str, client: httpx.Client | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"X-Api-Key": api_key}
        self._client = client or new_client()
        self._owns_client = client is None

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def create_session(self, *, session: str, webhook_url: str, webhook_token: str) -> str | None:
        """`POST /api/sessions` with `start: true`; WAHA signs each webhook with the line's token
        (`hmac.key`) and sends it as a bearer header too. Returns the session's status."""
        body = {
            "name": session,
            "start": True,
            "config": {
                "webhooks": [
                    {
                        "url": webhook_url,
                        "events": list(WEBHOOK_EVENTS),
                        "hmac": {"key": webhook_token},
                        "customHeaders": [{"name": "Authorization", "value": f"Bearer {webhook_token}"}],
                    }
                ]
            },
        }
        reply = call_json(self._client, "POST", f"{self._base}/api/sessions", headers=self._headers, body=body,
                          what="criar sessão")  # fmt: skip
        status = text_of(as_dict(reply).get("status"))
        return status if status is not None and len(status) <= 40 else None

    def state(self, session: str) -> str | None:
        """`GET /api/sessions/{session}`: STARTING, SCAN_QR_CODE, WORKING, FAILED or STOPPED."""
        reply = call_json(self._client, "GET", f"{self._base}/api/sessions/{quote(session, safe='')}",
                          headers=self._headers, what="estado da sessão")  # fmt: skip
        status = text_of(as_dict(reply).get("status"))
        return status if status is not None and len(status) <= 40 and status.isprintable() else None

    def qr(self, session: str) -> str | None:
        """`GET /api/{session}/auth/qr?format=raw`: `{"value": "<pairing string>"}`."""
        reply: Any = call_json(self._client, "GET", f"{self._base}/api/{quote(session, safe='')}/auth/qr",
                               headers=self._headers, params={"format": "raw"}, what="QR code")  # fmt: skip
        value = text_of(as_dict(reply).get("value"))
        return value if value is not None and len(value) <= MAX_QR_CHARS and value.isprintable() else None

    def send_text(self, *, session: str, chat_id: str, text: str) -> str:
        """`POST /api/sendText`; the sent message's bare WhatsApp id, whatever the engine's shape
        (`"true_<chat>_<id>"`, `{"_serialized": ...}`, or NOWEB's `{"key": {"id": ...}}`)."""
        body = {"session": session, "chatId": chat_id, "text": text}
        reply = as_dict(call_json(self._client, "POST", f"{self._base}/api/sendText", headers=self._headers,
                                  body=body, what="enviar"))  # fmt: skip
        raw_id = reply.get("id")
        candidate = (
            text_of(raw_id)
            or text_of(as_dict(raw_id).get("_serialized"))
            or text_of(as_dict(raw_id).get("id"))
            or text_of(as_dict(reply.get("key")).get("id"))
        )
        bare = message_id(candidate)
        if bare is None or len(bare) > 200 or not bare.isprintable():
            raise GatewayApiError("enviar: resposta sem o id da mensagem", permanent=False)
        return bare
