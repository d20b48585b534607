"""Images by OCR in Portuguese: Pillow opens them, tesseract (through pytesseract) reads them.

Tesseract is a Debian package (`tesseract-ocr` and `tesseract-ocr-por`), not a Python one: a
machine without it records the image as `unavailable`, so the file can be extracted again once
it is installed. The pixel count is checked from the header before anything is decoded (our
bound, tighter than Pillow's global one, which is left alone), and tesseract gets what is left
of the file's time budget as its own timeout (pytesseract kills it).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

from atalaia.extract.result import ExtractionError, ExtractionStatus
from atalaia.extract.sink import TextSink

if TYPE_CHECKING:
    from PIL.Image import Image

LANGUAGE: Final = "por"
MIN_SIDE: Final = 16  # pixels; no legible character fits in less (icons, 1x1 trackers, placeholders)


def extract(data: bytes, sink: TextSink) -> None:
    import pytesseract  # type: ignore[import-untyped]  # deferred: only the child process needs it

    image = _open(data, max_pixels=sink.limits.max_image_pixels)
    if min(image.size) < MIN_SIDE:
        sink.explain(f"{image.width}x{image.height} pixels: too small to hold text")
        return
    _check_tesseract()
    remaining = sink.remaining()
    if remaining <= 0:
        raise ExtractionError(ExtractionStatus.TIMEOUT, "no time left for OCR")
    try:
        text = pytesseract.image_to_string(image, lang=LANGUAGE, timeout=remaining)
    except RuntimeError as exc:  # pytesseract's "Tesseract process timeout"
        if "timeout" in str(exc).lower():
            raise ExtractionError(ExtractionStatus.TIMEOUT, f"OCR took longer than {remaining:.1f} s") from exc
        raise
    sink.add(str(text))


def _open(data: bytes, *, max_pixels: int) -> Image:
    """The first frame, as RGB or greyscale; refused before decoding when it has too many pixels."""
    from PIL import Image as PilImage
    from PIL import UnidentifiedImageError

    try:
        image = PilImage.open(io.BytesIO(data))  # reads the header only; pixels are decoded later
    except PilImage.DecompressionBombError as exc:  # Pillow's own, far looser bound
        raise ExtractionError(ExtractionStatus.TOO_LARGE, str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ExtractionError(ExtractionStatus.FAILED, f"unreadable image: {exc}") from exc
    if image.width * image.height > max_pixels:
        raise ExtractionError(ExtractionStatus.TOO_LARGE, f"{image.width}x{image.height} pixels (at most {max_pixels})")
    try:
        image.seek(0)  # the first frame of an animated GIF or WebP
        image.load()  # decode now: a truncated file fails here, as unreadable, not inside OCR
    except (OSError, ValueError, EOFError) as exc:
        raise ExtractionError(ExtractionStatus.FAILED, f"unreadable image: {exc}") from exc
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _check_tesseract() -> None:
    """Raise `unavailable` when tesseract or its Portuguese data is missing."""
    import pytesseract

    try:
        languages = pytesseract.get_languages()
    except pytesseract.TesseractNotFoundError as exc:
        raise ExtractionError(
            ExtractionStatus.UNAVAILABLE, "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-por)"
        ) from exc
    if LANGUAGE not in languages:
        raise ExtractionError(
            ExtractionStatus.UNAVAILABLE, "tesseract has no Portuguese data (apt-get install tesseract-ocr-por)"
        )
