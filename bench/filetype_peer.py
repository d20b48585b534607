"""File type by content: Atalaia's detector (libmagic, refined) against bare libmagic and `filetype`.

The question is whether a pure-Python detector (`filetype`, no libmagic) could replace
python-magic: on the types policies name and the traps that matter (an APK is a zip; a .doc
is an OLE2 compound file whose Word stream may sit anywhere). Every sample is built here, in
memory, so nothing is read from disk or the network. Run: `python bench/filetype_peer.py`.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from atalaia.policies.detectors.file_type import real_type, type_of_mime

SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
WORD_CLSID = bytes.fromhex("0609020000000000c000000000000046")  # {00020906-0000-0000-C000-000000000046}


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    expected: str  # Atalaia's spelling of the type
    content: bytes


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _entry(
    name: str, kind: int, *, child: int = NO_STREAM, start: int = END, size: int = 0, clsid: bytes = b""
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB3I", len(encoded), kind, 1, NO_STREAM, NO_STREAM, child)
        + clsid.ljust(16, b"\0")
        + struct.pack("<I16xIII", 0, start, size, 0)
    )


def ole_word(*, stream_first: bool) -> bytes:
    """A minimal, well-formed OLE2 (CFB v3) file holding a `WordDocument` stream that starts with
    Word's FIB magic (0xA5EC). `stream_first`: the stream in sector 0, as Word often (not always)
    writes it; otherwise the directory comes first."""
    stream = (b"\xec\xa5\xc1\x00" + b"\0" * 28).ljust(8 * SECTOR, b"\0")  # 8 sectors: no mini stream
    stream_start, directory_sector = (0, 8) if stream_first else (1, 0)
    fat_sector = 9
    directory = (
        _entry("Root Entry", 5, child=1, clsid=WORD_CLSID)
        + _entry("WordDocument", 2, start=stream_start, size=len(stream))
        + _entry("", 0)
        + _entry("", 0)
    )
    fat = [FREE] * (SECTOR // 4)
    for i in range(8):
        fat[stream_start + i] = stream_start + i + 1 if i < 7 else END
    fat[directory_sector] = END
    fat[fat_sector] = FAT_SECTOR
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH6xIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, directory_sector)
        + struct.pack("<IIIIII", 0, 0x1000, END, 0, END, 0)
        + struct.pack("<I", fat_sector)
        + struct.pack("<108I", *([FREE] * 108))
    )
    sectors = [stream[i : i + SECTOR] for i in range(0, len(stream), SECTOR)]
    body = [directory, *sectors] if not stream_first else [*sectors, directory]
    body.append(struct.pack(f"<{SECTOR // 4}I", *fat))
    return header + b"".join(body)


def samples() -> list[Sample]:
    manifest = b"Manifest-Version: 1.0\r\n\r\n"
    return [
        Sample("plain zip", "zip", zip_of({"notas.txt": b"ola\n", "fotos/a.txt": b"x"})),
        Sample(
            "APK",
            "apk",
            zip_of(
                {
                    "AndroidManifest.xml": b"\x03\x00\x08\x00",
                    "classes.dex": b"dex\n035\0",
                    "META-INF/MANIFEST.MF": manifest,
                }
            ),
        ),
        Sample("JAR", "jar", zip_of({"META-INF/MANIFEST.MF": manifest, "a/B.class": b"\xca\xfe\xba\xbe"})),
        Sample("DOCX", "docx", zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})),
        Sample("XLSX", "xlsx", zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})),
        Sample(".doc, Word stream in sector 0", "doc", ole_word(stream_first=True)),
        Sample(".doc, directory in sector 0", "doc", ole_word(stream_first=False)),
    ]


def _libmagic(content: bytes) -> str | None:
    import magic

    return type_of_mime(magic.from_buffer(content[:8192], mime=True))


def _filetype(content: bytes) -> str | None:
    import filetype  # type: ignore[import-untyped, unused-ignore]

    kind = filetype.guess(content)
    return None if kind is None else str(kind.extension)


def _agrees(expected: str, got: str | None) -> bool:
    return got == expected or (expected == "doc" and got == "ole")  # bare libmagic may say just "OLE2"


def compare(repeat: int = 200) -> None:
    detectors: list[tuple[str, Callable[[bytes], str | None]]] = [("atalaia", real_type)]
    peers: list[tuple[str, Callable[[bytes], str | None]]] = [("libmagic", _libmagic), ("filetype", _filetype)]
    for name, detector in peers:
        try:
            detector(b"PK\x03\x04")
        except ImportError as exc:
            print(f"  {name}: not installed ({exc.name}); skipped")
            continue
        detectors.append((name, detector))
    cases = samples()
    print(f"  {'sample':<32}" + "".join(f"{name:>12}" for name, _ in detectors))
    right = dict.fromkeys((name for name, _ in detectors), 0)
    for case in cases:
        row = f"  {case.name:<32}"
        for name, detector in detectors:
            got = detector(case.content)
            right[name] += _agrees(case.expected, got)
            row += f"{(got or '-') + ('' if _agrees(case.expected, got) else ' ✗'):>12}"
        print(row)
    speed = ""
    for _name, timed_detector in detectors:
        started = time.process_time()
        for _ in range(repeat):
            for case in cases:
                timed_detector(case.content)
        micros = (time.process_time() - started) / (repeat * len(cases)) * 1e6
        speed += f"{micros:>10.0f}µs"
    print(f"  {'right':<32}" + "".join(f"{right[name]:>10}/{len(cases)}" for name, _ in detectors))
    print(f"  {'time per file':<32}{speed}")


if __name__ == "__main__":
    compare()
