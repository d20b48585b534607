"""What an extraction produced, or why it produced nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ExtractionStatus(StrEnum):
    DONE = "done"  # text extracted (possibly empty: a scanned PDF, a photo without words)
    UNSUPPORTED = "unsupported"  # a type with no extractor (audio, video, zip, old .doc/.xls)
    TOO_LARGE = "too_large"  # over an input, pixel or uncompressed-size bound: never opened
    FAILED = "failed"  # corrupt, encrypted, or the extractor broke
    TIMEOUT = "timeout"  # the time limit ran out before anything usable came out
    UNAVAILABLE = "unavailable"  # OCR needs Debian's tesseract-ocr-por, missing on this machine


@dataclass(frozen=True, slots=True)
class Extraction:
    status: ExtractionStatus
    text: str = ""
    kind: str | None = None  # the real type the bytes showed: pdf, docx, xlsx, csv, txt, png...
    reason: str | None = None  # why nothing (or not everything) was extracted
    truncated: bool = False  # stopped at a bound; `reason` says which

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "text": self.text,
            "kind": self.kind,
            "reason": self.reason,
            "truncated": self.truncated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            status=ExtractionStatus(data["status"]),
            text=str(data.get("text") or ""),
            kind=data.get("kind"),
            reason=data.get("reason"),
            truncated=bool(data.get("truncated")),
        )


class ExtractionError(Exception):
    """Raised by an extractor to refuse a file with a status other than `failed` (or with a clear reason)."""

    def __init__(self, status: ExtractionStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
