"""Download a linked-device gateway's media by URL, only from origins the operator listed.

The URL comes from a webhook body, so whoever holds a line's token (or controls the gateway)
chooses it. Nothing is fetched unless its origin (scheme, host, port, parsed by httpx exactly as
httpx will connect) is allowed; redirects are followed only within the same origin; a credential
(WAHA's `X-Api-Key`) goes only to the origin it belongs to; the body is streamed under a byte cap
and a deadline. Errors say whether a retry can help, and name the origin only: the query of a
presigned S3 URL is a credential, and error messages end up in logs and in the jobs table.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import httpx

TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
MAX_SECONDS: Final = 600.0  # one whole download; a server trickling bytes must not hold a worker forever
MAX_REDIRECTS: Final = 3
DEFAULT_PORTS: Final = {"http": 80, "https": 443}
MAX_PORT: Final = 65535
MAX_MIME_CHARS: Final = 200  # the attachments.mime_type column


class GatewayMediaError(Exception):
    """A failed download; `status` is the attachment's `download_status` when it says more than failed."""

    def __init__(self, message: str, *, permanent: bool, status: str | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    """Where gateway media may come from, how big they may be, and the headers an origin needs."""

    origins: frozenset[str]
    max_bytes: int
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # origin -> extra headers


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    mime_type: str | None


def origin_of(url: str | httpx.URL) -> str | None:
    """`scheme://host:port` of an absolute http(s) URL as httpx will connect to it; None for anything else."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.raw_host:
        return None
    port = parsed.port if parsed.port is not None else DEFAULT_PORTS[parsed.scheme]
    if not 0 < port <= MAX_PORT:
        return None
    host = parsed.raw_host.decode("ascii").lower()  # IDNA already applied: what DNS is asked
    if ":" in host:
        host = f"[{host}]"
    return f"{parsed.scheme}://{host}:{port}"


def parse_origin(value: str) -> str:
    """A configured origin in canonical form; ValueError for a path, a query, credentials or another scheme."""
    try:
        parsed = httpx.URL(value.strip())
    except httpx.InvalidURL as exc:
        raise ValueError(f"{value!r} is not a URL") from exc
    origin = origin_of(parsed)
    if origin is None or parsed.userinfo or parsed.query or parsed.fragment or parsed.path not in ("", "/"):
        raise ValueError(f"{value!r} is not an origin: write scheme://host[:port], e.g. https://minio.example.com")
    return origin


class GatewayMediaClient:
    def __init__(self, policy: MediaPolicy, *, client: httpx.Client | None = None) -> None:
        self._policy = policy
        self._client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def download(self, url: str) -> Fetched:
        """The bytes at `url`, or GatewayMediaError; nothing is requested from an origin not allowed."""
        current = self._allowed(url)
        origin = origin_of(current) or ""
        deadline = time.monotonic() + MAX_SECONDS
        for _ in range(MAX_REDIRECTS + 1):
            # identity: a compressed body would let a few kilobytes on the wire inflate past the cap in one chunk.
            headers = {**self._policy.headers.get(origin, {}), "Accept-Encoding": "identity"}
            request = self._client.build_request("GET", current, headers=headers)
            try:
                response = self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise GatewayMediaError(f"media download from {origin}: {type(exc).__name__}", permanent=False) from exc
            try:
                if response.is_redirect:
                    current = _same_origin(current.join(response.headers["location"]), origin)
                    continue
                _raise_for(response, origin)
                return Fetched(_read(response, origin, limit=self._policy.max_bytes, deadline=deadline),
                               _mime(response.headers.get("content-type")))  # fmt: skip
            finally:
                response.close()
        raise GatewayMediaError(f"media download from {origin}: more than {MAX_REDIRECTS} redirects", permanent=True)

    def _allowed(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise GatewayMediaError("media URL is not a valid URL", permanent=True, status="refused") from None
        origin = origin_of(parsed)
        if origin is None:
            raise GatewayMediaError("media URL is not an absolute http(s) URL", permanent=True, status="refused")
        if parsed.userinfo:
            raise GatewayMediaError("media URL carries credentials; refused", permanent=True, status="refused")
        if origin not in self._policy.origins:
            raise GatewayMediaError(
                f"media origin {origin} is not allowed; nothing fetched (see ATALAIA_GATEWAY_MEDIA_ORIGINS)",
                permanent=True,
                status="refused",
            )
        return parsed


def _same_origin(target: httpx.URL, origin: str) -> httpx.URL:
    """A redirect stays on its origin: another one could be anything, and would get the origin's headers."""
    other = origin_of(target)
    if other != origin or target.userinfo:
        where = other or "a non-http(s) URL"
        raise GatewayMediaError(
            f"media download from {origin}: redirect to {where} refused", permanent=True, status="refused"
        )
    return target


def _raise_for(response: httpx.Response, origin: str) -> None:
    if response.is_success:
        return
    code = response.status_code
    permanent = code < 500 and code not in (408, 429)  # 4xx and stray 3xx will not change by retrying
    raise GatewayMediaError(f"media download from {origin}: HTTP {code}", permanent=permanent)


def _read(response: httpx.Response, origin: str, *, limit: int, deadline: float) -> bytes:
    """The body, refused as soon as it passes `limit` (declared or counted), never read whole first."""
    too_large = GatewayMediaError(
        f"media download from {origin}: larger than {limit} bytes (ATALAIA_MAX_MEDIA_BYTES)",
        permanent=True,
        status="too_large",
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large
            if time.monotonic() > deadline:
                raise GatewayMediaError(f"media download from {origin}: too slow", permanent=False)
            chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise GatewayMediaError(f"media download from {origin}: {type(exc).__name__}", permanent=False) from exc
    return b"".join(chunks)


def _mime(value: str | None) -> str | None:
    mime = (value or "").split(";", 1)[0].strip().lower()
    return mime[:MAX_MIME_CHARS] if "/" in mime else None
