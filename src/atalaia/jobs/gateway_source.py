"""Where a gateway line's media may be fetched from, and the URL to ask for.

Evolution lines may fetch from the listed origins only (its S3/MinIO). WAHA lines may also fetch
from WAHA's own origin, the only one that receives WAHA's API key: a URL on another listed origin
(WAHA's S3, say) must not carry it. The URL is the attachment's `provider_media_id`, unless the
200-character column cut it (a presigned S3 URL is longer): the message's `raw`, kept from the
same authenticated body, still holds it whole, and is used only when it extends what was stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from atalaia.connectors.gateway_media import MediaPolicy
from atalaia.domain.enums import Provider

if TYPE_CHECKING:
    from atalaia.settings import Settings


def media_policy(settings: Settings, provider: Provider) -> MediaPolicy:
    origins = set(settings.gateway_media_origins)
    headers: dict[str, dict[str, str]] = {}
    waha = settings.waha_origin
    if provider is Provider.WAHA and waha is not None:
        origins.add(waha)
        if settings.waha_api_key is not None:
            headers[waha] = {"X-Api-Key": settings.waha_api_key.get_secret_value()}
    return MediaPolicy(frozenset(origins), max_bytes=settings.max_media_bytes, headers=headers)


def media_url(stored: str, *, raw: Any, provider: Provider) -> str:
    """The stored URL, or the raw body's when the stored one is a cut-off prefix of it."""
    full = _raw_url(raw, provider)
    if full is not None and len(full) > len(stored) and full.startswith(stored):
        return full
    return stored


def _raw_url(raw: Any, provider: Provider) -> str | None:
    data = raw if isinstance(raw, dict) else {}
    # Evolution: `raw` is the `data` object (`message.mediaUrl`); WAHA: the payload (`media.url`).
    holder, key = (data.get("message"), "mediaUrl") if provider is Provider.EVOLUTION else (data.get("media"), "url")
    value = holder.get(key) if isinstance(holder, dict) else None
    return value if isinstance(value, str) else None
