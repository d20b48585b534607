"""Media stand-ins: tiny, yet each is what its name and MIME type say, down to the magic bytes."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from atalaia.demo import media
from atalaia.domain.enums import MessageKind
from tests.unit.demo.demo_run import Run

MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "audio/ogg; codecs=opus": (b"OggS",),
    "video/mp4": (b"\x00\x00\x00",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}
NAMES = {
    MessageKind.IMAGE: r"IMG-\d{8}-WA\d{4}\.jpg",
    MessageKind.AUDIO: r"PTT-\d{8}-WA\d{4}\.opus",
    MessageKind.VIDEO: r"VID-\d{8}-WA\d{4}\.mp4",
    MessageKind.STICKER: r"STK-\d{8}-WA\d{4}\.webp",
    MessageKind.DOCUMENT: r"[\w-]+\.(pdf|xlsx)",
}


def test_every_attachment_starts_with_its_formats_magic_bytes(run: Run) -> None:
    seen = set()
    for _line, message in run.messages:
        for attachment in message.attachments:
            assert attachment.content is not None
            assert attachment.mime_type in MAGIC
            assert attachment.content.startswith(MAGIC[attachment.mime_type]), attachment.file_name
            assert attachment.sha256 == hashlib.sha256(attachment.content).hexdigest()
            assert len(attachment.content) < 4096
            assert attachment.file_name
            assert re.fullmatch(NAMES[message.kind], attachment.file_name), attachment.file_name
            assert attachment.caption == message.text
            seen.add(attachment.mime_type)
    assert {"image/jpeg", "audio/ogg; codecs=opus", "application/pdf"} <= seen


def test_each_format_is_recognisable_beyond_its_first_bytes() -> None:
    assert media.mp4(b"x")[4:12] == b"ftypisom"
    assert media.webp()[8:12] == b"WEBP"
    assert b"OpusHead" in media.opus(b"tag")[:64]
    jpeg = media.jpeg(b"tag")
    assert jpeg.endswith(b"\xff\xd9")
    assert b"JFIF\x00" in jpeg[:20]


def test_a_pdfs_cross_reference_table_points_at_its_objects() -> None:
    pdf = media.pdf(["Proposta comercial nº 123", "Cliente: João (Padaria)"])
    offsets = [int(x) for x in re.findall(rb"(\d{10}) 00000 n", pdf)]
    assert [pdf[o:].split(b" ", 1)[0] for o in offsets] == [b"1", b"2", b"3", b"4", b"5"]
    startxref = int(re.findall(rb"startxref\n(\d+)", pdf)[0])
    assert pdf[startxref:].startswith(b"xref")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_a_spreadsheet_is_an_office_workbook_and_identical_each_time() -> None:
    rows = [["Nome", "CPF"], ["Ana & Cia", "529.982.247-25"]]
    first = media.xlsx(rows, when=(2024, 3, 1, 9, 30, 0))
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.namelist()[0] == "[Content_Types].xml"
    assert "xl/workbook.xml" in archive.namelist()
    assert "Ana &amp; Cia" in archive.read("xl/worksheets/sheet1.xml").decode()
    assert media.xlsx(rows, when=(2024, 3, 1, 9, 30, 0)) == first


def test_photos_differ_so_the_blob_store_keeps_each(run: Run) -> None:
    photos = [a.sha256 for _line, m in run.messages for a in m.attachments if a.mime_type == "image/jpeg"]
    assert len(photos) > 20
    assert len(set(photos)) == len(photos)
