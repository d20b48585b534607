"""Which extractor reads which real type: decided by the magic bytes, never by the declared name.

A PDF renamed `foto.jpg` is read as a PDF, a spreadsheet renamed `.pdf` as a spreadsheet; the
file-type detector (`policies/detectors/file_type.py`) already tells zip-based Office formats and
CSV apart, so it is reused here.
"""

from __future__ import annotations

from typing import Final, Literal

from atalaia.policies.detectors.file_type import real_type

Method = Literal["pdf", "docx", "xlsx", "text", "ocr"]

TEXT_KINDS: Final = frozenset({"txt", "csv", "tsv", "sql", "json", "xml", "html", "md", "yaml", "log"})
IMAGE_KINDS: Final = frozenset({"png", "jpeg", "gif", "webp", "tiff", "bmp"})
_DIRECT: Final[dict[str, Method]] = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx"}


def sniff(data: bytes) -> str | None:
    """The real type of these bytes (`pdf`, `docx`, `png`, `csv`...), or None when unknown."""
    return real_type(data)


def method_for(kind: str | None) -> Method | None:
    if kind is None:
        return None
    if kind in _DIRECT:
        return _DIRECT[kind]
    if kind in TEXT_KINDS:
        return "text"
    if kind in IMAGE_KINDS:
        return "ocr"
    return None
