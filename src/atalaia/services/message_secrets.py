"""A message's `messageSecret`, sealed at rest inside its archived `raw`, opened to read encrypted edits.

The secret is the key to the encrypted edits (and poll votes) of its message, so it is stored
sealed with the tenant's data key (AES-256-GCM, bound to tenant, line and message id) as
`"sealed:v1:<base64>"` in place of the gateway's base64 value; the rest of `raw` is untouched.
A body archived before sealing existed keeps the plain value and is still read.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from atalaia.connectors.gateway import bytes_of
from atalaia.errors import TamperedData
from atalaia.security.keys import open_sealed, seal

PREFIX: Final = "sealed:v1:"
CONTEXT_KEY: Final = "messageContextInfo"
SECRET_FIELD: Final = "messageSecret"  # noqa: S105 (a JSON field name, not a secret)
MAX_DEPTH: Final = 6  # `data.message.messageContextInfo`, or WAHA's `_data.message...`


def secret_aad(*, tenant_id: int, line_id: int, message_id: str) -> bytes:
    return f"message-secret:{tenant_id}:{line_id}:{message_id}".encode()


def seal_secrets(raw: dict[str, Any], *, data_key: bytes, aad: bytes) -> dict[str, Any]:
    """A copy of `raw` with every messageSecret sealed; `raw` itself when it has none."""
    if _find_secret(raw, 0) is None:
        return raw
    return _sealed(raw, data_key=data_key, aad=aad, depth=0)  # type: ignore[no-any-return]


def open_secret(raw: Any, *, data_key: bytes, aad: bytes) -> bytes | None:
    """The message's secret (sealed or, from older bodies, plain), or None when there is none."""
    value = _find_secret(raw, 0)
    if isinstance(value, str) and value.startswith(PREFIX):
        try:
            return open_sealed(data_key, base64.b64decode(value[len(PREFIX) :], validate=True), aad=aad)
        except (binascii.Error, ValueError, TamperedData):
            return None
    return bytes_of(value) if value is not None else None


def _find_secret(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, dict):
        context = value.get(CONTEXT_KEY)
        if isinstance(context, dict) and context.get(SECRET_FIELD) is not None:
            return context[SECRET_FIELD]
        for child in value.values():
            if isinstance(child, dict) and (found := _find_secret(child, depth + 1)) is not None:
                return found
    return None


def _sealed(value: Any, *, data_key: bytes, aad: bytes, depth: int) -> Any:
    if not isinstance(value, dict) or depth > MAX_DEPTH:
        return value
    copy = {key: _sealed(child, data_key=data_key, aad=aad, depth=depth + 1) for key, child in value.items()}
    context = copy.get(CONTEXT_KEY)
    if isinstance(context, dict) and context.get(SECRET_FIELD) is not None:
        secret = context[SECRET_FIELD]
        if not (isinstance(secret, str) and secret.startswith(PREFIX)):
            plain = bytes_of(secret)
            if plain is not None:
                token = base64.b64encode(seal(data_key, plain, aad=aad)).decode()
                copy[CONTEXT_KEY] = {**context, SECRET_FIELD: PREFIX + token}
    return copy
