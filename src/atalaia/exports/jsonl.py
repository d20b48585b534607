"""JSON Lines: one message per line, each with its edits, deletion, reactions, statuses and files.

The faithful format: every text exactly as archived (UTF-8; control characters and the Unicode
line separators escaped), attachments beside it under `attachments/`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from atalaia.exports.attachments import AttachmentFolder
from atalaia.exports.model import ExportConversation, ExportMessage
from atalaia.exports.records import message_record
from atalaia.exports.writer import ExportContext

FILE_NAME: Final = "events.jsonl"
# Line breaks JSON leaves raw but `str.splitlines()` and some readers honour: escaped, so one
# message is always exactly one line.
_LINE_BREAKS: Final = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _one_line(text: str) -> str:
    for raw, escaped in _LINE_BREAKS:
        if raw in text:  # rare: str.replace is fast, str.translate with a dict is not
            text = text.replace(raw, escaped)
    return text


class JsonLinesWriter:
    def __init__(self, ctx: ExportContext) -> None:
        self._folder = AttachmentFolder(ctx.root, ctx.attachments)
        self._file = (ctx.root / FILE_NAME).open("w", encoding="utf-8", newline="\n")
        self._conversation: ExportConversation | None = None

    def begin_conversation(self, conversation: ExportConversation) -> None:
        self._conversation = conversation

    def write(self, messages: Sequence[ExportMessage]) -> None:
        assert self._conversation is not None
        for message in messages:
            placed = [self._folder.place(a, message_id=message.id) for a in message.attachments]
            record = message_record(message, self._conversation, placed)
            self._file.write(_one_line(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) + "\n")

    def end_conversation(self) -> None:
        self._conversation = None

    def close(self) -> None:
        self._file.close()
