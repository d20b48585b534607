"""Big exports stream: memory stays flat however long the file, zipped or not."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

from atalaia.connectors.chat_export import ExportKind, read_export

MiB = 1 << 20


def _write_export(path: Path, messages: int) -> Path:
    """An Android pt-BR export: short and multi-line texts, media, deletions, edits."""
    lines = ["01/01/2024 08:00 - As mensagens e ligações são protegidas com a criptografia de ponta a ponta.\n"]
    for i in range(messages):
        day, minute = 1 + (i // 1440) % 28, i % 1440
        head = f"{day:02d}/{1 + (i // 40320) % 12:02d}/2024 {minute // 60:02d}:{minute % 60:02d} - "
        author = ("Ana Souza", "Bruno Lima", "\u202a+55 21 99999-0000\u202c")[i % 3]
        body = ("proposta enviada, aguardo retorno", "<Mídia oculta>", "linha 1\nlinha 2", "ok <Mensagem editada>")[
            i % 4
        ]
        lines.append(f"{head}{author}: {body}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        with read_export(path) as reader:
            for _ in reader.messages():
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_two_hundred_thousand_messages_stream_through(tmp_path: Path) -> None:
    path = _write_export(tmp_path / "big.txt", 200_000)
    kinds = dict.fromkeys(ExportKind, 0)
    with read_export(path) as reader:
        for message in reader.messages():
            kinds[message.kind] += 1
        assert reader.stats.messages == 200_001
        assert reader.stats.lines == 250_001
    assert kinds == {ExportKind.TEXT: 150_000, ExportKind.MEDIA: 50_000, ExportKind.DELETED: 0, ExportKind.SYSTEM: 1}


def test_memory_does_not_grow_with_the_size_of_the_export(tmp_path: Path) -> None:
    # tracemalloc slows parsing tenfold, so the sizes stay modest; the ratio is what matters.
    small = _peak_bytes(_write_export(tmp_path / "small.txt", 1_500))
    large = _peak_bytes(_write_export(tmp_path / "large.txt", 12_000))
    assert large < 4 * MiB  # the 1 MiB read buffer and its decoded chunk, not the file
    assert large < small + MiB // 2


def test_a_zipped_chat_streams_too(tmp_path: Path) -> None:
    text = _write_export(tmp_path / "chat.txt", 8_000)
    path = tmp_path / "WhatsApp Chat - Vendas.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(text, "_chat.txt")
    assert _peak_bytes(path) < 4 * MiB
