"""Each extractor on a real small file: the text comes out, chosen by the bytes, not the name."""

from __future__ import annotations

import codecs

import pytest

from atalaia.extract import ExtractionStatus, extract_bytes, extract_isolated
from atalaia.extract.plain_text import decode
from tests.attachment_files import docx, need_tesseract, pdf, png, xlsx

CPF = "529.982.247-25"


def test_pdf_text_comes_out_page_by_page_with_its_accents() -> None:
    result = extract_bytes(pdf("Contrato de prestação de serviços", f"CPF do titular: {CPF}"))
    assert (result.status, result.kind, result.truncated) == (ExtractionStatus.DONE, "pdf", False)
    assert "prestação de serviços" in result.text
    assert f"CPF do titular: {CPF}" in result.text


def test_docx_paragraphs_and_tables_come_out_in_order() -> None:
    result = extract_bytes(docx("Proposta comercial", "Cláusula de debênture", table=[["nome", "cpf"], ["Ana", CPF]]))
    assert (result.status, result.kind) == (ExtractionStatus.DONE, "docx")
    assert result.text.index("Proposta comercial") < result.text.index("debênture") < result.text.index("Ana\t" + CPF)


def test_xlsx_rows_become_lines_and_whole_numbers_keep_their_digits() -> None:
    result = extract_bytes(xlsx([["nome", "cpf", "limite"], ["Ana", 52998224725, 1500.5]], title="Clientes"))
    assert (result.status, result.kind) == (ExtractionStatus.DONE, "xlsx")
    assert result.text.splitlines() == ["# Clientes", "nome\tcpf\tlimite", "Ana\t52998224725\t1500.5"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("nome;cpf\nJoão;529.982.247-25\n".encode(), "João"),
        ("nome;cpf\nJoão;529.982.247-25\n".encode("cp1252"), "João"),  # Brazilian Excel's CSV
        (codecs.BOM_UTF8 + "ação".encode(), "ação"),
        (codecs.BOM_UTF16_LE + "reunião".encode("utf-16-le"), "reunião"),
        ("relatório de reunião".encode("utf-16-le"), "relatório"),  # no BOM
    ],
)
def test_plain_text_encodings_are_recognised(data: bytes, expected: str) -> None:
    assert expected in decode(data)


def test_csv_is_read_as_text_with_its_kind() -> None:
    result = extract_bytes(f"nome;cpf\nAna;{CPF}\nBia;111.444.777-35\n".encode("cp1252"))
    assert (result.status, result.kind) == (ExtractionStatus.DONE, "csv")
    assert CPF in result.text


def test_a_file_whose_extension_lies_is_read_by_its_bytes() -> None:
    # The name never reaches the extractor: a PDF sent as "foto.jpg" is still a PDF.
    result = extract_isolated(pdf(f"CPF {CPF}"))
    assert (result.status, result.kind) == (ExtractionStatus.DONE, "pdf")
    assert CPF in result.text


def test_audio_and_unknown_bytes_are_unsupported_without_a_child_process() -> None:
    result = extract_isolated(b"OggS\x00\x02" + bytes(200))
    assert result.status is ExtractionStatus.UNSUPPORTED
    assert "no text extractor" in (result.reason or "")


def test_an_image_is_read_by_ocr_in_portuguese() -> None:
    need_tesseract()
    result = extract_isolated(png("Contrato de prestacao de servicos", f"CPF do cliente: {CPF}"))
    assert (result.status, result.kind) == (ExtractionStatus.DONE, "png")
    assert CPF in result.text
    assert "Contrato" in result.text
