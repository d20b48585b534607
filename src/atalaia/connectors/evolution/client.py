"""A small Evolution API v2 client: create an instance, ask for its QR code, send a text.

Every call carries the `apikey` header (the global key to create, then the instance's own key,
which can only act on its instance). Replies are read through `gateway_api.call_json`: bounded,
never redirected, errors carrying whether a retry can help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import httpx

from atalaia.connectors.gateway import as_dict, text_of
from atalaia.connectors.gateway_api import GatewayApiError, call_json, new_client

INTEGRATION: Final = "WHATSAPP-BAILEYS"
# What connectors/evolution/parse.py understands; everything else would only fill the journal.
WEBHOOK_EVENTS: Final = (
    "QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT", "MESSAGES_UPDATE", "MESSAGES_EDITED",
    "MESSAGES_DELETE", "SEND_MESSAGE", "MESSAGING_HISTORY_SET", "GROUPS_UPSERT", "GROUP_UPDATE",
    "LOGOUT_INSTANCE", "REMOVE_INSTANCE",
)  # fmt: skip
MAX_QR_CHARS: Final = 2000  # a WhatsApp pairing string is ~240 characters


@dataclass(frozen=True, slots=True)
class CreatedInstance:
    instance_key: str | None  # Evolution's per-instance token (`hash`), when it returns one
    qr: str | None  # the pairing string to draw as a QR code
    status: str | None


def pairing_code(value: Any) -> str | None:
    """The pairing string of a `qrcode` object (create, connect and `qrcode.updated` alike)."""
    code = text_of(as_dict(value).get("code"))
    return code if code is not None and len(code) <= MAX_QR_CHARS and code.isprintable() else None


class EvolutionClient:
    def __init__(self, *, base_url: str, api_key: str, client: httpx.Client | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"apikey": api_key}
        self._client = client or new_client()
        self._owns_client = client is None

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def create_instance(self, *, instance: str, webhook_url: str, webhook_token: str) -> CreatedInstance:
        """`POST /instance/create`; the webhook sends the line's token as a bearer header."""
        body = {
            "instanceName": instance,
            "integration": INTEGRATION,
            "qrcode": True,
            "webhook": {
                "url": webhook_url,
                "byEvents": False,
                "base64": True,  # media inline: no media server needed (raise ATALAIA_MAX_WEBHOOK_BYTES)
                "headers": {"Authorization": f"Bearer {webhook_token}"},
                "events": list(WEBHOOK_EVENTS),
            },
        }
        reply = as_dict(call_json(self._client, "POST", f"{self._base}/instance/create", headers=self._headers,
                                  body=body, what="criar instância"))  # fmt: skip
        hash_value = reply.get("hash")
        key = text_of(hash_value) or text_of(as_dict(hash_value).get("apikey"))
        status = text_of(as_dict(reply.get("instance")).get("status"))
        qr = pairing_code(reply.get("qrcode"))
        return CreatedInstance(instance_key=_bounded(key), qr=qr, status=_bounded(status))

    def connect(self, instance: str) -> str | None:
        """`GET /instance/connect/{instance}`: the current pairing string (None once connected)."""
        reply = call_json(self._client, "GET", f"{self._base}/instance/connect/{quote(instance, safe='')}",
                          headers=self._headers, what="QR code")  # fmt: skip
        return pairing_code(reply)

    def state(self, instance: str) -> str | None:
        """`GET /instance/connectionState/{instance}`: open, connecting or close."""
        reply = call_json(self._client, "GET", f"{self._base}/instance/connectionState/{quote(instance, safe='')}",
                          headers=self._headers, what="estado da instância")  # fmt: skip
        return _bounded(text_of(as_dict(as_dict(reply).get("instance")).get("state")), 40)

    def send_text(self, *, instance: str, number: str, text: str) -> str:
        """`POST /message/sendText/{instance}`; the sent message's WhatsApp id (`key.id`)."""
        reply = call_json(self._client, "POST", f"{self._base}/message/sendText/{quote(instance, safe='')}",
                          headers=self._headers, body={"number": number, "text": text}, what="enviar")  # fmt: skip
        message_id = _bounded(text_of(as_dict(as_dict(reply).get("key")).get("id")))
        if message_id is None:
            raise GatewayApiError("enviar: resposta sem o id da mensagem", permanent=False)
        return message_id


def _bounded(value: str | None, limit: int = 200) -> str | None:
    return value if value is not None and len(value) <= limit and value.isprintable() else None
