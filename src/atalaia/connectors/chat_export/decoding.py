"""The chat text for the second pass, decoded a block at a time.

`io.TextIOWrapper` spends about half its time on what this pass never uses: the bookkeeping
that makes `tell()` work and a newline decoder that runs even when the text has no "\\r". Here a
block of bytes goes through the encoding's incremental decoder (bad bytes become U+FFFD), and
"\\r\\n" and a lone "\\r" become "\\n" only in a block that holds a "\\r", which is what
`TextIOWrapper(newline=None)` reads too (`tests/unit/chat_export/test_export_decoding.py`).
"""

from __future__ import annotations

import codecs
import io


class TextChunks:
    """`read(size)`: at most `size` characters (an empty string at the end), newlines as "\\n"."""

    def __init__(self, stream: io.BufferedIOBase, encoding: str) -> None:
        self._stream = stream  # read1(): one read of the raw stream at most, no 1 MiB copy
        self._decode = codecs.getincrementaldecoder(encoding)(errors="replace").decode
        self._after_cr = False  # the last block ended with "\r": a "\n" opening the next is its pair
        self._left = ""  # decoded beyond what the last read asked for (invalid bytes at a border)
        self._done = False

    def read(self, size: int) -> str:
        while True:
            if self._left:
                text, self._left = self._left[:size], self._left[size:]
                return text
            if self._done:
                return ""
            data = self._stream.read1(size)
            self._done = not data
            text = self._decode(data, self._done)
            if self._after_cr and text[:1] == "\n":
                text = text[1:]
                self._after_cr = False
            if text:
                self._after_cr = text[-1] == "\r"
                if "\r" in text:
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                if len(text) > size:
                    text, self._left = text[:size], text[size:]
                return text

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> TextChunks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
