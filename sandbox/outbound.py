"""What the sandbox tells Atalaia: Evolution webhooks with the line's bearer token, Cloud API
webhooks signed with the number's app secret. Shapes follow FORMATS.md §1 and §2.2.

Every call is logged on the page with Atalaia's answer; nothing is retried (a real provider
would, but here the user is watching and can press the button again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from sandbox.state import CloudNumber, Customer, Instance, SandboxState, new_evolution_id, new_wamid

TIMEOUT: Final = httpx.Timeout(10.0, connect=3.0)
WABA_ID: Final = "102290129340398"  # the sandbox's one WhatsApp Business Account


def post(state: SandboxState, *, what: str, url: str, body: bytes, headers: dict[str, str]) -> int | None:
    """POST to Atalaia; Atalaia's status code (None when it could not be reached), logged."""
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
    except httpx.HTTPError as exc:
        state.note(what, f"falhou: {type(exc).__name__}")
        return None
    state.note(what, f"HTTP {response.status_code}")
    return response.status_code


# --- Evolution API v2 -------------------------------------------------------------------------


def evolution_event(state: SandboxState, instance: Instance, event: str, data: dict[str, Any]) -> int | None:
    """One webhook in Evolution's envelope, to the URL and headers given at instance creation."""
    envelope = {
        "event": event,
        "instance": instance.name,
        "data": data,
        "destination": instance.webhook_url,
        "date_time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "sender": f"{instance.phone}@s.whatsapp.net",
        "server_url": state.evolution_base_url,
        "apikey": instance.key,
    }
    url = instance.webhook_url
    if instance.by_events:  # "webhook by events": Evolution appends the event to the URL
        url = url.rstrip("/") + "/" + event.replace(".", "-")
    body = json.dumps(envelope, ensure_ascii=False).encode()
    return post(state, what=f"{event} ({instance.name})", url=url, body=body, headers=dict(instance.webhook_headers))


def connection_update(state: SandboxState, instance: Instance, *, open_: bool) -> int | None:
    data: dict[str, Any] = {"instance": instance.name, "state": "open" if open_ else "close"}
    if open_:
        data.update(wuid=f"{instance.phone}@s.whatsapp.net", profileName="Celular da demonstração", statusReason=200)
    else:
        data["statusReason"] = 428  # Baileys' connectionClosed: the phone lost its link, not a logout
    return evolution_event(state, instance, "connection.update", data)


def customer_upsert(state: SandboxState, instance: Instance, customer: Customer, text: str) -> int | None:
    data = {
        "key": {"remoteJid": f"{customer.phone}@s.whatsapp.net", "fromMe": False, "id": new_evolution_id()},
        "pushName": customer.name,
        "status": "DELIVERY_ACK",
        "message": {
            "conversation": text,
            "messageContextInfo": {"messageSecret": base64.b64encode(secrets.token_bytes(32)).decode()},
        },
        "messageType": "conversation",
        "messageTimestamp": int(time.time()),
        "instanceId": instance.instance_id,
        "source": "android",
    }
    return evolution_event(state, instance, "messages.upsert", data)


def evolution_followups(state: SandboxState, instance: Instance, *, number: str, message_id: str, text: str) -> None:
    """After `sendText`: Evolution's echo of the sent message, then the phone's delivery and read."""

    def run() -> None:
        jid = f"{number}@s.whatsapp.net"
        echo = {
            "key": {"remoteJid": jid, "fromMe": True, "id": message_id},
            "pushName": "Você",
            "status": "PENDING",
            "message": {"conversation": text},
            "messageType": "conversation",
            "messageTimestamp": int(time.time()),
            "instanceId": instance.instance_id,
            "source": "unknown",
        }
        evolution_event(state, instance, "send.message", echo)
        for status in ("DELIVERY_ACK", "READ"):
            time.sleep(state.followup_delay)
            update = {"keyId": message_id, "remoteJid": jid, "fromMe": True, "participant": None, "status": status,
                      "instanceId": instance.instance_id, "messageId": secrets.token_hex(12)}  # fmt: skip
            evolution_event(state, instance, "messages.update", update)

    threading.Thread(target=run, daemon=True, name="sandbox-evolution-followups").start()


# --- Cloud API --------------------------------------------------------------------------------


def signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def cloud_change(state: SandboxState, number: CloudNumber, *, what: str, value: dict[str, Any]) -> int | None:
    """One `messages` change for this number, signed with its app secret (X-Hub-Signature-256)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": number.display_phone_number, "phone_number_id": number.phone_number_id},
        **value,
    }
    payload = {"object": "whatsapp_business_account",
               "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    body = json.dumps(payload, ensure_ascii=False).encode()
    url = state.atalaia_url.rstrip("/") + "/webhooks/cloud"
    return post(state, what=what, url=url, body=body,
                headers={"X-Hub-Signature-256": signature(body, number.app_secret)})  # fmt: skip


def customer_message(state: SandboxState, number: CloudNumber, customer: Customer, text: str) -> int | None:
    value = {
        "contacts": [{"profile": {"name": customer.name}, "wa_id": customer.phone}],
        "messages": [{"from": customer.phone, "id": new_wamid(), "timestamp": str(int(time.time())), "type": "text",
                      "text": {"body": text}}],
    }  # fmt: skip
    return cloud_change(state, number, what=f"mensagem de {customer.name} (Cloud API)", value=value)


def cloud_statuses(state: SandboxState, number: CloudNumber, *, to: str, wamid: str) -> None:
    """After `POST /messages`: sent, delivered and read, as Meta reports them."""

    def run() -> None:
        conversation = {"id": secrets.token_hex(16), "expiration_timestamp": str(int(time.time()) + 86400),
                        "origin": {"type": "service"}}  # fmt: skip
        pricing = {"billable": False, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}
        for status in ("sent", "delivered", "read"):
            time.sleep(state.followup_delay)
            item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(time.time())),
                                    "recipient_id": to}  # fmt: skip
            if status != "read":
                item.update(conversation=conversation, pricing=pricing)
            cloud_change(state, number, what=f"status {status} (Cloud API)", value={"statuses": [item]})

    threading.Thread(target=run, daemon=True, name="sandbox-cloud-statuses").start()
