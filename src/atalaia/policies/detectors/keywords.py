"""Keyword lists: every term of every keyword rule in one Aho-Corasick automaton, one pass per message.

Terms and text are folded the same way (case, accents, spaces; see `_text`), so "Propína"
finds "propina". A *word* match needs a word boundary on each side that starts or ends with
a letter or digit; a *prefix* match needs one at the start and runs to the end of the word;
a *substring* match needs none. Rules with `evasion: true` are looked up a second time in the
evasion view (`_evasion`). Rules with `within: N` report one hit per stretch of text where all
their terms occur with at most N other words between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import ahocorasick  # type: ignore[import-not-found, unused-ignore]

from atalaia.domain.policy import KeywordMatch
from atalaia.policies.detectors._evasion import evasion_forms, evasion_view
from atalaia.policies.detectors._text import (
    Folded,
    Span,
    fold,
    fold_term,
    folded_words,
    needs_exact_fold,
    word_number,
    word_starts,
)

_WORD: Final = 0
_PREFIX: Final = 1
_SUBSTRING: Final = 2
_MODES: Final = {KeywordMatch.WORD: _WORD, KeywordMatch.PREFIX: _PREFIX, KeywordMatch.SUBSTRING: _SUBSTRING}
_WHOLE_WORDS: Final = re.compile(r"[^\W_]+(?: [^\W_]+)*")  # letters and digits, single spaces between words
_WORD_BYTES: Final = bytes(b if chr(b).isalnum() else 0x20 for b in range(256))  # Latin-1: the rest is a space

# (rule slot, term number, length in the view, mode, needs boundary before, needs boundary after)
_Entry = tuple[int, int, int, int, bool, bool]
_Occurrence = tuple[int, int, int]  # original start, original end, term number


@dataclass(frozen=True, slots=True)
class KeywordRule:
    key: int  # the caller's handle for this rule; results are keyed by it
    terms: tuple[str, ...]
    match: KeywordMatch = KeywordMatch.WORD
    within: int | None = None
    evasion: bool = False


class KeywordMatcher:
    """Compiled once per policy set; `find` is then safe to call from any number of threads."""

    def __init__(self, rules: Iterable[KeywordRule]) -> None:
        self._rules = tuple(rules)
        self.exact = any(needs_exact_fold(t) for rule in self._rules for t in rule.terms)
        plain: dict[str, list[_Entry]] = {}
        evasive: dict[str, list[_Entry]] = {}
        for slot, rule in enumerate(self._rules):
            mode = _MODES[rule.match]
            for number, term in enumerate(rule.terms):
                folded = fold_term(term)
                if not folded:
                    raise ValueError(f"empty keyword term {term!r}")
                _add(plain, folded, slot, number, mode)
                if rule.evasion:
                    for form in evasion_forms(folded):
                        _add(evasive, form, slot, number, mode)
        self._plain = _automaton(plain)
        self._evasive = _automaton(evasive) if evasive else None
        self._gate = _gate_words(plain)

    def find(self, text: str) -> dict[int, list[Span]]:
        """Spans in `text` per rule key, for the rules that matched."""
        return self.find_in(fold(text, exact=self.exact))

    def may_match(self, text: str) -> bool:
        """False only when no term can occur in `text` once folded: the caller may skip folding it."""
        if self._gate is None or self._evasive is not None or self.exact:
            return True
        words = folded_words(text)
        return words is None or not self._gate.isdisjoint(words)

    def find_in(self, view: Folded) -> dict[int, list[Span]]:
        """Like `find`, on a view already folded with `exact=self.exact`.

        The gate runs again on the view: `may_match` cannot tell for a text outside Latin-1 (emoji),
        whose view usually is Latin-1.
        """
        found: dict[int, list[_Occurrence]] = {}
        if self._plain is not None and (self._gate is None or _has_gate_word(self._gate, view.text)):
            _scan(self._plain, view, found, gaps=False)
        if self._evasive is not None:
            _scan(self._evasive, evasion_view(view), found, gaps=True)
        result: dict[int, list[Span]] = {}
        for slot, occurrences in found.items():
            rule = self._rules[slot]
            if rule.within is None:
                spans = sorted({(start, end) for start, end, _ in occurrences})
            else:
                spans = _near(sorted(set(occurrences)), terms=len(rule.terms), within=rule.within, text=view.original)
            if spans:
                result[rule.key] = spans
        return result


def _add(table: dict[str, list[_Entry]], term: str, slot: int, number: int, mode: int) -> None:
    entry = (slot, number, len(term), mode, term[0].isalnum(), term[-1].isalnum())
    entries = table.setdefault(term, [])
    if entry not in entries:
        entries.append(entry)


def _gate_words(table: dict[str, list[_Entry]]) -> frozenset[bytes] | None:
    """One word of every term, when every term is whole words in `word` mode (else None: no gate).

    Each word of such a term is a whole word wherever the term occurs (a boundary or a single
    space on each side), so a message without any of these words cannot hold a term and skips
    the automaton: splitting the Latin-1 view on non-alphanumerics costs ~1 µs, the automaton
    ~17 ns a character plus the hit checks. The longest word is kept, the last of equals:
    "por fora" and "nota fria" are gated by "fora" and "fria", not by words of every other message.
    """
    words: set[bytes] = set()
    for term, entries in table.items():
        if not _WHOLE_WORDS.fullmatch(term) or any(entry[3] != _WORD for entry in entries):
            return None
        try:
            words.add(max(reversed(term.split(" ")), key=len).encode("latin-1"))  # a tie: the last word
        except UnicodeEncodeError:
            return None
    return frozenset(words) if words else None


def _has_gate_word(gate: frozenset[bytes], text: str) -> bool:
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:  # a view kept letters of another script: let the automaton decide
        return True
    return not gate.isdisjoint(raw.translate(_WORD_BYTES).split())


def _automaton(table: dict[str, list[_Entry]]) -> ahocorasick.Automaton | None:
    if not table:
        return None
    automaton = ahocorasick.Automaton()
    for term, entries in table.items():
        automaton.add_word(term, tuple(entries))
    automaton.make_automaton()
    return automaton


def _scan(automaton: ahocorasick.Automaton, view: Folded, found: dict[int, list[_Occurrence]], *, gaps: bool) -> None:
    """Add each term occurrence that respects its rule's mode; with `gaps`, a deleted gap is a boundary."""
    text = view.text
    size = len(text)
    index = view.index if gaps else None
    for last, entries in automaton.iter(text):
        end = last + 1
        for slot, number, length, mode, bound_before, bound_after in entries:
            start = end - length
            if (
                bound_before
                and mode != _SUBSTRING
                and start > 0
                and text[start - 1].isalnum()
                and not (index is not None and index[start] - index[start - 1] > 1)
            ):
                continue
            stop = end
            if mode == _WORD:
                if (
                    bound_after
                    and end < size
                    and text[end].isalnum()
                    and not (index is not None and index[end] - index[end - 1] > 1)
                ):
                    continue
            elif mode == _PREFIX:
                while stop < size and text[stop].isalnum():
                    stop += 1
            original_start, original_end = view.to_original(start, stop)
            found.setdefault(slot, []).append((original_start, original_end, number))


def _near(occurrences: list[_Occurrence], *, terms: int, within: int, text: str) -> list[Span]:
    """Stretches holding every term with at most `within` other words between them, left to right.

    1. Slide a window over the occurrences in text order until it holds every term.
    2. Drop occurrences from its left while the window still holds every term.
    3. Count the words in the window that belong to no occurrence; if they are few enough,
       report the window and start afresh after it; otherwise drop its leftmost occurrence.
    """
    starts = word_starts(text)
    words = [(word_number(starts, s), word_number(starts, e - 1)) for s, e, _ in occurrences]
    counts = [0] * terms
    have = 0
    left = 0
    spans: list[Span] = []
    for right in range(len(occurrences)):
        term = occurrences[right][2]
        counts[term] += 1
        have += counts[term] == 1
        while have == terms:
            while counts[occurrences[left][2]] > 1:
                counts[occurrences[left][2]] -= 1
                left += 1
            window = range(left, right + 1)
            first = min(words[i][0] for i in window)
            last = max(words[i][1] for i in window)
            covered = {w for i in window for w in range(words[i][0], words[i][1] + 1)}
            if (last - first + 1) - len(covered) <= within:
                spans.append((occurrences[left][0], max(occurrences[i][1] for i in window)))
                counts = [0] * terms
                have = 0
                left = right + 1
                break
            counts[occurrences[left][2]] -= 1
            have -= 1
            left += 1
    return spans
