"""The chunked scanner cuts a text exactly as a plain line-by-line reader would.

`reference` below is that reader (one `readline`, one header match and one timestamp per line):
random texts, chunk sizes and bounds must give the same messages, line numbers, flags and
counters through both. Chunk sizes down to one character put every boundary everywhere.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import datetime

import pytest

from atalaia.connectors.chat_export import LineLimits
from atalaia.connectors.chat_export.dates import DateOrder, HeaderClock, HeaderLayout, LayoutSniffer, timestamp_reader
from atalaia.connectors.chat_export.models import ParseStats
from atalaia.connectors.chat_export.scan import scan_batches
from tests.unit.chat_export.conftest import Parse

Message = tuple[int, datetime, str, bool]
Counters = tuple[int, int, int, int]  # lines, messages, preamble lines, cut lines
LRM = "\u200e"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def reference(text: str, layout: HeaderLayout, order: DateOrder, limits: LineLimits) -> tuple[list[Message], Counters]:
    """Line by line: a line starts a message when it matches the header and names a real time."""
    header, timestamp = layout.compile(), timestamp_reader(layout, order)
    readline = io.StringIO(text).readline
    max_line, max_message = limits.max_line_chars, limits.max_message_chars
    found: list[Message] = []
    lines = preamble = cut = 0
    start, when, head, body, size, truncated = 0, None, "", list[str](), 0, False

    def skip_rest() -> None:
        while (rest := readline(max_line)) and rest[-1] != "\n":
            pass

    while line := readline(max_line):
        lines += 1
        long = line[-1] != "\n" and len(line) >= max_line
        line = line.removesuffix("\n")
        m = header.match(line)
        stamp = timestamp(m.groups()) if m else None
        if m is not None and stamp is not None:
            if when is not None:
                found.append((start, when, "\n".join((head, *body)), truncated))
            start, when, head, body, truncated = lines, stamp, line[m.end() :], [], long
            size = len(head)
        elif when is None:
            preamble += 1
        elif size + len(line) < max_message:
            body.append(line)
            size += len(line) + 1
            truncated = truncated or long
        else:
            truncated = True
        if long:
            cut += 1
            skip_rest()
    if when is not None:
        found.append((start, when, "\n".join((head, *body)), truncated))
    return found, (lines, len(found), preamble, cut)


def scanned(
    text: str, layout: HeaderLayout, order: DateOrder, limits: LineLimits, chunk_chars: int
) -> tuple[list[Message], Counters]:
    stats = ParseStats()
    batches = scan_batches(
        io.StringIO(text),
        layout=layout,
        order=order,
        build=lambda *fields: fields,
        limits=limits,
        stats=stats,
        chunk_chars=chunk_chars,
    )
    found = [message for batch in batches for message in batch]
    return found, (stats.lines, stats.messages, stats.preamble_lines, stats.truncated_lines)


def layout_of(line: str) -> HeaderLayout:
    sniffer = LayoutSniffer()
    sniffer.feed(line)
    assert sniffer.layout is not None
    return sniffer.layout


# A sample header per layout, and how to write one: (day, month, year, hour, minute, second, pm).
Writer = Callable[[int, int, int, int, int, int, bool], str]
LAYOUTS: dict[str, tuple[str, Writer]] = {
    "android": (
        "31/12/2024 23:59 - Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"{d:02d}/{mo:02d}/{y} {h:02d}:{mi:02d} - ",
    ),
    "ios": (
        "[31/12/2024, 23:59:59] Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"[{d:02d}/{mo:02d}/{y}, {h:02d}:{mi:02d}:{s:02d}] ",
    ),
    "android_12h": (
        "12/31/24, 11:59\u202fPM - Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"{mo}/{d}/{y % 100:02d}, {h}:{mi:02d}\u202f{'PM' if pm else 'AM'} - ",
    ),
    "ios_es_12h": (
        "[31/12/24, 11:59:59 p. m.] Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"[{d}/{mo}/{y % 100:02d}, {h}:{mi:02d}:{s:02d} {'p. m.' if pm else 'a. m.'}] ",
    ),
    "ios_time_first": (
        "[23:59:59, 31/12/24] Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"[{h:02d}:{mi:02d}:{s:02d}, {d}/{mo}/{y % 100:02d}] ",
    ),
    "ios_old": (
        "31.12.24 23.59.59: Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"{d:02d}.{mo:02d}.{y % 100:02d} {h:02d}.{mi:02d}.{s:02d}: ",
    ),
    "finnish": (
        "31.12.2024 klo 23.59.59 - Ana: oi",
        lambda d, mo, y, h, mi, s, pm: f"{d}.{mo}.{y} klo {h:02d}.{mi:02d}.{s:02d} - ",
    ),
}
WORDS = ("oi", "Preço: R$ 10", "tudo bem?", "👍", "", "   ", "Ana: não é um cabeçalho", "fim.", "\u202a+55 21 99\u202c")


def random_header(rng: random.Random, write: Writer, *, possible: bool) -> str:
    twelve = rng.random() < 0.5
    if possible:
        fields = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2030))
        clock = (rng.randint(1, 12) if twelve else rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    else:  # an impossible day, month, hour, minute or second (all written with the right digits)
        fields = rng.choice([(31, 2, 2023), (30, 2, 2024), (12, 13, 2023), (0, 5, 2023), (29, 2, 2023)])
        clock = rng.choice([(24, 0, 0), (13, 5, 0), (23, 60, 0), (10, 99, 5), (10, 5, 60), (10, 5, 99)])
        if rng.random() < 0.5:
            fields = (rng.randint(1, 28), rng.randint(1, 12), 2024)
        else:
            clock = (rng.randint(1, 12), 30, 30)
    written = write(*fields, *clock, rng.random() < 0.5)
    if rng.random() < 0.1:
        written = written.translate(ARABIC_DIGITS)  # \d and int() read Arabic-Indic digits too
    return (LRM if rng.random() < 0.2 else "") + written


def random_text(rng: random.Random, layout: str) -> str:
    write = LAYOUTS[layout][1]
    other = LAYOUTS["ios" if layout == "android" else "android"][1]
    lines: list[str] = []
    for _ in range(rng.randint(0, 40)):
        roll = rng.random()
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 4)))
        if roll < 0.45:
            lines.append(random_header(rng, write, possible=True) + rng.choice(("Ana: ", "Bruno: ", "")) + words)
        elif roll < 0.55:
            lines.append(random_header(rng, write, possible=False) + "Cliente: " + words)
        elif roll < 0.6:
            lines.append(random_header(rng, other, possible=True) + "Cliente: colado")
        elif roll < 0.7:
            lines.append("")
        elif roll < 0.75:
            lines.append("x" * rng.randint(20, 400))
        else:
            lines.append(words)
    return "\n".join(lines) + rng.choice(("\n", "", "\n\n"))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_scanner_cuts_random_texts_as_a_line_reader_does(layout: str) -> None:
    rng = random.Random(f"scan:{layout}")
    shape = layout_of(LAYOUTS[layout][0])
    for _ in range(150):
        text = random_text(rng, layout)
        order = rng.choice([DateOrder.DMY, DateOrder.MDY])
        limits = LineLimits(
            max_line_chars=rng.choice([12, 30, 45, 200, 1 << 20]),
            max_message_chars=rng.choice([1, 20, 60, 300, 1 << 20]),
        )
        chunk = rng.choice([1, 2, 3, 7, 16, 61, 500, 1 << 14])
        expected = reference(text, shape, order, limits)
        assert scanned(text, shape, order, limits, chunk) == expected, (text, limits, chunk)


def test_a_message_across_many_chunks_keeps_every_line() -> None:
    shape = layout_of(LAYOUTS["ios"][0])
    body = "\n".join(f"linha {i}" for i in range(300))
    text = f"[01/03/2024, 10:00:00] Ana: {body}\n[01/03/2024, 10:00:01] Bruno: ok\n"
    (first, second), counters = scanned(text, shape, DateOrder.DMY, LineLimits(), chunk_chars=64)
    assert first == (1, datetime(2024, 3, 1, 10, 0), f"Ana: {body}", False)
    assert second == (301, datetime(2024, 3, 1, 10, 0, 1), "Bruno: ok", False)
    assert counters == (301, 2, 0, 0)


@pytest.mark.parametrize("chunk", [1, 5, 23, 24, 25, 1 << 14])
def test_an_impossible_date_on_a_chunk_boundary_joins_the_message_before(chunk: int) -> None:
    shape = layout_of(LAYOUTS["android"][0])
    text = "01/03/2024 10:00 - Ana: a\n31/02/2024 10:00 - Ana: b\n01/03/2024 10:01 - Ana: c\n"
    found, _ = scanned(text, shape, DateOrder.DMY, LineLimits(), chunk)
    assert [message[2] for message in found] == ["Ana: a\n31/02/2024 10:00 - Ana: b", "Ana: c"]
    assert [message[0] for message in found] == [1, 3]


def test_an_impossible_date_before_the_first_header_is_preamble() -> None:
    shape = layout_of(LAYOUTS["android"][0])
    found, counters = scanned(
        "31/02/2024 10:00 - Ana: x\n\n01/03/2024 10:00 - Ana: a\n", shape, DateOrder.DMY, LineLimits(), 8
    )
    assert found == [(3, datetime(2024, 3, 1, 10, 0), "Ana: a", False)]
    assert counters == (3, 1, 2, 0)


def test_parsing_a_message_across_chunks_through_the_reader(parse: Parse) -> None:
    lines = "\n".join(f"continuação {i} 😀" for i in range(5_000))  # ~100,000 characters: several chunks
    messages = parse(f"[01/03/2024, 10:00:00] Ana: início\n{lines}\n[01/03/2024, 10:00:01] Ana: fim\n")
    assert [m.text for m in messages] == [f"início\n{lines}", "fim"]
    assert [m.line for m in messages] == [1, 5_002]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_header_clock_reads_what_the_plain_timestamp_reader_reads(layout: str) -> None:
    sample, write = LAYOUTS[layout]
    shape = layout_of(sample)
    plain, scan = shape.compile(), shape.scan_pattern()
    rng = random.Random(f"clock:{layout}")
    for order in (DateOrder.DMY, DateOrder.MDY):
        read, clock = timestamp_reader(shape, order), HeaderClock(order)
        for _ in range(400):
            header = random_header(rng, write, possible=rng.random() < 0.6)
            expected = plain.match(header)
            found = scan.match("\n" + header)
            assert (expected is None) == (found is None), header
            if expected is None or found is None:
                continue
            _, a, b, c, d = found.groups()
            date, hm, second, ampm = (d, a, b, c) if shape.time_first else (a, b, c, d)
            assert clock.time(date, hm, second, ampm) == read(expected.groups()), header


def test_the_header_clock_remembers_only_possible_parts() -> None:
    clock = HeaderClock(DateOrder.DMY)
    assert clock.time("31/02/2024", "10:00", "", "") is None
    assert clock.time("29/02/2024", "24:00", "", "") is None
    assert clock.time("29/02/2024", "23:59", "60", "") is None
    assert clock.time("29/02/2024", "12:05", "07", "AM") == datetime(2024, 2, 29, 0, 5, 7)
    assert "31/02/2024" not in clock.midnights
    assert "24:00" not in clock.clocks
    assert "60" not in clock.seconds
    assert clock.midnights["29/02/2024"] == datetime(2024, 2, 29)
