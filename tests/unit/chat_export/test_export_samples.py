"""Every sample export (Android and iOS, eight locales) parses to its reviewed JSON Lines twin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atalaia.connectors.chat_export import read_export
from atalaia.connectors.chat_export.dates import DateOrder
from tests.unit.chat_export.conftest import SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


def test_there_is_a_sample_per_platform_and_locale() -> None:
    names = {path.name for path in SAMPLE_FILES}
    for name in ("ios_pt_BR.txt", "ios_pt_PT.txt", "ios_en_US.txt", "ios_en_GB.txt", "ios_es.txt"):
        assert name in names
    for name in ("ios_de.txt", "ios_fr.txt", "ios_it.txt", "android_pt_PT.txt", "android_en_GB.txt"):
        assert name in names
    for name in ("android_es.txt", "android_de.txt", "android_fr.txt", "android_it.txt"):
        assert name in names
    assert "Conversa do WhatsApp com Vendas SP.txt" in names  # Android pt-BR
    assert "WhatsApp Chat with Team Boston.txt" in names  # Android en-US


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_it_reads_each_sample_exactly_as_reviewed(path: Path) -> None:
    expected = [json.loads(line) for line in path.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()]
    with read_export(path) as reader:
        got = [message.as_json() for message in reader.messages()]
    assert got == expected


@pytest.mark.parametrize(
    ("name", "order", "language", "ios", "twelve_hour"),
    [
        ("Conversa do WhatsApp com Vendas SP.txt", DateOrder.DMY, "pt", False, False),
        ("WhatsApp Chat with Team Boston.txt", DateOrder.MDY, "en", False, True),
        ("android_pt_PT.txt", DateOrder.DMY, "pt", False, False),
        ("android_en_GB.txt", DateOrder.DMY, "en", False, False),
        ("android_es.txt", DateOrder.MDY, "es", False, True),
        ("android_de.txt", DateOrder.DMY, "de", False, False),
        ("android_fr.txt", DateOrder.DMY, "fr", False, False),
        ("android_it.txt", DateOrder.DMY, "it", False, False),
        ("ios_pt_BR.txt", DateOrder.DMY, "pt", True, False),
        ("ios_pt_PT.txt", DateOrder.MDY, "pt", True, False),  # region US: month first, in Portuguese
        ("ios_en_US.txt", DateOrder.MDY, "en", True, True),
        ("ios_en_GB.txt", DateOrder.DMY, "en", True, False),
        ("ios_es.txt", DateOrder.DMY, "es", True, True),
        ("ios_de.txt", DateOrder.DMY, "de", True, False),
        ("ios_fr.txt", DateOrder.DMY, "fr", True, False),
        ("ios_it.txt", DateOrder.DMY, "it", True, False),
    ],
)
def test_it_decides_the_format_of_each_sample(
    name: str, order: DateOrder, language: str, ios: bool, twelve_hour: bool
) -> None:
    with read_export(SAMPLES / name) as reader:
        fmt = reader.format
    assert fmt.order is order
    assert fmt.language == language
    assert fmt.layout.ios is ios
    assert fmt.layout.twelve_hour is twelve_hour


def test_every_kind_and_marker_appears_across_the_samples() -> None:
    kinds: set[str] = set()
    attachments = edited = 0
    for path in SAMPLE_FILES:
        for line in path.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines():
            message = json.loads(line)
            kinds.add(message["kind"])
            attachments += message["attachment"] is not None
            edited += message["edited"]
    assert kinds == {"text", "media", "deleted", "system"}
    assert attachments >= 15
    assert edited >= 13
