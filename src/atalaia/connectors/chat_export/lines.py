"""Bounds on lines and messages, and bounded line reading for the first pass.

Memory stays flat whatever the input: lines are read with a bound (a 1 GB line costs 1 MiB) and
a message stops growing at its bound; `scan.scan_batches` applies the same bounds in pass two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, Protocol

MiB: Final = 1 << 20


class LineSource(Protocol):
    def readline(self, size: int = -1, /) -> str: ...


@dataclass(frozen=True, slots=True)
class LineLimits:
    max_line_chars: int = MiB  # longer lines are cut (and the cut flagged)
    max_message_chars: int = MiB  # a message keeps at most this much text


def skip_rest(readline: Callable[[int], str], max_line: int) -> int:
    """Read and drop the rest of a line longer than the bound; 1 (one line was cut)."""
    while (rest := readline(max_line)) and rest[-1] != "\n":
        pass
    return 1


def bounded_lines(source: LineSource, *, max_line_chars: int) -> Iterator[str]:
    """Every line without its newline, cut at the bound (the rest of a long line skipped)."""
    readline = source.readline
    while line := readline(max_line_chars):
        if line[-1] == "\n":
            yield line[:-1]
            continue
        if len(line) >= max_line_chars:
            skip_rest(readline, max_line_chars)
        yield line
