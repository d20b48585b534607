"""Streaming tokenizer: a text stream in, one message per header of the decided layout out.

Memory stays flat whatever the input: lines are read with a bound (a 1 GB line costs 1 MiB),
a message stops growing at its bound, and nothing but the current message is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol, TypeVar

from atalaia.connectors.chat_export.dates import TimestampReader
from atalaia.connectors.chat_export.models import ParseStats

MiB: Final = 1 << 20


class LineSource(Protocol):
    def readline(self, size: int = -1, /) -> str: ...


@dataclass(frozen=True, slots=True)
class LineLimits:
    max_line_chars: int = MiB  # longer lines are cut (and the cut flagged)
    max_message_chars: int = MiB  # a message keeps at most this much text


T = TypeVar("T")
# Called once per message: (header line number, local time, rest of the header line, continuation
# lines, truncated). The rest is "Ana: text" or a system sentence; continuations are as written.
Build = Callable[[int, datetime, str, list[str], bool], T]


def iter_messages(
    source: LineSource,
    *,
    header: re.Pattern[str],
    timestamp: TimestampReader,
    build: Build[T],
    limits: LineLimits,
    stats: ParseStats,
) -> Iterator[T]:
    """Group lines into messages: a line starts one only if it is a valid header of this layout.

    A line that looks like a header but does not match the layout, or names an impossible date,
    is kept as a continuation line: nothing is dropped except preamble lines (counted).
    """
    readline = source.readline
    match = header.match
    max_line, max_message = limits.max_line_chars, limits.max_message_chars
    line_no = preamble = cut_lines = messages = 0
    start = 0
    when: datetime | None = None
    head = ""
    body: list[str] = []
    size = 0
    truncated = False
    try:
        while line := readline(max_line):
            line_no += 1
            m = match(line)
            if m is not None and (found := timestamp(m.groups())) is not None:
                if when is not None:
                    messages += 1
                    yield build(start, when, head, body, truncated)
                start, when, truncated = line_no, found, False
                if line[-1] == "\n":
                    head = line[m.end() : -1]
                else:
                    head = line[m.end() :]
                    if len(line) >= max_line:
                        truncated = True
                        cut_lines += skip_rest(readline, max_line)
                body = []
                size = len(head)
                continue
            if line[-1] == "\n":
                line = line[:-1]
            elif len(line) >= max_line:
                truncated = truncated or when is not None
                cut_lines += skip_rest(readline, max_line)
            if when is None:
                preamble += 1
            elif size + len(line) < max_message:
                body.append(line)
                size += len(line) + 1
            else:
                truncated = True
        if when is not None:
            messages += 1
            yield build(start, when, head, body, truncated)
    finally:
        stats.messages += messages
        stats.lines += line_no
        stats.preamble_lines += preamble
        stats.truncated_lines += cut_lines


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
