"""The second pass's decoder reads what `io.TextIOWrapper(newline=None)` reads, a bounded piece at a time."""

from __future__ import annotations

import io
import random

import pytest

from atalaia.connectors.chat_export.decoding import TextChunks

PIECES = ["a", "ç", "€", "😀", "\r", "\n", "\r\n", "\r\r\n", "\n\r", " ", "\ufeff", "\u200e"]
BAD = [b"\xff", b"\xe2\x82", b"\xc3", b"\xf0\x9f\x98"]  # an invalid byte, and sequences cut short


def _wrapper(data: bytes, encoding: str) -> str:
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline=None).read()


def _chunks(data: bytes, encoding: str, rng: random.Random) -> str:
    reader = TextChunks(io.BytesIO(data), encoding)
    out: list[str] = []
    while True:
        size = rng.choice([1, 2, 3, 5, 8, 64, 4096])
        text = reader.read(size)
        assert len(text) <= size
        if not text:
            assert reader.read(10) == ""  # the end stays the end
            return "".join(out)
        out.append(text)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_it_decodes_and_folds_newlines_as_the_text_wrapper(encoding: str) -> None:
    rng = random.Random(f"decode:{encoding}")
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60)))
        data = text.encode(encoding)
        if encoding.startswith("utf-8") and rng.random() < 0.3:
            cut = rng.randint(0, len(data))
            data = data[:cut] + rng.choice(BAD) + data[cut:]
        assert _chunks(data, encoding, rng) == _wrapper(data, encoding), data


def test_a_crlf_split_between_blocks_is_one_newline() -> None:
    reader = TextChunks(io.BytesIO(b"a\r\nb\r\n\nc"), "utf-8")
    assert [reader.read(2) for _ in range(6)] == ["a\n", "b", "\n", "\nc", "", ""]  # "\r" + "\nb": one newline
