"""Where a query's words are in a text: offsets for the console, a bracketed snippet for the CLI.

Done here, in Python, for both databases, so that SQLite and PostgreSQL highlight the same way
and the console gets raw text plus offsets it can escape itself (no engine-made HTML).
A word matches a query word when their folded forms are equal, when their stems are equal
(not for prefixes), or, for a prefix, when it starts with it; a phrase matches a run of
consecutive words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from atalaia.search._query import ParsedQuery, Term
from atalaia.search._text import WORD, fold, stem_key

SNIPPET_CHARS: Final = 160
SNIPPET_LEAD: Final = 50  # characters of context kept before the first match
MAX_SCANNED_CHARS: Final = 100_000  # same bound as the index
OPEN: Final = "["
CLOSE: Final = "]"
_SPACES: Final = re.compile(r"\s+")

Span = tuple[int, int]


def _word_matches(word: str, term: Term, index: int) -> bool:
    folded = fold(word)
    wanted = term.folded[index]
    if term.prefix and index == len(term.words) - 1:
        return folded.startswith(wanted)
    return folded == wanted or stem_key(word) == term.stems[index]


def find_spans(text: str, terms: Sequence[Term]) -> list[Span]:
    """Sorted, merged (start, end) offsets of every match of `terms` in `text`."""
    found = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text[:MAX_SCANNED_CHARS])]
    spans: list[Span] = []
    for term in terms:
        size = len(term.words)
        for i in range(len(found) - size + 1):
            if all(_word_matches(found[i + j][2], term, j) for j in range(size)):
                spans.append((found[i][0], found[i + size - 1][1]))
    spans.sort()
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(query: ParsedQuery, text: str) -> list[Span]:
    return find_spans(text, query.positive)


def snippet(text: str, spans: Sequence[Span], *, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters around the first match, matches in [brackets], spaces collapsed."""
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        start = max(0, spans[0][0] - SNIPPET_LEAD)
        if start:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= max(0, start - 15) else start
        end = max(min(len(text), start + width), spans[0][1])
    parts: list[str] = ["…"] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts += [text[cursor:span_start], OPEN, text[span_start:span_end], CLOSE]
        cursor = span_end
    parts.append(text[cursor:end])
    if end < len(text):
        parts.append("…")
    return _SPACES.sub(" ", "".join(parts)).strip()
