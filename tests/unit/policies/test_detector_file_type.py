"""Attachment types from magic bytes, and declared extensions that lie."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from atalaia.domain.policy import FileTypeOptions
from atalaia.policies.detectors.file_type import (
    declared_type,
    file_type_fires,
    inspect_file,
    normalise_type,
    real_type,
)


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


XLSX = zipped("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCX = zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml")
CSV = b"nome;cpf;email\nana;123;a@b.com\njoao;456;j@b.com\n"
SQL = b"-- MySQL dump 10.13\n--\nCREATE TABLE clientes (id int);\nINSERT INTO clientes VALUES (1);\n"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.mark.parametrize(
    ("content", "kind"),
    [(XLSX, "xlsx"), (DOCX, "docx"), (zipped("a.txt"), "zip"), (CSV, "csv"), (SQL, "sql"), (PDF, "pdf")],
)
def test_the_real_type_comes_from_the_bytes(content: bytes, kind: str) -> None:
    assert real_type(content) == kind


def test_a_spreadsheet_named_pdf_is_a_spreadsheet_and_a_lie() -> None:
    verdict = inspect_file(file_name="relatorio.pdf", mime_type="application/pdf", content=XLSX)
    assert (verdict.real, verdict.declared, verdict.lies) == ("xlsx", "pdf", True)
    assert file_type_fires(verdict, FileTypeOptions(types=frozenset({"xlsx"}))) is not None


def test_a_container_and_its_content_are_compatible() -> None:
    truncated = XLSX[:40]  # libmagic sees only a zip
    verdict = inspect_file(file_name="Planilha.XLSX", mime_type=None, content=truncated)
    assert not verdict.lies
    assert verdict.effective == "xlsx"
    assert not inspect_file(file_name="dados.txt", mime_type=None, content=CSV).lies


def test_mismatch_flags_any_lie_and_types_only_the_listed_ones() -> None:
    verdict = inspect_file(file_name="foto.jpg", mime_type="image/jpeg", content=PDF)
    assert file_type_fires(verdict, FileTypeOptions(types=frozenset({"xlsx"}))) is None
    assert file_type_fires(verdict, FileTypeOptions(mismatch=True)) == "extension lies (real type pdf, declared jpeg)"


def test_without_content_the_declared_type_is_all_we_have() -> None:
    verdict = inspect_file(file_name=None, mime_type="text/csv", content=None)
    assert (verdict.real, verdict.effective, verdict.lies) == (None, "csv", False)
    assert file_type_fires(verdict, FileTypeOptions(types=frozenset({"csv"}))) is not None


def test_type_names_are_normalised() -> None:
    assert normalise_type(".JPG") == "jpeg"
    assert declared_type("backup.tar.gz", None) == "gz"
    assert declared_type("sem-extensao", "application/vnd.ms-excel") == "xls"
    assert declared_type(None, None) is None


def test_unknown_bytes_have_no_real_type() -> None:
    assert real_type(b"") is None
    assert real_type(b"\x00\x01\x02\x03" * 4) is None


def test_a_zip_bomb_named_mimetype_is_never_inflated() -> None:
    """The OpenDocument check reads the `mimetype` member; a hostile zip makes it gigabytes."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w", force_zip64=True) as member,
    ):
        for _ in range(256):  # 256 MiB of zeros, a quarter of a MB compressed
            member.write(chunk)
    content = buffer.getvalue()
    assert len(content) < 1 << 20

    tracemalloc.start()
    try:
        kind = real_type(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert kind == "zip"
    assert peak < 16 * (1 << 20)  # never the 256 MiB it unpacks to
