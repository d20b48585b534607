"""The fake Evolution API v2, and the sandbox's page on the same port.

API (header `apikey`: the sandbox's global key, or an instance's own key for that instance):
- `POST /instance/create`: keeps the webhook URL and headers Atalaia sends (Atalaia's line token
  rides in them as `Authorization: Bearer`) and answers a pairing QR code and the instance key;
- `GET /instance/connect/{name}`, `GET /instance/connectionState/{name}`;
- `POST /message/sendText/{name}`: records the text (the notice) and, like Evolution, echoes it
  (`send.message`) and reports its delivery and reading (`messages.update`).
Webhooks go only to this machine (127.0.0.1, localhost, ::1): whoever knows the API key must not
turn the sandbox into a way to POST elsewhere.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from sandbox import outbound, page
from sandbox.http import BodyError, Handler
from sandbox.state import INSTANCE_NAME, Instance, SandboxState, Sent, new_evolution_id, new_pairing_code

LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_HEADERS: Final = 10
MAX_HEADER_CHARS: Final = 1000
MAX_SENT_TEXT: Final = 4096


def _refusal(status: int, message: str) -> dict[str, Any]:
    """Evolution's error envelope: `response.message` is a list."""
    return {"status": status, "error": {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                                        404: "Not Found"}.get(status, "Error"),
            "response": {"message": [message]}}  # fmt: skip


def evolution_handler(state: SandboxState) -> type[Handler]:
    class EvolutionHandler(Handler):
        def _authorised(self, instance: Instance | None = None) -> bool:
            given = (self.headers.get("apikey") or "").encode()
            keys = [state.api_key] + ([instance.key] if instance else [])
            if any(hmac.compare_digest(given, key.encode()) for key in keys):
                return True
            self.send_json(401, _refusal(401, "Unauthorized"))
            return False

        def _instance(self, parts: list[str]) -> Instance | None:
            instance = state.instances.get(parts[2]) if len(parts) == 3 else None
            if instance is None:
                if self._authorised():
                    self.send_json(404, _refusal(404, "The instance does not exist"))
                return None
            return instance if self._authorised(instance) else None

        def do_GET(self) -> None:
            parts = self.path_parts()
            if not parts or parts[0] == "acoes":
                page.serve(self, state)
                return
            if parts[:2] not in (["instance", "connect"], ["instance", "connectionState"]):
                self.send_json(404, _refusal(404, "Cannot GET " + self.path[:80]))
                return
            instance = self._instance(parts)
            if instance is None:
                return
            if parts[1] == "connectionState":
                self.send_json(200, {"instance": {"instanceName": instance.name, "state": instance.state}})
            elif instance.state == "open":
                self.send_json(200, {"instance": {"instanceName": instance.name, "state": "open"}})
            else:
                self.send_json(200, {"pairingCode": None, "code": instance.qr, "count": 1})

        def do_POST(self) -> None:
            parts = self.path_parts()
            if parts[:1] == ["acoes"]:
                page.act(self, state)
                return
            try:
                if parts == ["instance", "create"]:
                    if self._authorised():
                        self._create(self.json_body())
                elif parts[:2] == ["message", "sendText"]:
                    instance = self._instance(parts)
                    if instance is not None:
                        self._send_text(instance, self.json_body())
                else:
                    self.send_json(404, _refusal(404, "Cannot POST " + self.path[:80]))
            except BodyError as exc:
                self.send_json(exc.status, _refusal(exc.status, str(exc)))

        def _create(self, body: dict[str, Any]) -> None:
            name = body.get("instanceName")
            if not isinstance(name, str) or not INSTANCE_NAME.match(name):
                self.send_json(400, _refusal(400, "instanceName: letters, digits, - and _ (up to 60)"))
                return
            try:
                url, headers, by_events = _webhook(body.get("webhook"))
            except ValueError as exc:
                self.send_json(400, _refusal(400, str(exc)))
                return
            with state.lock:
                if name in state.instances:
                    self.send_json(403, _refusal(403, f'This name "{name}" is already in use.'))
                    return
                instance = Instance(name=name, instance_id=str(uuid.uuid4()), key=secrets.token_hex(16).upper(),
                                    webhook_url=url, webhook_headers=headers, by_events=by_events,
                                    qr=new_pairing_code())  # fmt: skip
                state.instances[name] = instance
            state.note(f"instância {name} criada pelo Atalaia", "aguardando a leitura do QR code")
            self.send_json(201, {
                "instance": {"instanceName": name, "instanceId": instance.instance_id,
                             "integration": body.get("integration") or "WHATSAPP-BAILEYS", "status": "connecting"},
                "hash": instance.key,
                "webhook": {"webhookUrl": url, "webhookByEvents": by_events},
                "qrcode": {"pairingCode": None, "code": instance.qr, "count": 1},
            })  # fmt: skip

        def _send_text(self, instance: Instance, body: dict[str, Any]) -> None:
            number = str(body.get("number") or "").lstrip("+").removesuffix("@s.whatsapp.net")
            text = body.get("text")
            if not number.isdigit() or not 8 <= len(number) <= 15:
                self.send_json(400, _refusal(400, "number: digits of a WhatsApp number"))
                return
            if not isinstance(text, str) or not text or len(text) > MAX_SENT_TEXT:
                self.send_json(400, _refusal(400, f"text: 1 to {MAX_SENT_TEXT} characters"))
                return
            if instance.state != "open":
                self.send_json(400, _refusal(400, "Connection Closed"))
                return
            message_id = new_evolution_id()
            state.record_sent(Sent(datetime.now(UTC), "evolution", instance.name, number, text, message_id))
            self.send_json(201, {"key": {"remoteJid": f"{number}@s.whatsapp.net", "fromMe": True, "id": message_id},
                                 "pushName": "", "status": "PENDING", "message": {"conversation": text},
                                 "messageType": "conversation", "messageTimestamp": int(datetime.now(UTC).timestamp()),
                                 "instanceId": instance.instance_id, "source": "unknown"})  # fmt: skip
            outbound.evolution_followups(state, instance, number=number, message_id=message_id, text=text)

    return EvolutionHandler


def _webhook(value: Any) -> tuple[str, dict[str, str], bool]:
    """The instance's webhook: a URL on this machine, a few plain headers; ValueError otherwise."""
    if not isinstance(value, dict):
        raise ValueError("webhook: required (url and headers), the sandbox has nowhere else to send events")
    url = value.get("url")
    if not isinstance(url, str) or len(url) > 500:
        raise ValueError("webhook.url: required")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK or parts.username or parts.password:
        raise ValueError("webhook.url: the sandbox only sends to this machine (127.0.0.1, localhost)")
    raw = value.get("headers") or {}
    if not isinstance(raw, dict) or len(raw) > MAX_HEADERS:
        raise ValueError(f"webhook.headers: an object of up to {MAX_HEADERS} headers")
    headers: dict[str, str] = {}
    for name, header in raw.items():
        if not (isinstance(header, str) and name.isascii() and name.replace("-", "").isalnum()
                and header.isprintable() and len(header) <= MAX_HEADER_CHARS):  # fmt: skip
            raise ValueError("webhook.headers: names of letters, digits and -, printable values")
        headers[name] = header
    return url, headers, value.get("byEvents") is True
