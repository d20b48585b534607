"""The fake Graph API (Cloud API): the credential test and sending, as Atalaia calls them.

- `GET /v23.0/{phone-number-id}`: the number Meta has for that id ("Testar credenciais").
- `POST /v23.0/{phone-number-id}/messages`: text or template; answers a wamid like Meta, records
  the message for the page, then reports sent, delivered and read to Atalaia's /webhooks/cloud,
  signed with the number's app secret.
Errors come in Graph's envelope (`error.message`, `type`, `code`) so Atalaia shows them as it
would show Meta's.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Any, Final

from sandbox import outbound
from sandbox.http import BodyError, Handler
from sandbox.state import CloudNumber, SandboxState, Sent, new_wamid

VERSION: Final = re.compile(r"^v[0-9]{1,2}\.[0-9]$")
MAX_SENT_TEXT: Final = 4096  # Meta's limit for a text body


def _error(message: str, *, kind: str, code: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_urlsafe(9)}}


def graph_handler(state: SandboxState) -> type[Handler]:
    class GraphHandler(Handler):
        def _number(self, parts: list[str]) -> CloudNumber | None:
            """The number named in the path, when the bearer token is its own; else answers."""
            if len(parts) < 2 or not VERSION.match(parts[0]):
                self.send_json(404, _error("Unknown path components", kind="OAuthException", code=2500))
                return None
            number = state.numbers.get(parts[1])
            given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if number is None:
                self.send_json(400, _error(f"Unsupported request. Object with ID '{parts[1][:40]}' does not exist",
                                           kind="GraphMethodException", code=100))  # fmt: skip
                return None
            if not hmac.compare_digest(given.encode(), number.access_token.encode()):
                self.send_json(401, _error("Invalid OAuth access token - Cannot parse access token",
                                           kind="OAuthException", code=190))  # fmt: skip
                return None
            return number

        def do_GET(self) -> None:
            parts = self.path_parts()
            number = self._number(parts)
            if number is None:
                return
            if len(parts) != 2:
                self.send_json(404, _error("Unknown path components", kind="OAuthException", code=2500))
                return
            self.send_json(200, {"id": number.phone_number_id, "display_phone_number": number.display_phone_number,
                                 "verified_name": number.verified_name, "quality_rating": "GREEN",
                                 "code_verification_status": "VERIFIED"})  # fmt: skip

        def do_POST(self) -> None:
            parts = self.path_parts()
            number = self._number(parts)
            if number is None:
                return
            if parts[2:] != ["messages"]:
                self.send_json(404, _error("Unknown path components", kind="OAuthException", code=2500))
                return
            try:
                body = self.json_body()
                to, text = _message(body)
            except (BodyError, ValueError) as exc:
                self.send_json(400, _error(f"(#100) Invalid parameter: {exc}", kind="OAuthException", code=100))
                return
            wamid = new_wamid()
            state.record_sent(Sent(datetime.now(UTC), "cloud", number.phone_number_id, to, text, wamid))
            self.send_json(200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                                 "messages": [{"id": wamid}]})  # fmt: skip
            outbound.cloud_statuses(state, number, to=to, wamid=wamid)

    return GraphHandler


def _message(body: dict[str, Any]) -> tuple[str, str]:
    """(recipient digits, what to show) of a send request; ValueError names the bad field."""
    if body.get("messaging_product") != "whatsapp":
        raise ValueError("messaging_product must be whatsapp")
    to = str(body.get("to") or "").lstrip("+")
    if not to.isdigit() or not 8 <= len(to) <= 15:
        raise ValueError("to")
    kind = body.get("type", "text")
    if kind == "text":
        text = (body.get("text") or {}).get("body") if isinstance(body.get("text"), dict) else None
        if not isinstance(text, str) or not text or len(text) > MAX_SENT_TEXT:
            raise ValueError("text.body")
        return to, text
    if kind == "template":
        template = body.get("template")
        name = template.get("name") if isinstance(template, dict) else None
        if not isinstance(name, str) or not name:
            raise ValueError("template.name")
        return to, f"[modelo {name[:100]}]"
    raise ValueError("type")
