"""Folding: one lower-case, accent-free view of a message, with offsets back to the original.

Every keyword, allowlist and (by default) regex match runs on this view, so it is built once
per message and must be cheap: a 90-character message costs ~0.5 µs through the Latin-1
`bytes.translate` path, against ~10 µs through `str.translate`. Offsets stay 1:1 with the
original unless characters are deleted (combining accents, zero-width marks, repeated
spaces, evasion separators); then `Folded.index` maps each view position back.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from typing import Final

Span = tuple[int, int]

PLACEHOLDER: Final = "\x1a"  # stands for a symbol or emoji: never a word character, never in a term
_ZERO_WIDTH: Final = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_WHITESPACE: Final = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_PUNCTUATION: Final = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    "\u2026": ".",
    "\u2022": "*",
}


def _fold_char(ch: str) -> str:
    """The one-character folded form of `ch`, or `ch` lower-cased when no such form exists."""
    if ch in _WHITESPACE:
        return " "
    if ch in _PUNCTUATION:
        return _PUNCTUATION[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    special = {"ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "ħ": "h", "Ħ": "h"}
    base = special.get(ch, base).lower()
    if len(base) == 1 and (base.isascii() or base == ch.lower()):
        return base
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else ch


def _build_tables() -> tuple[bytes, dict[str, str], dict[int, str]]:
    latin1 = bytes(ord(_fold_char(chr(i))) if ord(_fold_char(chr(i))) < 256 else i for i in range(256))
    wide: dict[str, str] = {}  # chars above U+00FF that fold into Latin-1
    for cp in range(0x100, 0x250):
        folded = _fold_char(chr(cp))
        if ord(folded) < 256:
            wide[chr(cp)] = folded
    for ch in _WHITESPACE + "".join(_PUNCTUATION):
        if ord(ch) > 0xFF:
            wide[ch] = _fold_char(ch)
    exact = {i: _fold_char(chr(i)) for i in range(0x250) if _fold_char(chr(i)) != chr(i)}
    exact.update({ord(ch): out for ch, out in wide.items()})
    return latin1, wide, exact


_LATIN1_FOLD, _WIDE_FOLD, _EXACT_FOLD = _build_tables()
# The fast fold, then every byte that is not a letter or digit as a space; the deletable marks
# of Latin-1 (the soft hyphen) go, as `fold` deletes them.
_WORDS_OF_FOLD: Final = bytes(b if chr(b).isalnum() else 0x20 for b in _LATIN1_FOLD)
_LATIN1_DELETED: Final = bytes(ord(c) for c in _ZERO_WIDTH if ord(c) < 0x100)
_DELETABLE: Final = re.compile(f"[\u0300-\u036f{_ZERO_WIDTH}]+| +(?= )")
_HANDLER: Final = "atalaia.policies.fold"
_handler_ready = False


class _NeedsExactFold(Exception):
    """A letter outside Latin-1, a combining accent or a zero-width mark: the slow path keeps them right."""


def _fold_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        folded = _WIDE_FOLD.get(ch)
        if folded is None:
            if ch.isalnum() or ch in _ZERO_WIDTH or unicodedata.combining(ch):
                raise _NeedsExactFold
            folded = PLACEHOLDER
        out.append(folded)
    return "".join(out), exc.end


def _ensure_handler() -> None:
    """Registered on first use, not at import, so importing a detector changes nothing global."""
    global _handler_ready
    if not _handler_ready:
        codecs.register_error(_HANDLER, _fold_errors)
        _handler_ready = True


class Folded:
    """A view of `original`: `text[i]` comes from `original[index[i]]` (`index` None: same offsets).

    When characters were deleted from a folded text (`base`), the index is built on first use
    only: most messages have no hit, so most never need it.
    """

    __slots__ = ("_base", "_index", "original", "text")

    def __init__(self, original: str, text: str, index: list[int] | None, *, base: str | None = None) -> None:
        self.original = original
        self.text = text
        self._index = index
        self._base = base

    @property
    def index(self) -> list[int] | None:
        if self._base is not None:
            self._index = delete_spans(Folded(self.original, self._base, None), _deletable(self._base))._index
            self._base = None
        return self._index

    def to_original(self, start: int, end: int) -> Span:
        """Map a view span back; a span ending on a deleted accent or mark keeps it."""
        index = self.index
        if index is None:
            return start, end
        if start >= end:
            pos = index[start] if start < len(index) else len(self.original)
            return pos, pos
        orig_start = index[start]
        orig_end = index[end - 1] + 1
        original = self.original
        while orig_end < len(original) and (
            unicodedata.combining(original[orig_end]) or original[orig_end] in _ZERO_WIDTH
        ):
            orig_end += 1
        return orig_start, orig_end

    def original_offset(self, pos: int) -> int:
        return pos if self.index is None else self.index[pos]


def fold_text(text: str, *, exact: bool = False) -> str:
    """Lower-case, accent-free, same length as `text`; symbols become PLACEHOLDER unless `exact`."""
    if not exact:
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            _ensure_handler()
            try:
                raw = text.encode("latin-1", _HANDLER)
            except _NeedsExactFold:
                pass
            else:
                return raw.translate(_LATIN1_FOLD).decode("latin-1")
        else:
            return raw.translate(_LATIN1_FOLD).decode("latin-1")
    folded = text.translate(_EXACT_FOLD)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


def folded_words(text: str) -> list[bytes] | None:
    """The words of `fold(text).text` (runs of letters and digits) as Latin-1 bytes, without the view.

    ~0.6 µs, so a caller can tell that no keyword can occur before paying for the view; None when
    the text is not Latin-1 (only `fold` knows then).
    """
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return raw.translate(_WORDS_OF_FOLD, _LATIN1_DELETED).split()


def folded_bytes(text: str) -> bytes | None:
    """`fold(text).text` as Latin-1 bytes but for repeated spaces (kept), without the view; None if not Latin-1."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return raw.translate(_LATIN1_FOLD, _LATIN1_DELETED)


def fold(text: str, *, exact: bool = False) -> Folded:
    """The matching view of a message: folded, with accents and invisible marks removed."""
    folded = fold_text(text, exact=exact)
    if "  " not in folded and (folded.isascii() or not _needs_deletion(text)):
        return Folded(text, folded, None)
    if folded.isascii():  # only spaces to squeeze: str.replace is ~3 times faster than a regex here
        squeezed = folded.replace("  ", " ")
        while "  " in squeezed:  # three spaces or more
            squeezed = squeezed.replace("  ", " ")
        return Folded(text, squeezed, None, base=folded)
    return Folded(text, _DELETABLE.sub("", folded), None, base=folded)


def _needs_deletion(text: str) -> bool:
    return _DELETABLE.search(text) is not None


def _deletable(folded: str) -> list[Span]:
    return [m.span() for m in _DELETABLE.finditer(folded)]


def delete_spans(view: Folded, spans: list[Span]) -> Folded:
    """A new view of the same original without the characters in `spans` (sorted, disjoint)."""
    if not spans:
        return view
    pieces: list[str] = []
    index: list[int] = []
    old_index = view.index
    pos = 0
    for start, end in spans:
        pieces.append(view.text[pos:start])
        index.extend(range(pos, start) if old_index is None else old_index[pos:start])
        pos = end
    pieces.append(view.text[pos:])
    index.extend(range(pos, len(view.text)) if old_index is None else old_index[pos:])
    return Folded(view.original, "".join(pieces), index)


def fold_term(term: str) -> str:
    """A keyword or allowlist phrase as it appears in folded text: folded, spaces squeezed."""
    return " ".join(fold(term, exact=True).text.split())


def needs_exact_fold(term: str) -> bool:
    """True when the fast fold would blur `term` (emoji, non-Latin letters): use the exact path."""
    return any(ord(c) > 0xFF and c not in _WIDE_FOLD for c in term)


def is_word_char(ch: str) -> bool:
    """A letter or digit. `_`, `*`, `~` are WhatsApp formatting marks, so they bound words."""
    return ch.isalnum()


def word_starts(text: str) -> list[int]:
    return [m.start() for m in _WORD.finditer(text)]


def word_number(starts: list[int], pos: int) -> int:
    """The 0-based number of the word containing (or preceding) offset `pos`."""
    return bisect_right(starts, pos) - 1


_WORD: Final = re.compile(r"[^\W_]+")
