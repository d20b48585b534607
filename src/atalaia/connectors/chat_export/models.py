"""What the parser yields: one `ExportedMessage` per message found in the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple


class ExportKind(StrEnum):
    TEXT = "text"
    MEDIA = "media"  # media omitted, an attached file, or view-once (`null`)
    DELETED = "deleted"  # "apagar para todos": only the tombstone is in the export
    SYSTEM = "system"  # written by WhatsApp, not by a participant


class ExportedMessage(NamedTuple):
    """One message as the export shows it, markers already read and removed from `text`.

    `timestamp` is the phone's local wall-clock time (naive): the export carries no zone.
    A NamedTuple, not a frozen dataclass: one is built per message, and a frozen dataclass
    costs five times as much to build (a large share of the parse on million-message exports).
    """

    timestamp: datetime
    author: str | None  # None for system lines
    text: str
    kind: ExportKind
    attachment: str | None = None  # file name inside the export (zip member), when attached
    edited: bool = False
    truncated: bool = False  # text cut at the per-message bound (hostile or broken input)
    line: int = 0  # 1-based line of the header in the chat text, for diagnostics

    def as_json(self) -> dict[str, Any]:
        """The `atalaia parse --json` object; `truncated` appears only when true."""
        payload: dict[str, Any] = {
            "timestamp": self.timestamp.isoformat(),
            "author": self.author,
            "text": self.text,
            "kind": self.kind.value,
            "attachment": self.attachment,
            "edited": self.edited,
        }
        if self.truncated:
            payload["truncated"] = True
        return payload


@dataclass(slots=True)
class ParseStats:
    """Counters filled while messages stream out; read them after the iteration ends."""

    lines: int = 0
    messages: int = 0
    preamble_lines: int = 0  # lines before the first header: nothing to attach them to
    truncated_lines: int = 0  # lines longer than the bound, cut
    truncated_messages: int = 0  # messages longer than the bound, cut
    replaced_characters: int = 0  # messages holding U+FFFD (bytes that were not UTF-8)
