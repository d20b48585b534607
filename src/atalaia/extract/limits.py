"""How much one attachment may cost: input bytes, output characters, seconds, pages, unzipped bytes.

Module constants rather than settings: they protect the worker, and an operator has no reason
to loosen them per deployment. Passed explicitly everywhere so tests can tighten them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Final

MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_input_bytes: int = 25 * MIB  # larger files are recorded as too large, never read
    max_chars: int = 200_000  # text kept per file (about 60 dense pages); the rest is cut
    seconds: float = 60.0  # per file, OCR included; the child process is killed after this
    kill_grace: float = 5.0  # extra time the child gets to stop by itself before being killed
    max_pdf_pages: int = 200
    max_unzipped_bytes: int = 300 * MIB  # DOCX/XLSX: declared uncompressed total
    max_zip_ratio: int = 200  # DOCX/XLSX: uncompressed/compressed for any member over 1 MiB
    max_zip_entries: int = 10_000
    max_image_pixels: int = 40_000_000  # a 12 MP phone photo is far below; bombs are far above
    max_memory_bytes: int = 2048 * MIB  # address space of the child process (and of tesseract)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Limits:
        values = json.loads(text)
        return cls(**{name: values[name] for name in cls.__dataclass_fields__ if name in values})


DEFAULT_LIMITS: Final = Limits()
