"""PDF text with pypdf, page by page, up to the page limit and the deadline.

A PDF encrypted with an empty user password (common: "no printing" restrictions) is opened;
one that needs a password is recorded as failed. pypdf bounds each decompressed stream itself.
A scanned PDF (images only) gives empty text: OCR of PDF pages is not done here.
"""

from __future__ import annotations

import io
import logging

from atalaia.extract.result import ExtractionError, ExtractionStatus
from atalaia.extract.sink import TextSink


def extract(data: bytes, sink: TextSink) -> None:
    from pypdf import PasswordType, PdfReader  # deferred: only the child process needs pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # hostile files make it chatty
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise ExtractionError(ExtractionStatus.FAILED, "encrypted PDF: a password is needed to read it")
    total = len(reader.pages)
    last = min(total, sink.limits.max_pdf_pages)
    for index in range(last):
        if sink.expired():
            sink.stop(f"time limit reached after {index} of {total} pages")
            return
        page_text = reader.pages[index].extract_text() or ""
        if not sink.add(page_text + "\n"):
            return
    if total > last:
        sink.stop(f"only the first {last} of {total} pages read")
