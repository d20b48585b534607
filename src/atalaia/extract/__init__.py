"""Text from attachments (PDF, DOCX, XLSX, CSV and plain text, images by OCR in Portuguese).

Pure: bytes in, an `Extraction` out, nothing stored. The real type comes from the magic bytes
(`kinds.py`), never from the name the sender gave. Every extractor is bounded in input size,
characters, time and, for zip-based formats, uncompressed size (`limits.py`); `isolated.py`
runs one in a child process that is killed at the time limit, so a hostile file can neither
hang nor exhaust the worker. The job that stores the result is `atalaia.jobs.extraction`;
why it is built this way: docs/decisions/0009-attachment-text.md.
"""

from atalaia.extract.isolated import extract_isolated
from atalaia.extract.limits import DEFAULT_LIMITS, Limits
from atalaia.extract.result import Extraction, ExtractionError, ExtractionStatus
from atalaia.extract.run import extract_bytes

__all__ = [
    "DEFAULT_LIMITS",
    "Extraction",
    "ExtractionError",
    "ExtractionStatus",
    "Limits",
    "extract_bytes",
    "extract_isolated",
]
