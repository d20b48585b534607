"""CSV and plain text: the encoding guessed from a bounded prefix, without a detection library.

Only as many bytes as the character cap could need are decoded (4 per character at most). In
order: a byte-order mark; UTF-16 without one (every other byte NUL); strict UTF-8 (a character
cut at the end of the prefix is fine); else Windows-1252, which is what Brazilian Excel and
older systems export, with undefined bytes replaced.
"""

from __future__ import annotations

import codecs
from typing import Final

from atalaia.extract.sink import TextSink

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
SAMPLE: Final = 4096  # bytes looked at to spot BOM-less UTF-16


def decode(data: bytes) -> str:
    """The text of `data`, decoded by the rules above; never raises."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding)
    sample = data[:SAMPLE]
    if len(sample) >= 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) * 0.3 and even == 0:
            return _decode(data, "utf-16-le")
        if even > len(sample) * 0.3 and odd == 0:
            return _decode(data, "utf-16-be")
    try:
        return codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=False)
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _decode(data: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)("replace").decode(data, final=False)


def extract(data: bytes, sink: TextSink) -> None:
    prefix = data[: sink.limits.max_chars * 4]
    text = decode(prefix)
    sink.add(text)
    if len(prefix) < len(data):
        sink.stop(f"cut at {sink.limits.max_chars} characters")
