"""Number candidates shared by the CPF, credit-card and phone detectors: one regex pass per message.

A *run* is a maximal stretch of digits joined by up to three separators (space, dot, dash,
slash, parentheses). Spaces may separate two different numbers ("CPF 123.456.789-09 21
99999-8888"), so each detector looks at *windows*: consecutive space-separated pieces of a
run. A window never starts or ends in the middle of a piece, which is what keeps a CPF from
being found inside a longer number ("9123.456.789-09", "12345678909123").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, NamedTuple

from atalaia.policies.detectors._text import Span

SEP: Final = "[-\u2010-\u2015. \u00a0]"  # one separator inside a formatted number
# Starts with a digit so that re scans ahead for one in C instead of trying every position;
# a "+" or "(" just before the run is added back by hand. Only runs of 10 digits or more can
# hold a candidate, and the {9,} leaves the shorter ones (dates, amounts) to the regex engine.
_RUN: Final = re.compile(r"[0-9](?:[-\u2010-\u2015 \u00a0./()]{0,3}[0-9]){9,}")
_PIECE: Final = re.compile(r"[^ \u00a0]+")
_NOT_DIGIT: Final = re.compile(r"[^0-9]+")
_DIGITS: Final = b"0123456789"
MIN_WINDOW_DIGITS: Final = 10  # the shortest candidate: a phone number with its area code
MAX_WINDOW_DIGITS: Final = 19  # the longest: a 19-digit card number


class Window(NamedTuple):
    start: int
    end: int
    digits: str


_UPPER: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def count_digits(text: str) -> int:
    """ASCII digits in `text`; the cheap gate before any number regex runs (~0.4 µs)."""
    raw = text.encode("latin-1", "replace")
    return len(raw) - len(raw.translate(None, _DIGITS))


def count_upper(text: str) -> int:
    """ASCII capital letters: with the digits, a bound on what an alphanumeric CNPJ needs (14)."""
    raw = text.encode("latin-1", "replace")
    return len(raw) - len(raw.translate(None, _UPPER))


def number_windows(text: str, *, digits: int | None = None) -> list[Window]:
    """Candidate numbers of 10 to 19 digits, in text order.

    1. Find the runs; split each into space-separated pieces.
    2. A piece without digits ("/", "-") splits the run into groups: "(21) 99999-8888 / 3333-4444".
    3. Each piece is a candidate, and so is each whole group of several pieces
       ("4111 1111 1111 1111", "+55 21 99999-8888"); a part of a group is not, which keeps
       a CPF out of the middle of a card number written in groups.
    4. A piece glued to a letter ("x123...", "...09h") is never part of a candidate.
    `digits` is `count_digits(text)` when the caller already knows it.
    """
    if (count_digits(text) if digits is None else digits) < MIN_WINDOW_DIGITS:
        return []
    windows: list[Window] = []
    size = len(text)
    for run in _RUN.finditer(text):
        run_start, run_end = run.span()
        if run_start > 0 and text[run_start - 1] == "(" and ")" in text[run_start : run_start + 4]:
            run_start -= 1  # "(21) 9999-8888", but not the "(" of "(123.456.789-09)"
        if run_start > 0 and text[run_start - 1] == "+":
            run_start -= 1
        chunk = text[run_start:run_end]
        if " " not in chunk and "\u00a0" not in chunk:  # one piece, the usual case: one candidate at most
            if not ((run_start > 0 and text[run_start - 1].isalnum()) or (run_end < size and text[run_end].isalnum())):
                _add(windows, run_start, run_end, chunk if chunk.isdigit() else _NOT_DIGIT.sub("", chunk))
            continue
        pieces = _pieces(chunk, run_start)
        if run_start > 0 and text[run_start - 1].isalnum():
            pieces[0] = (pieces[0][0], pieces[0][1], "")
        if run_end < size and text[run_end].isalnum():
            pieces[-1] = (pieces[-1][0], pieces[-1][1], "")
        group: list[tuple[int, int, str]] = []
        for piece in [*pieces, (0, 0, "")]:
            if piece[2]:
                group.append(piece)
                continue
            if len(group) > 1:
                _add(windows, group[0][0], group[-1][1], "".join(p[2] for p in group))
            for start, end, number in group:
                _add(windows, start, end, number)
            group = []
    if len(windows) > 1:
        windows.sort()
    return windows


def _add(windows: list[Window], start: int, end: int, digits: str) -> None:
    if MIN_WINDOW_DIGITS <= len(digits) <= MAX_WINDOW_DIGITS:
        windows.append(Window(start, end, digits))


def _pieces(run: str, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each space-separated piece of a run."""
    if " " not in run and "\u00a0" not in run:
        return [(offset, offset + len(run), run if run.isdigit() else _NOT_DIGIT.sub("", run))]
    return [
        (offset + m.start(), offset + m.end(), m.group() if m.group().isdigit() else _NOT_DIGIT.sub("", m.group()))
        for m in _PIECE.finditer(run)
    ]


def pick(
    text: str,
    windows: list[Window],
    *,
    lengths: range | tuple[int, ...],
    shape: re.Pattern[str],
    valid: Callable[[str], bool],
) -> list[Span]:
    """Windows with the right digit count, written in the right shape and valid; longest wins."""
    found = [
        (w.start, w.end)
        for w in windows
        if len(w.digits) in lengths and shape.fullmatch(text, w.start, w.end) and valid(w.digits)
    ]
    return keep_longest(found) if len(found) > 1 else found


def keep_longest(found: list[Span]) -> list[Span]:
    """Overlapping candidates (a group and its pieces): the longest wins, in text order."""
    if len(found) < 2:
        return found
    found.sort(key=lambda span: (span[0], span[0] - span[1]))
    kept: list[Span] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept
