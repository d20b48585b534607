"""The evasion view: a folded message with leetspeak undone and letters that were split apart rejoined.

Built only when some keyword rule says `evasion: true`. Two kinds of separator are deleted:
1. dots, dashes, underscores, asterisks... squeezed between two letters or digits
   ("p.r.o.p.i.n.a", "pro-pina", "p_r_o");
2. the same spaces (or separators with spaces) between three or more single characters
   ("p r o p i n a", "p . r . o").
Where something was deleted the view has a *gap*, and keyword matching counts a gap as a
word boundary: "p r o p i n a e" becomes "propinae", and "propina" must still be found.
Digits become the letters they imitate ("pr0p1na"), which also turns "10.000" into
"iooo": harmless, since only evasion-enabled terms, transformed the same way, are looked up.
"""

from __future__ import annotations

import re
from typing import Final

from atalaia.policies.detectors._text import Folded, Span, delete_spans, fold

_LEET: Final = bytes.maketrans(b"013457@$", b"oieasta" + b"s")
_SEPARATORS: Final = r"[.\-_*\xb7~|]"
_GLUED: Final = re.compile(rf"(?<=[^\W_]){_SEPARATORS}+(?=[^\W_])")
_SPACED: Final = re.compile(  # the same separator all along: "p r o p", "p . r . o"
    rf"(?<![^\W_])[^\W_](?P<gap>(?: |{_SEPARATORS})+)[^\W_](?![^\W_])(?:(?P=gap)[^\W_](?![^\W_]))+"
)
_GAP: Final = re.compile(rf"(?: |{_SEPARATORS})+")


def evasion_view(view: Folded) -> Folded:
    """`view` with leetspeak digits turned into letters and split letters rejoined."""
    text = view.text.encode("latin-1", "replace").translate(_LEET).decode("latin-1")
    leet = Folded(view.original, text, view.index)
    gaps: list[Span] = [m.span() for m in _GLUED.finditer(text)]
    for m in _SPACED.finditer(text):
        gaps.extend((m.start() + g.start(), m.start() + g.end()) for g in _GAP.finditer(m.group()))
    if not gaps:
        return leet
    return delete_spans(leet, _merge(gaps))


def _merge(spans: list[Span]) -> list[Span]:
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def evasion_forms(folded_term: str) -> set[str]:
    """How a folded term looks in the evasion view; a multi-word term also without its spaces."""
    form = evasion_view(fold(folded_term, exact=True)).text
    return {form, form.replace(" ", "")}
