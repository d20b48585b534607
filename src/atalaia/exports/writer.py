"""What every format's writer receives and must do; the service drives them all the same way.

The service calls `begin_conversation`, then `write` once per batch (in time order), then
`end_conversation`, for each conversation with something to export, and finally `close`. A
writer puts its files under `ctx.root` and its scratch files under `ctx.scratch` (deleted
afterwards); every file left under `root` is listed in the manifest with its SHA-256.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from atalaia.exports.attachments import AttachmentSource
from atalaia.exports.checkpoint import CheckpointCut
from atalaia.exports.model import ExportConversation, ExportMessage


@dataclass(frozen=True, slots=True)
class ExportContext:
    root: Path  # the export folder being written
    scratch: Path  # temporary files, outside the export
    tenant_slug: str
    tenant_name: str
    generator: str  # "Atalaia 0.1.0"
    checkpoint: CheckpointCut
    attachments: AttachmentSource


class ExportWriter(Protocol):
    def begin_conversation(self, conversation: ExportConversation) -> None: ...

    def write(self, messages: Sequence[ExportMessage]) -> None: ...

    def end_conversation(self) -> None: ...

    def close(self) -> None: ...
