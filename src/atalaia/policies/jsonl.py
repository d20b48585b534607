"""The JSON shapes of `atalaia scan`: an input message object in, a hit object out. Pure functions.

Input: `{"id": ..., "text": ..., "direction": "inbound"|"outbound", "timestamp": ...,
"attachment": {"file_name", "mime_type", "content_base64", "text"}?}`, plus the optional scope
facts `line`, `teams`, `contact` ("internal"|"external"). Other keys are ignored, so an export
line with extra fields scans as is. A missing fact is unknown, and unknown matches any scope.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from atalaia.domain.enums import Direction
from atalaia.domain.policy import ContactKind, Hit, ScanAttachment, ScanInput, Threshold
from atalaia.policies.threshold import format_window


class BadMessage(ValueError):
    """An input object that cannot be scanned; the message says which field and why."""


def message_from_json(data: object) -> tuple[Any, ScanInput]:
    """(`id` as given, the message to scan) from one decoded JSON value."""
    if not isinstance(data, dict):
        raise BadMessage(f"expected a JSON object, got {type(data).__name__}")
    return data.get("id"), ScanInput(
        text=_optional_str(data, "text") or "",
        direction=_enum(data, "direction", Direction),
        timestamp=parse_timestamp(data.get("timestamp")),
        attachment=_attachment(data.get("attachment")),
        line=_optional_str(data, "line"),
        teams=_teams(data.get("teams")),
        contact=_enum(data, "contact", ContactKind),
    )


def hit_to_json(hit: Hit, threshold: Threshold | None = None) -> dict[str, Any]:
    """The contract's hit object; `threshold` (the rule's, if any) adds a `threshold` key.

    A hit of a threshold rule is still a hit: the scan reports it, and the key tells the reader
    that stored messages would raise an alert only after `count` of them within `window`.
    """
    data: dict[str, Any] = {
        "policy": hit.policy,
        "rule": hit.rule,
        "detector": hit.detector.value,
        "match": hit.match,
        "start": hit.start,
        "end": hit.end,
        "severity": hit.severity.value,
        "category": hit.category.value,
        "source": hit.source.value,
        "detail": hit.detail,
    }
    if threshold is not None:
        data["threshold"] = threshold_to_json(threshold)
    return data


def threshold_to_json(threshold: Threshold) -> dict[str, Any]:
    return {
        "count": threshold.count,
        "window": format_window(threshold.window),
        "window_seconds": int(threshold.window.total_seconds()),
        "per": threshold.per.value,
    }


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601 text (offset optional, `Z` allowed) or Unix seconds; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadMessage("'timestamp' must be ISO 8601 text or Unix seconds")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise BadMessage(f"'timestamp' {value} is out of range") from exc
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise BadMessage(f"'timestamp' {value!r} is not ISO 8601 (e.g. 2024-03-01T14:05:00-03:00)") from exc
    raise BadMessage("'timestamp' must be ISO 8601 text or Unix seconds")


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise BadMessage(f"{key!r} must be text, got {type(value).__name__}")
    return value


def _enum(data: dict[str, Any], key: str, enum: type[Direction] | type[ContactKind]) -> Any:
    value = _optional_str(data, key)
    if value is None:
        return None
    try:
        return enum(value.strip().lower())
    except ValueError as exc:
        known = "|".join(member.value for member in enum)
        raise BadMessage(f"{key!r} must be {known}, got {value!r}") from exc


def _teams(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise BadMessage("'teams' must be text or a list of texts")


def _attachment(value: object) -> ScanAttachment | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadMessage("'attachment' must be an object")
    content = None
    encoded = _optional_str(value, "content_base64")
    if encoded:
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadMessage(f"'attachment.content_base64' is not valid base64: {exc}") from exc
    return ScanAttachment(
        file_name=_optional_str(value, "file_name"),
        mime_type=_optional_str(value, "mime_type"),
        content=content,
        text=_optional_str(value, "text"),
    )
