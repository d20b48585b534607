"""Bounds: oversize, zip bombs, pages, characters, time; corrupt files end as a recorded reason."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from atalaia.extract import Extraction, ExtractionStatus, Limits, extract_bytes, extract_isolated
from tests.attachment_files import docx, need_tesseract, pdf, png, xlsx, zip_bomb


def test_an_input_over_the_size_bound_is_never_opened() -> None:
    result = extract_isolated(pdf("x" * 100), Limits(max_input_bytes=100))
    assert result.status is ExtractionStatus.TOO_LARGE
    assert result.kind is None  # not even sniffed


@pytest.mark.parametrize("extract", [extract_bytes, extract_isolated])
def test_a_zip_bomb_disguised_as_docx_is_refused_before_inflating(extract: Callable[..., Extraction]) -> None:
    result = extract(zip_bomb(), Limits())
    assert (result.status, result.kind) == (ExtractionStatus.TOO_LARGE, "docx")
    assert "inflates" in (result.reason or "")


def test_an_office_file_over_the_uncompressed_bound_is_refused() -> None:
    result = extract_bytes(xlsx([["a" * 50]] * 100), Limits(max_unzipped_bytes=2_000))
    assert result.status is ExtractionStatus.TOO_LARGE
    assert "uncompressed" in (result.reason or "")


def test_only_the_first_pages_of_a_long_pdf_are_read() -> None:
    result = extract_bytes(pdf("primeira", "segunda", "terceira", "quarta"), Limits(max_pdf_pages=2))
    assert result.status is ExtractionStatus.DONE
    assert "segunda" in result.text
    assert "terceira" not in result.text
    assert result.truncated
    assert result.reason == "only the first 2 of 4 pages read"


def test_text_is_cut_at_the_character_bound() -> None:
    result = extract_bytes(docx("a" * 300, "b" * 300), Limits(max_chars=400))
    assert len(result.text) == 400
    assert result.truncated


def _broken_docx() -> bytes:
    """A zip that names itself a Word document, with a document part that is not XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><unclosed")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (b"%PDF-1.4\nnot really a pdf\n", "pdf", "PdfStreamError"),
        (_broken_docx(), "docx", "Error"),
        (png("CPF")[:300], "png", "unreadable image"),  # cut short in transit
    ],
    ids=["pdf", "docx", "png"],
)
def test_a_corrupt_file_is_recorded_as_failed_with_its_reason(data: bytes, kind: str, reason: str) -> None:
    result = extract_isolated(data)
    assert (result.status, result.kind) == (ExtractionStatus.FAILED, kind)
    assert reason in (result.reason or "")


def test_a_truncated_office_file_is_an_unsupported_zip() -> None:
    result = extract_isolated(docx("ok")[:600])
    assert (result.status, result.kind) == (ExtractionStatus.UNSUPPORTED, "zip")


def test_a_child_past_its_time_limit_is_killed() -> None:
    result = extract_isolated(pdf("demora"), Limits(seconds=0.01, kill_grace=0.0))
    assert (result.status, result.kind) == (ExtractionStatus.TIMEOUT, "pdf")
    assert result.reason == "took longer than 0.01 s"


def test_ocr_stops_at_the_time_limit() -> None:
    need_tesseract()
    import pytesseract  # imported before the clock starts: it may load pandas

    assert pytesseract.get_languages()
    page = png(*[f"Linha {i} do documento digitalizado com texto corrido" for i in range(30)], size=40)
    result = extract_bytes(page, Limits(seconds=0.5))
    assert result.status is ExtractionStatus.TIMEOUT
    assert (result.reason or "").startswith("OCR took longer than")  # pytesseract killed tesseract


def test_without_tesseract_ocr_is_recorded_as_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    result = extract_bytes(png("CPF 529.982.247-25"))
    assert result.status is ExtractionStatus.UNAVAILABLE
    assert "tesseract-ocr" in (result.reason or "")


def test_an_image_with_too_many_pixels_is_refused_from_its_header() -> None:
    result = extract_bytes(png("x"), Limits(max_image_pixels=10_000))
    assert result.status is ExtractionStatus.TOO_LARGE


def test_an_image_too_small_to_hold_text_is_done_without_ocr() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1, 1), 255).save(out, "JPEG")
    result = extract_bytes(out.getvalue())
    assert (result.status, result.kind, result.text, result.truncated) == (ExtractionStatus.DONE, "jpeg", "", False)
    assert result.reason == "1x1 pixels: too small to hold text"
