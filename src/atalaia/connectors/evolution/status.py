"""The line's status from Evolution API's connection events.

Evolution sends `connection.update` (`state` open / connecting / close / refused, with Baileys'
`statusReason`), `qrcode.updated` while pairing, and `status.instance` / `logout.instance` /
`remove.instance` when an instance is closed for good. See docs/decisions/0005-gateways.md for the
mapping and why `refused` is not a ban.
"""

from __future__ import annotations

from typing import Any, Final

from atalaia.connectors.gateway import GatewayParse, as_dict, as_str, clip_note, number
from atalaia.domain.enums import LineStatus

CONNECTION_EVENTS: Final = frozenset(
    {"connection.update", "qrcode.updated", "status.instance", "logout.instance", "remove.instance"}
)
LOGGED_OUT: Final = 401  # Baileys DisconnectReason.loggedOut: the phone removed the linked device
FORBIDDEN: Final = 403  # DisconnectReason.forbidden: WhatsApp refused the account, as it does when banned


def connection_status(result: GatewayParse, name: str, data: dict[str, Any]) -> None:
    """The line's status from Evolution's connection events (the QR image itself is never read)."""
    if name == "qrcode.updated":
        if as_dict(data.get("qrcode")):
            result.line_status, result.status_reason = LineStatus.PENDING, "waiting for the QR code to be scanned"
        else:
            result.line_status, result.status_reason = LineStatus.DISCONNECTED, "QR code limit reached"
        return
    if name in ("logout.instance", "remove.instance"):
        result.line_status, result.status_reason = LineStatus.DISCONNECTED, f"instance {name.split('.')[0]}"
        return
    if name == "status.instance":
        if as_str(data.get("status")) == "closed":
            code = number(data.get("disconnectionReasonCode"))
            result.line_status = LineStatus.BANNED if code == FORBIDDEN else LineStatus.DISCONNECTED
            result.status_reason = f"instance closed ({clip_note(data.get('disconnectionReasonCode'))})"
        return
    state = as_str(data.get("state"))
    code = number(data.get("statusReason"))
    if state == "open":
        result.line_status, result.status_reason = LineStatus.CONNECTED, "connection open"
    elif state == "close":
        if code == FORBIDDEN:
            result.line_status, result.status_reason = LineStatus.BANNED, "connection closed: forbidden (403)"
        else:
            reason = "logged out from the phone (401)" if code == LOGGED_OUT else f"closed ({clip_note(code)})"
            result.line_status, result.status_reason = LineStatus.DISCONNECTED, f"connection {reason}"
    elif state == "refused":
        # Evolution sends `refused` only when the QR code limit is reached: pairing was abandoned,
        # which is not a ban; the line is not connected and must be noticed.
        result.line_status, result.status_reason = LineStatus.DISCONNECTED, "pairing refused: QR code limit reached"
    elif state != "connecting":  # connecting: a reconnection in progress, no news yet
        result.problems.append(f"connection state {clip_note(state)} not understood; line status unchanged")
