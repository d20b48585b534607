"""One message's lines -> `ExportedMessage`: who wrote it, and which marker (if any) it carries.

1. Author: the header text up to the first ": ". No ": " (Android) means WhatsApp wrote it; so
   does a would-be author that is really a sentence quoting a group name ("Ana changed the
   subject from "A: B""), told by an unbalanced quote or a known system phrase.
2. iOS system lines carry a name (the group's or the contact's) and then U+200E; so do iOS
   markers and a few notices a participant caused (missed call, location, poll), which stay hers.
3. Markers, in order: the edited suffix (removed, `edited=True`); a whole first line that is a
   deletion or media-omitted marker; an attached file (`IMG-... (file attached)`, iOS
   `<attached: ...>`); an iOS "document omitted" line; view-once `null` (and an empty message,
   which is what unsupported or view-once content leaves). What follows a marker on the next
   lines (a caption) stays as `text`.

Most messages carry no marker, so `build` first runs checks that cost one character comparison
or one set lookup, and reaches the slower readers only when one of them says "maybe".
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from atalaia.connectors.chat_export.locales import (
    INVISIBLE_MARKS,
    MARKER_STRIP,
    VIEW_ONCE,
    MarkerSet,
    clean_author,
    drop_marks,
    marker_key,
)
from atalaia.connectors.chat_export.models import ExportedMessage, ExportKind, ParseStats
from atalaia.connectors.chat_export.scan import Build

MAX_AUTHOR_CHARS: Final = 100  # a longer "author" is a sentence, not a name
_CACHE_LIMIT: Final = 4_096
_EDGE: Final = " \t" + INVISIBLE_MARKS
_NAME_EDGE: Final = " \t\u00a0\u202f•" + INVISIBLE_MARKS
_SLOW_FIRST: Final = frozenset("<" + _EDGE)  # a first character that calls for marker_key()
_SLOW_LAST: Final = frozenset(">" + _EDGE)  # a last character that may end a marker ("(...)" aside)
_MARKS: Final = tuple(INVISIBLE_MARKS)
_OLD_IOS_ATTACHED: Final = "<attached>"  # 2015 iOS: "2015-08-04-PHOTO-00004762.jpg <\u200eattached>"

TEXT, MEDIA, DELETED, SYSTEM = ExportKind.TEXT, ExportKind.MEDIA, ExportKind.DELETED, ExportKind.SYSTEM


class _FoldedEnd(dict[str, bool]):
    """Character -> whether its casefolded form ends with one of `ends`, remembered.

    `str.casefold()` folds character by character, so a text's folded form ends as its last
    character's does: one lookup tells whether a text may fold to one of the markers.
    """

    def __init__(self, ends: set[str]) -> None:
        super().__init__()
        self._ends = frozenset(ends)

    def __missing__(self, char: str) -> bool:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        found = self[char] = char.casefold()[-1:] in self._ends
        return found


def _unbalanced(text: str) -> bool:
    """A quote opened and not closed: the split on ": " fell inside a quoted group name."""
    if text.count('"') % 2:
        return True
    opening = text.count("“") + text.count("„") + text.count("«")
    closing = text.count("”") + text.count("»") + (text.count("“") if "„" in text else 0)
    return opening > closing


class Classifier:
    """Builds messages for `scan.scan_batches`; authors are remembered (a chat has few)."""

    def __init__(self, markers: MarkerSet, *, ios: bool, stats: ParseStats) -> None:
        self._m = markers
        self._ios = ios
        self._stats = stats
        self._authors: dict[str, str | None] = {}
        self._doc_words = tuple({suffix.rsplit(" ", 1)[-1] for suffix in markers.document_omitted})
        # Casefolded markers as a plain line may hold them ("Mensagem apagada", "This message
        # was deleted."), for the one-lookup check; anything with "<" or marks takes marker_key().
        self._plain = markers.simple | {key + ".": kind for key, kind in markers.simple.items()}

        self.build: Build[ExportedMessage] = self._fast_build()

    def _fast_build(self) -> Build[ExportedMessage]:
        """The per-message function: a closure over locals, since attribute lookups add up at
        millions of messages; plain text messages (most of them) leave after a few checks."""
        authors = self._authors
        find_author = self._author
        plain = self._plain
        max_simple = self._m.max_simple_len
        doc_words = self._doc_words
        marked = self._marked
        system = self._system
        slow_first, slow_last, ios = _SLOW_FIRST, _SLOW_LAST, self._ios
        # A last character that calls for the checks below: a marker's end, "(... anexado)", and
        # the last letter of "documento omitido" and the like. Others skip them all at once.
        checked_last = slow_last | {")"} | {word[-1] for word in doc_words}
        attached_tails = frozenset(self._m.attached_suffixes)  # "(arquivo anexado)", casefolded
        # Casefolding costs more than the rest of the checks together, so it runs only on a line
        # that may fold to a marker: short enough (folding never shortens) and with a last
        # character that folds to a marker's last one ("?", "!", an emoji never do).
        max_plain = max(map(len, plain))
        plain_end = _FoldedEnd({key[-1] for key in plain})
        simple, lead_marks, marker_strip = self._m.simple, frozenset(INVISIBLE_MARKS), MARKER_STRIP
        new = tuple.__new__  # ExportedMessage(...) minus a Python-level __new__ frame
        message_type = ExportedMessage

        def build(line: int, timestamp: datetime, text: str, truncated: bool) -> ExportedMessage:  # noqa: FBT001
            candidate, colon, rest = text.partition(": ")
            if not colon or "\n" in candidate:  # no ": " on the header line
                head = text.partition("\n")[0]
                if not head.endswith(":"):  # "Franklin:" with the trailing space lost
                    return system(line, timestamp, text, truncated)
                candidate, rest, first = head[:-1], text[len(head) :], ""
            else:
                first = rest.partition("\n")[0] if "\n" in rest else rest
                if ios and "\u200e" in first and first[0] != "\u200e":
                    # iOS writes ": \u200e" after the name on system lines and markers; a group
                    # named "Vendas: SP" puts an earlier ": " before it.
                    cut = len(candidate)
                    mark = text.find(": \u200e", cut + 1, cut + 2 + len(first))
                    if mark >= 0:
                        candidate, rest = text[:mark], text[mark + 2 :]
                        first = rest.partition("\n")[0]
            try:
                author = authors[candidate]
            except KeyError:
                author = find_author(candidate)
            if author is None:
                return system(line, timestamp, text, truncated)
            if first and not truncated:
                end = first[-1]
                if (
                    first[0] not in slow_first
                    and rest[-1] not in slow_last
                    and "\ufffd" not in rest
                    and (
                        len(first) > max_plain
                        or not plain_end[end]
                        or (first.lower() if first.isascii() else first.casefold()) not in plain
                    )  # also view-once "null"
                    and (
                        end not in checked_last
                        or (
                            end not in slow_last
                            and (end != ")" or first[first.rfind("(") :].casefold() not in attached_tails)
                            and not first.endswith(doc_words)
                        )
                    )
                ):
                    return new(message_type, (timestamp, author, rest, TEXT, None, False, False, line))
            has_body = len(first) < len(rest)
            if not has_body and not truncated and first[:1] in lead_marks and len(first) <= max_simple:
                # iOS "\u200eimage omitted", "\u200eThis message was deleted.": one lookup.
                found = simple.get(first.strip(marker_strip).casefold())
                if found is not None:
                    kind = DELETED if found == "deleted" else MEDIA
                    return new(message_type, (timestamp, author, "", kind, None, False, False, line))
            return marked(line, timestamp, author, first, rest, has_body, truncated)

        return build

    def _system(self, line: int, timestamp: datetime, text: str, truncated: bool) -> ExportedMessage:  # noqa: FBT001
        return self._emit(line, timestamp, None, text.strip(_EDGE), SYSTEM, None, False, truncated)

    def _author(self, candidate: str) -> str | None:
        if len(self._authors) >= _CACHE_LIMIT:
            self._authors.clear()
        name: str | None = clean_author(candidate)
        if not name or len(name) > MAX_AUTHOR_CHARS or _unbalanced(name):
            name = None
        else:
            lowered = name.casefold()
            if any(phrase in lowered for phrase in self._m.system_phrases):
                name = None
        self._authors[candidate] = name
        return name

    def _marked(
        self,
        line: int,
        timestamp: datetime,
        author: str,
        first: str,
        text: str,
        has_body: bool,  # noqa: FBT001  # positional on purpose: called once per message
        truncated: bool,  # noqa: FBT001
    ) -> ExportedMessage:
        """The slow path: read every marker; an iOS \u200e-line without one is a system line.

        `text` is the message after the author, `first` its first line."""
        m = self._m
        written = text
        edited = False
        if text.rstrip(_EDGE).endswith(">"):
            found = m.edited_suffix.search(text, max(0, len(text) - 80))
            if found is not None:
                text = text[: found.start()]
                edited = True
        first_line = first if has_body else text
        caption = text[len(first_line) + 1 :] if has_body else ""
        kind = TEXT
        attachment: str | None = None
        if first_line == VIEW_ONCE or not text:
            kind, text = MEDIA, caption
        elif len(first_line) <= m.max_simple_len and (found_kind := self._simple(first_line)):
            kind = DELETED if found_kind == "deleted" else MEDIA
            text = caption
        elif (attached := self._attachment(first_line)) is not None:
            kind, (attachment, around) = MEDIA, attached
            text = "\n".join(part for part in (around, caption) if part)
        elif first_line.endswith(self._doc_words) and (title := self._document(first_line)) is not None:
            kind = MEDIA
            text = "\n".join(part for part in (title, caption) if part)
        elif (
            self._ios
            and first.startswith(_MARKS)
            and not drop_marks(first_line).strip().casefold().startswith(m.authored_notices)
        ):
            return self._system(line, timestamp, written, truncated)  # iOS: a name, then U+200E
        elif first.startswith(_MARKS):
            text = text.lstrip(_EDGE)  # an iOS notice a participant caused: the marks are WhatsApp's
        return self._emit(line, timestamp, author, text, kind, attachment, edited, truncated)

    def _simple(self, first_line: str) -> str | None:
        """The kind ("media" or "deleted") when the whole first line is such a marker."""
        if not first_line:
            return None
        if first_line[0] in _SLOW_FIRST or first_line[-1] in _EDGE:
            return self._m.simple.get(marker_key(first_line))  # marks or "<>" to take off first
        return self._plain.get(first_line.casefold())

    def _attachment(self, first_line: str) -> tuple[str, str] | None:
        """(file name, text around the marker) when the first line names an attached file."""
        m = self._m
        end = first_line.rstrip(_EDGE)
        if end.endswith(")"):
            lowered = end.casefold()
            for suffix in m.attached_suffixes:
                if lowered.endswith(suffix):
                    name = end[: -len(suffix)].strip(_NAME_EDGE)
                    name = name.split(" \u2022 ", 1)[0].strip(_NAME_EDGE)  # "Doc.pdf • 3 páginas"
                    return (name, "") if name else None
        if ">" in end:
            found = m.attached_tag.search(first_line)
            if found is not None:
                name = drop_marks(found.group("name")).strip()
                around = (first_line[: found.start()] + first_line[found.end() :]).strip(_NAME_EDGE)
                return (name, drop_marks(around).strip()) if name else None
            plain = drop_marks(end)
            if plain.endswith(_OLD_IOS_ATTACHED):
                name = plain[: -len(_OLD_IOS_ATTACHED)].strip(_NAME_EDGE)
                return (name, "") if name else None
        return None

    def _document(self, first_line: str) -> str | None:
        """The document title of an iOS "<title> • 3 pages \u200edocument omitted" line."""
        plain = drop_marks(first_line).rstrip()
        lowered = plain.casefold()
        for suffix in self._m.document_omitted:
            if lowered.endswith(suffix):
                return plain[: -len(suffix)].strip(_NAME_EDGE)
        return None

    def _emit(
        self,
        line: int,
        timestamp: datetime,
        author: str | None,
        text: str,
        kind: ExportKind,
        attachment: str | None,
        edited: bool,  # noqa: FBT001  # positional on purpose: called once per message
        truncated: bool,  # noqa: FBT001
    ) -> ExportedMessage:
        stats = self._stats
        if truncated:
            stats.truncated_messages += 1
        if "\ufffd" in text:
            stats.replaced_characters += 1
        return ExportedMessage(timestamp, author, text, kind, attachment, edited, truncated, line)
