"""Chat-export helpers: the sample exports, and parsing a text or a zip written on the spot."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from atalaia.connectors.chat_export import ExportedMessage, LineLimits, read_export

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "chat_export"

Parse = Callable[..., list[ExportedMessage]]
MakeZip = Callable[..., Path]


@pytest.fixture
def parse(tmp_path: Path) -> Parse:
    """`parse("03/10/2025 09:45 - Ana: oi\\n")` -> the messages, as `atalaia parse` reads them."""

    def run(
        content: str | bytes,
        *,
        locale: str = "auto",
        name: str = "chat.txt",
        line_limits: LineLimits | None = None,
    ) -> list[ExportedMessage]:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        with read_export(path, locale=locale, line_limits=line_limits) as reader:
            return list(reader.messages())

    return run


@pytest.fixture
def make_zip(tmp_path: Path) -> MakeZip:
    """A zip built from {member name: bytes or text}, deflated like WhatsApp's."""

    def build(members: Mapping[str, str | bytes], *, name: str = "WhatsApp Chat - Vendas.zip") -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member, data in members.items():
                zf.writestr(member, data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return build
