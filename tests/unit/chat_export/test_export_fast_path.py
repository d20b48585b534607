"""The classifier's shortcuts for plain messages agree with the plain chain of checks.

`Classifier.build` skips its marker checks when the last character says no marker can end the
line, and casefolds only lines that may fold to a marker. `chain` below runs every check in
order, as the classifier did before those shortcuts; random messages made of markers in every
case, marks, brackets, parentheses and look-alikes must come out the same through both.
"""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from atalaia.connectors.chat_export.classify import _SLOW_FIRST, _SLOW_LAST, Classifier, _FoldedEnd
from atalaia.connectors.chat_export.locales import INVISIBLE_MARKS, LANGUAGES, MARKER_STRIP, VIEW_ONCE, markers_for
from atalaia.connectors.chat_export.models import ExportedMessage, ExportKind, ParseStats

WHEN = datetime(2024, 3, 1, 14, 5)
LRM = "\u200e"


def chain(classifier: Classifier, line: int, text: str, truncated: bool) -> ExportedMessage:
    """Every check in order: author, then the plain-text test, then the marker readers."""
    head, newline, tail = text.partition("\n")
    body = tail.split("\n") if newline else []
    cut = head.find(": ")
    if cut >= 0:
        candidate, first = head[:cut], head[cut + 2 :]
        if classifier._ios and LRM in first and first[0] != LRM:
            mark = head.find(": " + LRM)
            if mark > cut:
                candidate, first = head[:mark], head[mark + 2 :]
    elif head.endswith(":"):
        candidate, first = head[:-1], ""
    else:
        return classifier._system(line, WHEN, text, truncated)
    author = classifier._author(candidate)
    if author is None:
        return classifier._system(line, WHEN, text, truncated)
    rest = "\n".join((first, *body))
    markers = classifier._m
    if (
        first
        and first[0] not in _SLOW_FIRST
        and first[-1] not in _SLOW_LAST
        and rest[-1] not in _SLOW_LAST
        and (first[-1] != ")" or first[first.rfind("(") :].casefold() not in frozenset(markers.attached_suffixes))
        and (len(first) > markers.max_simple_len or first.casefold() not in classifier._plain)
        and first != VIEW_ONCE
        and not first.endswith(classifier._doc_words)
        and not truncated
        and "\ufffd" not in rest
    ):
        return ExportedMessage(WHEN, author, rest, ExportKind.TEXT, None, False, False, line)
    if not body and not truncated and first[:1] in INVISIBLE_MARKS and len(first) <= markers.max_simple_len:
        found = markers.simple.get(first.strip(MARKER_STRIP).casefold())
        if found is not None:
            kind = ExportKind.DELETED if found == "deleted" else ExportKind.MEDIA
            return ExportedMessage(WHEN, author, "", kind, None, False, False, line)
    return classifier._marked(line, WHEN, author, first, rest, bool(body), truncated)


def _vocabulary() -> list[str]:
    words = ["ok", "Bom dia!", "null", "NULL", "Null", "kkk", "👍", "Straße", "ﬁ", "Ǆ", "ΣΑΣ", "\ufffd", "", " "]
    for lang in LANGUAGES.values():
        for marker in (*lang.media_omitted, *lang.deleted, *lang.document_omitted, *lang.edited):
            words += [marker, marker.upper(), marker.title(), f"<{marker}>", f"{LRM}{marker}", f"{marker}."]
        for suffix in lang.attached_suffixes:
            words += [f"IMG-1.jpg {suffix}", f"IMG-1.jpg {suffix.upper()}", f"doc (1) {suffix}", f"(x) {suffix}"]
        words += [f"<{tag}: 00000012-PHOTO.jpg>" for tag in lang.attached_tags]
    return [*words, "(arquivo anexado", "fim (ok)", "a > b", "<b>", "Relatório.pdf • 3 páginas documento omitido"]


@pytest.mark.parametrize("ios", [False, True])
@pytest.mark.parametrize("locale", [(), ("pt",), ("en",), ("de",)])
def test_the_shortcuts_agree_with_every_check_in_order(ios: bool, locale: tuple[str, ...]) -> None:
    markers = markers_for(locale)
    fast = Classifier(markers, ios=ios, stats=ParseStats())
    slow = Classifier(markers, ios=ios, stats=ParseStats())
    words = _vocabulary()
    rng = random.Random(f"fast:{ios}:{locale}")
    authors = ["Ana", "\u202a+55 21 99999-0000\u202c", "Vendas: SP", "Ana mudou o assunto"]
    for line in range(6_000):
        text = " ".join(rng.choice(words) for _ in range(rng.choice([1, 1, 1, 2, 3])))
        if rng.random() < 0.15:
            text += "\n" + rng.choice(words)
        if rng.random() < 0.1:
            text = (LRM if rng.random() < 0.5 else " ") + text
        if rng.random() < 0.1:
            text += rng.choice([LRM, " ", ".", ")", ">"])
        author = rng.choice(authors)
        sep = rng.choice([": ", ": ", ": ", ": " + LRM, ":", " "])
        whole = f"{author}{sep}{text}"
        truncated = rng.random() < 0.05
        assert tuple(fast.build(line, WHEN, whole, truncated)) == tuple(chain(slow, line, whole, truncated)), whole


@pytest.mark.parametrize(
    ("ends", "char", "expected"),
    [
        ({"a"}, "A", True),  # "MENSAGEM APAGADA" folds to a marker
        ({"a"}, "?", False),
        ({"s"}, "ß", True),  # folds to "ss"
        ({"i"}, "ﬁ", True),  # folds to "fi"
        ({"f"}, "ﬁ", False),
        ({"σ"}, "Σ", True),
        ({"σ"}, "ς", True),  # final sigma folds to σ
        ({"."}, "😀", False),
    ],
)
def test_a_last_character_tells_whether_a_line_may_fold_to_a_marker(ends: set[str], char: str, expected: bool) -> None:
    assert _FoldedEnd(ends)[char] is expected


def test_casefolding_works_character_by_character_as_the_shortcut_assumes() -> None:
    for text in ["Straße", "ﬁnal", "ΣΑΣ", "İstanbul", "Ǆ", "MENSAGEM APAGADA", "ŉ", "ﬃ"]:
        assert text.casefold() == "".join(char.casefold() for char in text)
        assert text.casefold()[-1] == text[-1].casefold()[-1]
