"""Run one extractor in this process and turn every outcome, errors included, into an `Extraction`.

Parsers of hostile files raise anything (pypdf, python-docx and openpyxl each have their own
errors, and plain KeyError or ValueError besides), so anything but a deliberate
`ExtractionError` is recorded as `failed` with the error's type and message. This is what the
child process runs; tests call it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from atalaia.extract import docx_text, image_ocr, pdf_text, plain_text, xlsx_text
from atalaia.extract.kinds import Method, method_for, sniff
from atalaia.extract.limits import DEFAULT_LIMITS, Limits
from atalaia.extract.result import Extraction, ExtractionError, ExtractionStatus
from atalaia.extract.sink import TextSink

MAX_REASON: Final = 300
EXTRACTORS: Final[dict[Method, Callable[[bytes, TextSink], None]]] = {
    "pdf": pdf_text.extract,
    "docx": docx_text.extract,
    "xlsx": xlsx_text.extract,
    "text": plain_text.extract,
    "ocr": image_ocr.extract,
}


def too_large(size: int, limits: Limits) -> Extraction:
    return Extraction(ExtractionStatus.TOO_LARGE, reason=f"{size} bytes (at most {limits.max_input_bytes})")


def unsupported(kind: str | None) -> Extraction:
    return Extraction(
        ExtractionStatus.UNSUPPORTED, kind=kind, reason=f"no text extractor for {kind or 'unknown'} files"
    )


def extract_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extraction:
    """Sniff the real type and extract in this process (no hard kill: see `isolated.py` for that)."""
    if len(data) > limits.max_input_bytes:
        return too_large(len(data), limits)
    kind = sniff(data)
    method = method_for(kind)
    if method is None:
        return unsupported(kind)
    return run_method(method, data, limits, kind=kind)


def run_method(
    method: Method, data: bytes, limits: Limits, *, kind: str | None, started: float | None = None
) -> Extraction:
    sink = TextSink(limits, started=started)
    try:
        EXTRACTORS[method](data, sink)
    except ExtractionError as exc:
        return Extraction(exc.status, kind=kind, reason=exc.reason[:MAX_REASON])
    except MemoryError:
        return Extraction(ExtractionStatus.FAILED, kind=kind, reason="out of memory")
    except Exception as exc:  # see the module docstring: a corrupt file may raise anything
        return Extraction(ExtractionStatus.FAILED, kind=kind, reason=describe(exc))
    return Extraction(ExtractionStatus.DONE, text=sink.text, kind=kind, reason=sink.note, truncated=sink.truncated)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_REASON]
