"""`GET {graph}/{phone-number-id}` with a line's token: do these Cloud API credentials work?

The answer names the number Meta has for that id, or carries Graph's own error message (expired
token, wrong id, missing permission), cleaned and clipped for the console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import httpx

from atalaia.connectors.gateway import as_dict, text_of
from atalaia.connectors.gateway_api import GatewayApiError, call_json, clean_message, new_client

PHONE_NUMBER_ID: Final = re.compile(r"^[0-9]{5,30}$")  # Meta's ids are decimal; anything else would change the path


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    display_phone_number: str | None
    verified_name: str | None


def valid_phone_number_id(value: str) -> bool:
    return bool(PHONE_NUMBER_ID.match(value))


def check_phone_number(
    *, base_url: str, phone_number_id: str, access_token: str, client: httpx.Client | None = None
) -> PhoneNumber:
    if not valid_phone_number_id(phone_number_id):
        raise GatewayApiError("o phone number id deve ter só dígitos", permanent=True)
    http = client or new_client()
    try:
        reply = call_json(http, "GET", f"{base_url.rstrip('/')}/{phone_number_id}",
                          headers={"Authorization": f"Bearer {access_token}"},
                          params={"fields": "display_phone_number,verified_name"}, what="Graph API")  # fmt: skip
    finally:
        if client is None:
            http.close()
    data = as_dict(reply)
    return PhoneNumber(
        display_phone_number=clean_message(text_of(data.get("display_phone_number"))) or None,
        verified_name=clean_message(text_of(data.get("verified_name"))) or None,
    )
