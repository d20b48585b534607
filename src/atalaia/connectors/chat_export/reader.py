"""Two passes over one export: decide its format from the whole file, then stream its messages.

1. First pass (`ExportReader.format`): every line goes through `LayoutSniffer` until the layout
   is clear and the date order proven (or the file ends); markers vote for a language.
2. Second pass (`ExportReader.messages()`): the one strict header pattern of that layout splits
   the stream into messages, a chunk at a time (`scan.scan_batches`), and `Classifier` reads
   authors and markers. Nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Final

from atalaia.connectors.chat_export.archive import (
    DEFAULT_LIMITS,
    READ_ERRORS,
    ExportSource,
    MediaStore,
    Progress,
    ZipLimits,
    open_export,
)
from atalaia.connectors.chat_export.classify import Classifier
from atalaia.connectors.chat_export.dates import DateOrder, HeaderLayout, LayoutSniffer
from atalaia.connectors.chat_export.errors import ExportError
from atalaia.connectors.chat_export.lines import LineLimits, bounded_lines
from atalaia.connectors.chat_export.locales import LanguageVote, LocaleHint, markers_for, resolve_locale
from atalaia.connectors.chat_export.models import ExportedMessage, ParseStats
from atalaia.connectors.chat_export.scan import scan_batches

VOTE_SAMPLE: Final = 2_000  # messages whose text votes for a language


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """What the first pass decided about one export."""

    layout: HeaderLayout
    order: DateOrder
    order_source: str  # "file" (proven by a field > 12), "locale" (the hint), or "default"
    language: str | None  # forced by --locale, or the language the markers voted for
    locale: str  # "auto" or the forced tag

    def describe(self) -> str:
        order = {DateOrder.DMY: "dia/mês", DateOrder.MDY: "mês/dia", DateOrder.YMD: "ano/mês/dia"}[self.order]
        source = {"file": "pelo arquivo", "locale": "pelo idioma", "default": "padrão"}[self.order_source]
        return f"{self.layout.describe()}, {order} ({source}), idioma {self.language or '?'}"


class ExportReader:
    """Reads one opened export; `messages()` may be iterated more than once."""

    def __init__(self, source: ExportSource, *, locale: str = "auto", limits: LineLimits | None = None) -> None:
        self.source = source
        self._hint: LocaleHint | None = resolve_locale(locale)
        self._limits = limits or LineLimits()
        self._format: ExportFormat | None = None
        self.stats = ParseStats()

    @property
    def media(self) -> MediaStore:
        return self.source.media

    @property
    def chat_name(self) -> str | None:
        return self.source.chat_name

    @property
    def format(self) -> ExportFormat:
        if self._format is None:
            self._format = self._sniff()
        return self._format

    def _sniff(self) -> ExportFormat:
        sniffer = LayoutSniffer()
        vote = LanguageVote()
        try:
            with self.source.open_text() as stream:
                for line in bounded_lines(stream, max_line_chars=self._limits.max_line_chars):
                    rest = sniffer.feed(line)
                    if rest is not None and sniffer.headers <= VOTE_SAMPLE:
                        cut = rest.find(": ")
                        vote.feed(rest[cut + 2 :] if cut >= 0 else rest)
                    if sniffer.done:
                        break
        except READ_ERRORS as exc:
            raise ExportError(f"erro ao ler {self._name}: {exc}") from None
        layout = sniffer.layout
        if layout is None:
            raise ExportError(
                f"nenhuma mensagem encontrada em {self._name}: não parece uma conversa exportada do WhatsApp"
            )
        hint = self._hint
        language = hint.language.code if hint else vote.winner()
        order = sniffer.order(layout)
        source = "file"
        if order is None and hint is not None:
            order, source = (DateOrder.MDY if hint.month_first else DateOrder.DMY), "locale"
        elif order is None and language == "en" and layout.twelve_hour:
            order, source = DateOrder.MDY, "locale"  # English on a 12-hour clock: a US phone
        elif order is None:
            order, source = DateOrder.DMY, "default"  # Atalaia is Brazil-first
        return ExportFormat(
            layout=layout, order=order, order_source=source, language=language, locale=hint.tag if hint else "auto"
        )

    @property
    def _name(self) -> str:
        return self.source.member or self.source.path.name

    def messages(self, *, progress: Progress | None = None) -> Iterator[ExportedMessage]:
        """Every message in file order; `stats` counts this iteration (nothing runs before the first)."""
        return chain.from_iterable(self._batches(progress))

    def _batches(self, progress: Progress | None) -> Iterator[list[ExportedMessage]]:
        """The messages a chunk at a time: `chain` hands them on one by one, in C."""
        fmt = self.format
        stats = self.stats = ParseStats()
        markers = markers_for((self._hint.language.code,) if self._hint else ())
        classifier = Classifier(markers, ios=fmt.layout.ios, stats=stats)
        try:
            with self.source.open_chunks(progress=progress) as stream:
                for batch in scan_batches(
                    stream,
                    layout=fmt.layout,
                    order=fmt.order,
                    build=classifier.build,
                    limits=self._limits,
                    stats=stats,
                ):
                    yield batch
                    del batch  # not kept while the next chunk is read
        except READ_ERRORS as exc:
            raise ExportError(f"erro ao ler {self._name}: {exc}") from None


@contextmanager
def read_export(
    path: str | Path,
    *,
    locale: str = "auto",
    zip_limits: ZipLimits = DEFAULT_LIMITS,
    line_limits: LineLimits | None = None,
) -> Iterator[ExportReader]:
    """Open an export (`.txt` or `.zip`) and read it; the zip stays open inside the block."""
    resolve_locale(locale)  # a bad --locale fails before the file is touched
    with open_export(path, limits=zip_limits) as source:
        yield ExportReader(source, locale=locale, limits=line_limits)
