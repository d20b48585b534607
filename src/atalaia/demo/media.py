"""Tiny stand-ins for WhatsApp media, each starting with its format's real magic bytes.

A few hundred bytes each, so a million-message demo stays small, yet libmagic, the file-type
policy and text extraction see a JPEG, an Ogg/Opus voice note, an MP4, a PDF with text, or an
XLSX whose sheet holds (fake but valid) personal data. `tag` makes each file's hash unique,
as every real photo is.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from typing import Final

JPEG_MIME: Final = "image/jpeg"
OPUS_MIME: Final = "audio/ogg; codecs=opus"
MP4_MIME: Final = "video/mp4"
WEBP_MIME: Final = "image/webp"
PDF_MIME: Final = "application/pdf"
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A 1x1 grey baseline JPEG: one-code Huffman tables, a scan of bits "00" padded with ones.
_JPEG_HEAD: Final = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
_JPEG_BODY: Final = (
    b"\xff\xdb\x00\x43\x00" + b"\x01" * 64  # quantisation table 0, all ones
    + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"  # SOF0: 8-bit, 1x1, one component
    + b"\xff\xc4\x00\x14\x00\x01" + b"\x00" * 15 + b"\x00"  # DC table 0: one 1-bit code for 0
    + b"\xff\xc4\x00\x14\x10\x01" + b"\x00" * 15 + b"\x00"  # AC table 0: one 1-bit code for EOB
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"  # SOS
    + b"\x3f\xff\xd9"  # scan data, EOI
)  # fmt: skip
# The smallest lossless WebP (1x1), the shape of a sticker file.
_WEBP: Final = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
_OPUS_HEAD: Final = b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"  # v1, mono, 48 kHz
_XLSX_FILES: Final = (
    (
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    (
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>",
    ),
    (
        "xl/workbook.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Planilha1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    (
        "xl/_rels/workbook.xml.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        "</Relationships>",
    ),
)


def jpeg(tag: bytes) -> bytes:
    """A JPEG whose comment segment (FF FE) carries `tag`."""
    comment = tag[:200]
    return _JPEG_HEAD + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + _JPEG_BODY


def webp() -> bytes:
    return _WEBP


def opus(tag: bytes) -> bytes:
    """An Ogg page with the OpusHead packet, then a page of `tag` as if it were audio."""
    serial = int.from_bytes(tag[-4:].rjust(4, b"\x00"), "big")
    return _ogg_page(_OPUS_HEAD, serial=serial, sequence=0, flags=2) + _ogg_page(
        b"OpusTags\x05\x00\x00\x00demo\x00\x00\x00\x00" + tag[:200], serial=serial, sequence=1, flags=0
    )


def _ogg_page(packet: bytes, *, serial: int, sequence: int, flags: int) -> bytes:
    # The CRC field is left zero: decoders would reject the page, format sniffers do not look.
    return (
        b"OggS\x00"
        + bytes([flags])
        + b"\x00" * 8
        + struct.pack("<III", serial, sequence, 0)
        + bytes([1, len(packet)])
        + packet
    )


def mp4(tag: bytes) -> bytes:
    """An ISO base media file: an `ftyp` box, then `tag` in a `free` box."""
    ftyp = b"ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    free = tag[:200]
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", len(free) + 8) + b"free" + free


def _pdf_text(text: str) -> bytes:
    # WinAnsi covers Portuguese; PDF strings need (, ) and \ escaped.
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF 1.4 with `lines` as real text, so extraction and search find them."""
    shown = b" T* ".join(b"(" + _pdf_text(line) + b") Tj" for line in lines)
    stream = b"BT /F1 11 Tf 14 TL 56 780 Td " + shown + b" ET"
    objects = (
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(stream), stream),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def xlsx(rows: Sequence[Sequence[str]], *, when: tuple[int, int, int, int, int, int]) -> bytes:
    """A minimal Office Open XML workbook: one sheet of inline strings.

    `when` is the zip entries' timestamp; fixing it keeps the bytes identical run after run.
    Entries are deflated, which keeps a small sheet near a kilobyte.
    """
    cells = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{_xml_escape(v)}</t></is></c>' for c, v in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (*_XLSX_FILES, ("xl/worksheets/sheet1.xml", sheet)):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()
