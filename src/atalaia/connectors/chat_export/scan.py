"""Second pass: the chat text cut into messages at the headers of its layout, a chunk at a time.

Reading line by line costs a round of Python per line. Here one `Pattern.split` per chunk of
text cuts it at every header line (a newline, then the header: the regex engine jumps from
newline to newline in C) and hands back, per message, the header's fields and the text up to
the next header, so Python runs once per message, not once per line.

The rules are those of a line-by-line reader (`tests/unit/chat_export/test_export_scan.py`
keeps one and compares them on random texts, chunk sizes and bounds):
- a line starts a message only if it is a header of this layout naming a possible date and time;
- lines before the first header are counted (`preamble_lines`), not attached;
- a line of `max_line_chars` or more is cut there and the rest of it skipped (counted, flagged);
- a message keeps its header line, then each further line while its size stays under
  `max_message_chars` (a line that does not fit is left out and the message flagged).

Memory stays flat: a chunk is at most `max_line_chars` long (so a longer line shows up as a
chunk without a newline), and a message that spans chunks keeps at most `max_message_chars`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Final, Generic, Protocol, TypeVar

from atalaia.connectors.chat_export.dates import DateOrder, HeaderClock, HeaderLayout
from atalaia.connectors.chat_export.lines import LineLimits
from atalaia.connectors.chat_export.models import ParseStats

CHUNK_CHARS: Final = 1 << 14  # some 200 messages: the per-chunk work vanishes, and the chunk stays in cache


class TextSource(Protocol):
    def read(self, size: int, /) -> str: ...


T = TypeVar("T")
# Called once per message: (header line number, local time, text, truncated). The text is the
# rest of the header line ("Ana: oi" or a system sentence), then each continuation line after a
# "\n", as written.
Build = Callable[[int, datetime, str, bool], T]


def scan_batches(
    source: TextSource,
    *,
    layout: HeaderLayout,
    order: DateOrder,
    build: Build[T],
    limits: LineLimits,
    stats: ParseStats,
    chunk_chars: int = CHUNK_CHARS,
) -> Iterator[list[T]]:
    """Every message of the stream, in order, a chunk's worth at a time."""
    scanner = _Scanner(layout, order, build, max_message=limits.max_message_chars)
    try:
        for text, cut in chunks(source.read, max_line=limits.max_line_chars, chunk_chars=chunk_chars):
            batch = scanner.cut_line(text) if cut else scanner.lines(text)
            if batch:
                yield batch
        if scanner.started:
            yield [scanner.close()]
    finally:
        stats.messages += scanner.messages
        stats.lines += scanner.line_count
        stats.preamble_lines += scanner.preamble
        stats.truncated_lines += scanner.cut_lines


def chunks(read: Callable[[int], str], *, max_line: int, chunk_chars: int) -> Iterator[tuple[str, bool]]:
    """The stream as texts that start with a newline (the one ending the line before, or a
    virtual one): complete lines, or (`True`) the first `max_line` characters of a longer line,
    whose rest is skipped. A last line without its newline counts as complete."""
    carry = "\n"  # the newline ending the last complete line, and what followed it
    while True:
        # Never more than max_line characters past a newline: a line without one is too long.
        data = read(min(chunk_chars, max_line + 1 - len(carry)))
        if data:
            text = carry + data
        elif len(carry) == 1:
            return
        else:  # the end: lines left after a cut one, or a last line without its newline
            text = carry if carry[-1] == "\n" else carry + "\n"
        del data
        last = text.rfind("\n")
        if last > 0:
            complete, carry = text[:last], text[last:]
            del text  # not kept next to the pieces of the chunk
            yield complete, False
        elif len(text) <= max_line:
            carry = text
        else:
            yield text, True
            carry = _skip_line(read, min(chunk_chars, max_line))


class _Scanner(Generic[T]):
    """The message being read, across chunks, and the counters of the pass."""

    def __init__(self, layout: HeaderLayout, order: DateOrder, build: Build[T], *, max_message: int) -> None:
        self.pattern = layout.scan_pattern()
        self.clock = HeaderClock(order)
        self.time_first = layout.time_first
        self.build = build
        self.max_message = max_message
        self.messages = self.line_count = self.preamble = self.cut_lines = 0
        self.started = False  # a header was seen: there is a current message
        self.start = 0  # its header line
        self.when = datetime.min  # its time
        self.truncated = False
        self.parts: list[str] = []  # its text read so far, as pieces to join with "\n"
        self.size = 0  # len("\n".join(parts))

    def lines(self, text: str) -> list[T]:
        """The messages that end in these complete lines ("\\n" and lines); the current one is kept.

        The split gives what comes before the first header ("\\n" and lines, or nothing), then
        per header its text as written, its four time fields and the text after it, up to the
        next header line. The loop keeps its state in locals (attributes cost more), and stays a
        Python loop: mapping C over the chunk (times, line numbers) was tried, and cost more.
        """
        pieces = iter(self.pattern.split(text))
        leading = next(pieces)
        clock, build, max_message = self.clock, self.build, self.max_message
        midnights, clocks, seconds, time_of = clock.midnights, clock.clocks, clock.seconds, clock.time
        time_first = self.time_first
        started, start, when, truncated = self.started, self.start, self.when, self.truncated
        parts, size, preamble = self.parts, self.size, self.preamble
        batch: list[T] = []
        if leading and started:
            kept = size
            size = _append(parts, size, leading[1:], max_message)
            truncated = truncated or size - kept < len(leading)
        elif leading:
            preamble += leading.count("\n")
        line = self.line_count + 1 + leading.count("\n")  # the first header's line
        fresh = False  # the current message's header is in this text, and `body` holds its text
        body = ""
        fits = len(text) <= max_message  # then so does every message in it
        for head, a, b, c, d, rest in zip(pieces, pieces, pieces, pieces, pieces, pieces, strict=True):
            if time_first:
                a, b, c, d = d, a, b, c
            try:  # a try costs nothing when it passes
                found: datetime | None = midnights[a] + (clocks[b + d] + seconds[c])
            except KeyError:  # not seen yet, or impossible
                found = time_of(a, b, c, d)
            if found is None:  # an impossible date: a continuation line like any other
                if fresh:
                    body = f"{body}\n{head}{rest}"
                elif started:
                    kept = size
                    size = _append(parts, size, head + rest, max_message)
                    truncated = truncated or size - kept <= len(head) + len(rest)
                else:
                    preamble += rest.count("\n") + 1
                line += rest.count("\n") + 1
                continue
            if fresh:  # most messages: from one header to the next, in this text
                if fits or len(body) <= max_message:
                    batch.append(build(start, when, body, False))
                else:
                    parts = []
                    size = _append(parts, -1, body, max_message)
                    batch.append(build(start, when, "\n".join(parts), size < len(body)))
            elif started:
                batch.append(build(start, when, "\n".join(parts), truncated))
            started = fresh = True
            start, when, body = line, found, rest
            line += rest.count("\n") + 1 if "\n" in rest else 1
        if fresh:  # the current message goes on in the next text, maybe
            parts = []
            size = _append(parts, -1, body, max_message)
            truncated = size < len(body)
        self.started, self.start, self.when, self.truncated = started, start, when, truncated
        self.parts, self.size, self.preamble = parts, size, preamble
        self.line_count = line - 1
        self.messages += len(batch)
        return batch

    def cut_line(self, text: str) -> list[T]:
        """A line cut at the bound ("\\n" and its first characters): a header, or more text."""
        self.line_count += 1
        self.cut_lines += 1
        batch: list[T] = []
        found = None
        m = self.pattern.match(text)
        if m is not None:
            _, a, b, c, d = m.groups()
            found = self.clock.time(d, a, b, c) if self.time_first else self.clock.time(a, b, c, d)
        if m is not None and found is not None:
            if self.started:
                batch.append(self.close())
            self.started, self.start, self.when, self.truncated = True, self.line_count, found, True
            self.parts = [text[m.end() :]]
            self.size = len(self.parts[0])
        elif not self.started:
            self.preamble += 1
        else:
            self.size = _append(self.parts, self.size, text[1:], self.max_message)
            self.truncated = True
        return batch

    def close(self) -> T:
        """The current message, built (a new header or the end of the text follows)."""
        self.messages += 1
        return self.build(self.start, self.when, "\n".join(self.parts), self.truncated)


def _append(parts: list[str], size: int, piece: str, limit: int) -> int:
    """Add `piece` (lines joined by "\\n") to a message's parts; the message's new size.

    `size` -1: the piece opens the message, and its first line (the header's) is kept whole.
    A later line is kept while the size stays under `limit`; one that does not fit is left out,
    which the caller sees as a size that grew less than the piece.
    """
    if size < 0:
        head, newline, piece = piece.partition("\n")
        parts.append(head)
        size = len(head)
        if not newline:
            return size
    if size + len(piece) + 1 <= limit:  # every line fits: the last one's check implies the others'
        parts.append(piece)
        return size + len(piece) + 1
    for line in piece.split("\n"):
        if size + len(line) < limit:
            parts.append(line)
            size += len(line) + 1
    return size


def _skip_line(read: Callable[[int], str], chunk: int) -> str:
    """Read past the end of the line being cut; what follows, from its newline on ("\\n" at the end)."""
    while data := read(chunk):
        newline = data.find("\n")
        if newline >= 0:
            return data[newline:]
    return "\n"
