"""Calling a gateway's (or the Graph API's) HTTP API: bounded, timed, never following redirects.

Shared by `evolution/client.py`, `waha/client.py` and `cloud_api/phone_check.py`. Everything a
gateway answers is read as hostile: at most `MAX_REPLY_BYTES`, JSON or an error, and any message
quoted from it is stripped of control characters and clipped before it reaches a page or a log.
The base URL must sit on an origin the operator allowed (ATALAIA_GATEWAY_API_ORIGINS): an
administrator typing `http://169.254.169.254/` must not make the server fetch it (SSRF, as in
docs/decisions/0008).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import httpx

from atalaia.connectors.gateway_media import origin_of

TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)  # a console button waits on this: keep it short
MAX_REPLY_BYTES: Final = 256 * 1024  # a QR code as a base64 PNG is ~15 KB; nothing we read is larger
MAX_MESSAGE_CHARS: Final = 300  # of a provider's error message, shown in the console
MAX_BASE_URL_CHARS: Final = 300  # the line_connections.base_url column


class GatewayApiError(Exception):
    """A failed call; `permanent` says whether retrying can help (4xx but 408/429, refusals)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def checked_base_url(value: str, *, allowed: Iterable[str]) -> str:
    """The base URL without a trailing slash; ValueError unless http(s), credential-free and on an
    allowed origin. The origin is computed by httpx's parser, the one that will connect."""
    text = value.strip()
    if not text or len(text) > MAX_BASE_URL_CHARS:
        raise ValueError(f"o endereço do gateway precisa de 1 a {MAX_BASE_URL_CHARS} caracteres")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ValueError("o endereço do gateway não é uma URL válida") from None
    origin = origin_of(parsed)
    if origin is None:
        raise ValueError("o endereço do gateway deve começar com http:// ou https://")
    if parsed.userinfo or parsed.query or parsed.fragment:
        raise ValueError("o endereço do gateway não pode ter usuário, senha, consulta (?) nem fragmento (#)")
    if origin not in set(allowed):
        raise ValueError(f"a origem {origin} não está em ATALAIA_GATEWAY_API_ORIGINS; peça ao operador que a inclua")
    return text.rstrip("/")


def clean_message(value: Any) -> str:
    """A provider's message as plain, short text: no control characters, no markup tricks beyond
    what autoescaping handles, at most `MAX_MESSAGE_CHARS`."""
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value[:5] if isinstance(item, str | int | float))
    text = value if isinstance(value, str) else ""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_MESSAGE_CHARS * 2])
    text = " ".join(text.split())
    return text[:MAX_MESSAGE_CHARS]


def error_message(payload: Any) -> str:
    """The human message in the error shapes of Graph (`error.message`), Evolution
    (`response.message`, a list) and WAHA/Nest (`message`)."""
    if not isinstance(payload, dict):
        return ""
    for holder in (payload.get("error"), payload.get("response"), payload):
        if isinstance(holder, dict):
            found = clean_message(holder.get("message"))
            if found:
                return found
    return clean_message(payload.get("error"))


def call_json(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    what: str,
    body: Any = None,
    params: Mapping[str, str] | None = None,
) -> Any:
    """One request; the decoded JSON reply, or GatewayApiError with a message fit for a page."""
    try:
        with client.stream(method, url, headers=dict(headers), json=body, params=params) as response:
            raw = _read_capped(response, what)
    except httpx.TimeoutException:
        raise GatewayApiError(f"{what}: o servidor não respondeu a tempo", permanent=False) from None
    except httpx.HTTPError as exc:
        raise GatewayApiError(f"{what}: falha de conexão ({type(exc).__name__})", permanent=False) from None
    if response.is_redirect:
        raise GatewayApiError(f"{what}: o servidor respondeu com um redirecionamento, recusado", permanent=True)
    payload = _decode(raw)
    if not response.is_success:
        status = response.status_code
        detail = error_message(payload) if payload is not _NOT_JSON else ""
        permanent = 400 <= status < 500 and status not in (408, 429)
        raise GatewayApiError(f"{what}: HTTP {status}" + (f" — {detail}" if detail else ""), permanent=permanent)
    if payload is _NOT_JSON:
        raise GatewayApiError(f"{what}: a resposta não é JSON", permanent=True)
    return payload


_NOT_JSON: Final = object()


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else _NOT_JSON
    except (ValueError, RecursionError):
        return _NOT_JSON


def _read_capped(response: httpx.Response, what: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REPLY_BYTES:
        raise GatewayApiError(f"{what}: resposta grande demais", permanent=True)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise GatewayApiError(f"{what}: resposta grande demais", permanent=True)
        chunks.append(chunk)
    return b"".join(chunks)


def new_client() -> httpx.Client:
    # Identity encoding: a compressed reply must not inflate past the cap inside one chunk.
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={"Accept-Encoding": "identity"})
