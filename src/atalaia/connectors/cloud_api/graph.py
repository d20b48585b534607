"""A small Graph API client: media download and sending messages.

The base URL (version included) is configurable so tests and demos talk to a local server.
Errors carry whether a retry can help: 4xx other than 408/429 are permanent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import httpx

MAX_MEDIA_BYTES: Final = 100 * 1024 * 1024  # WhatsApp documents go up to 100 MB
TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)


class GraphError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class MediaInfo:
    url: str
    mime_type: str | None
    sha256: str | None
    file_size: int | None


def _raise_for(response: httpx.Response, what: str) -> None:
    if response.is_success:
        return
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    raise GraphError(f"{what}: HTTP {response.status_code}", permanent=permanent)


class GraphClient:
    def __init__(self, *, base_url: str, access_token: str, client: httpx.Client | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def media_info(self, media_id: str) -> MediaInfo:
        if not media_id.isalnum():
            raise GraphError(f"invalid media id {media_id!r}", permanent=True)
        try:
            response = self._client.get(f"{self._base}/{media_id}", headers=self._headers)
        except httpx.HTTPError as exc:
            raise GraphError(f"media info: {type(exc).__name__}", permanent=False) from exc
        _raise_for(response, "media info")
        data: dict[str, Any] = response.json()
        size = data.get("file_size")
        return MediaInfo(
            url=str(data.get("url") or ""),
            mime_type=data.get("mime_type"),
            sha256=data.get("sha256"),
            file_size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        )

    def download(self, url: str) -> bytes:
        """The media bytes, streamed under a size cap; the URL is valid for minutes only."""
        if not url.startswith(("https://", "http://")):
            raise GraphError("media URL is not HTTP(S)", permanent=True)
        try:
            with self._client.stream("GET", url, headers=self._headers) as response:
                _raise_for(response, "media download")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_MEDIA_BYTES:
                        raise GraphError("media larger than 100 MB", permanent=True)
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise GraphError(f"media download: {type(exc).__name__}", permanent=False) from exc
        return b"".join(chunks)

    def send_text(self, *, phone_number_id: str, to: str, body: str, preview_url: bool = False) -> str:
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to.lstrip("+"),
            "type": "text",
            "text": {"body": body, "preview_url": preview_url},
        }
        return self._send(phone_number_id, payload)

    def send_template(
        self, *, phone_number_id: str, to: str, name: str, language: str, parameters: list[str] | None = None
    ) -> str:
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}]
        payload = {"messaging_product": "whatsapp", "to": to.lstrip("+"), "type": "template", "template": template}
        return self._send(phone_number_id, payload)

    def _send(self, phone_number_id: str, payload: dict[str, Any]) -> str:
        """POST /{phone-number-id}/messages; returns the new message's wamid."""
        try:
            response = self._client.post(
                f"{self._base}/{phone_number_id}/messages", headers=self._headers, json=payload
            )
        except httpx.HTTPError as exc:
            raise GraphError(f"send: {type(exc).__name__}", permanent=False) from exc
        _raise_for(response, "send")
        messages = response.json().get("messages") or []
        if not messages or not isinstance(messages[0], dict) or "id" not in messages[0]:
            raise GraphError("send: response without a message id", permanent=False)
        return str(messages[0]["id"])
