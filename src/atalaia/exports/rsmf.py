"""RSMF (Relativity Short Message Format 2.0.0): one `.rsmf` file per conversation.

Each file is an e-mail (`rsmf_eml`) whose only attachment, `rsmf.zip`, holds the attachment files
(named by SHA-256) and `rsmf_manifest.json` (`rsmf_events`). While a conversation is read, events
are spooled to a scratch file and attachments go straight into the zip (a zip can have one entry
open at a time, so the manifest is written last, from the spool); the text body is spooled too.
A conversation larger than `SLICE_EVENTS` events or `SLICE_BYTES` of attachments is cut into
parts (`conversation-12.rsmf`, `conversation-12-part-002.rsmf`) that share one
`eventcollectionid`, as RSMF 2.0 intends, keeping each file well under Relativity's 2 GB limit
and every in-memory set bounded.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Final

from atalaia.exports.attachments import stored_name
from atalaia.exports.model import ExportConversation, ExportMessage, Party
from atalaia.exports.records import utc_iso
from atalaia.exports.rsmf_eml import write_rsmf
from atalaia.exports.rsmf_events import VERSION, conversation_entry, event_entry, participant_entry, referenced_parties
from atalaia.exports.rsmf_preview import message_text, preamble
from atalaia.exports.writer import ExportContext

MANIFEST_NAME: Final = "rsmf_manifest.json"
SLICE_EVENTS: Final = 50_000
SLICE_BYTES: Final = 1024**3  # attachment bytes per file
APPLICATION: Final = "WhatsApp"


@dataclass
class _Slice:
    """One .rsmf file being assembled."""

    conversation: ExportConversation
    part: int
    zip_path: Path
    events_path: Path
    body_path: Path
    archive: zipfile.ZipFile
    events: IO[str]
    body: IO[str]
    parties: dict[str, Party] = field(default_factory=dict)
    event_ids: set[int] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    count: int = 0
    attachment_bytes: int = 0
    first: datetime | None = None
    last: datetime | None = None


class RsmfWriter:
    def __init__(self, ctx: ExportContext) -> None:
        self._ctx = ctx
        self._slice: _Slice | None = None

    def begin_conversation(self, conversation: ExportConversation) -> None:
        self._slice = self._open(conversation, part=1)

    def write(self, messages: Sequence[ExportMessage]) -> None:
        for message in messages:
            current = self._slice
            assert current is not None
            if current.count >= SLICE_EVENTS or current.attachment_bytes >= SLICE_BYTES:
                self._finish(current)
                current = self._slice = self._open(current.conversation, part=current.part + 1)
            self._add(current, message)

    def end_conversation(self) -> None:
        if self._slice is not None:
            self._finish(self._slice)
            self._slice = None

    def close(self) -> None:
        self.end_conversation()

    def _open(self, conversation: ExportConversation, *, part: int) -> _Slice:
        stem = f"c{conversation.id}-{part}"
        scratch = self._ctx.scratch
        opened = _Slice(
            conversation=conversation,
            part=part,
            zip_path=scratch / f"{stem}.zip",
            events_path=scratch / f"{stem}.events",
            body_path=scratch / f"{stem}.txt",
            archive=zipfile.ZipFile(scratch / f"{stem}.zip", "w", compression=zipfile.ZIP_STORED, allowZip64=True),
            events=(scratch / f"{stem}.events").open("w", encoding="utf-8"),
            body=(scratch / f"{stem}.txt").open("w", encoding="utf-8", newline="\r\n"),
        )
        opened.body.write(preamble(conversation, part=part))
        for party in conversation.participants:
            opened.parties[party.id] = party
        return opened

    def _add(self, current: _Slice, message: ExportMessage) -> None:
        files: dict[int, str] = {}
        missing: dict[int, str] = {}
        for attachment in message.attachments:
            data = self._ctx.attachments.read(attachment, message_id=message.id)
            if isinstance(data, str):
                missing[attachment.id] = data
                continue
            name = stored_name(attachment)
            if name not in current.files:
                current.archive.writestr(zipfile.ZipInfo(name, _zip_time(message.sent_at)), data)
                current.files.add(name)
                current.attachment_bytes += len(data)
            files[attachment.id] = name
        conversation = current.conversation
        for party in referenced_parties(message, conversation):
            current.parties.setdefault(party.id, party)
        parent_in_file = message.reply_to_id is not None and message.reply_to_id in current.event_ids
        event = event_entry(message, conversation, files=files, missing=missing, parent_in_file=parent_in_file)
        current.events.write(json.dumps(event, ensure_ascii=False) + "\n")
        current.body.write(message_text(message, conversation, missing=missing))
        current.event_ids.add(message.id)
        current.count += 1
        current.first = current.first or message.sent_at
        current.last = message.sent_at

    def _finish(self, current: _Slice) -> None:
        conversation = current.conversation
        current.events.close()
        current.body.close()
        manifest_head = {
            "version": VERSION,
            "eventcollectionid": self._collection_id(conversation),
            "participants": [
                participant_entry(p, custodian=p.id == conversation.custodian.id) for p in current.parties.values()
            ],
            "conversations": [conversation_entry(conversation, current.parties, self._ctx.checkpoint)],
        }
        info = zipfile.ZipInfo(MANIFEST_NAME, _zip_time(current.last or self._ctx.checkpoint.created_at))
        info.compress_type = zipfile.ZIP_DEFLATED
        with current.archive.open(info, "w", force_zip64=True) as out:
            out.write(json.dumps(manifest_head, ensure_ascii=False)[:-1].encode("utf-8"))
            out.write(b',"events":[')
            with current.events_path.open("rb") as events:
                for number, line in enumerate(events):
                    out.write((b",\n" if number else b"\n") + line.rstrip(b"\n"))
            out.write(b"\n]}")
        current.archive.close()
        name = (
            f"conversation-{conversation.id}.rsmf"
            if current.part == 1
            else (f"conversation-{conversation.id}-part-{current.part:03d}.rsmf")
        )
        with (self._ctx.root / name).open("wb") as target:
            write_rsmf(
                target,
                headers=self._headers(current),
                sender=conversation.custodian,
                recipients=[p for p in current.parties.values() if p.id != conversation.custodian.id],
                body=current.body_path,
                zip_file=current.zip_path,
            )
        for path in (current.zip_path, current.events_path, current.body_path):
            path.unlink(missing_ok=True)

    def _collection_id(self, conversation: ExportConversation) -> str:
        return f"atalaia:{self._ctx.tenant_slug}:conversation:{conversation.id}"

    def _headers(self, current: _Slice) -> list[tuple[str, str]]:
        conversation = current.conversation
        checkpoint = self._ctx.checkpoint
        headers = [
            ("X-RSMF-Version", VERSION),
            ("X-RSMF-Generator", self._ctx.generator),
            ("X-RSMF-Application", APPLICATION),
            ("X-RSMF-Custodian", conversation.custodian.display),
            ("X-RSMF-EventCount", str(current.count)),
            ("X-RSMF-AttachmentCount", str(len(current.files))),
            ("X-RSMF-Participants", ", ".join(p.display for p in current.parties.values())),
            ("X-RSMF-EventCollectionID", self._collection_id(conversation)),
        ]
        if current.first is not None and current.last is not None:
            headers += [("X-RSMF-BeginDate", utc_iso(current.first)), ("X-RSMF-EndDate", utc_iso(current.last))]
        headers += [
            ("Subject", f"WhatsApp: {conversation.display}" + (f" (parte {current.part})" if current.part > 1 else "")),
            ("X-Atalaia-Conversation-Id", str(conversation.id)),
            ("X-Atalaia-Line", conversation.line_number),
            ("X-Atalaia-Checkpoint-Seq", str(checkpoint.seq)),
            ("X-Atalaia-Checkpoint-Head-Hash", checkpoint.head_hash),
        ]
        return headers


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's timestamp (zip has no time zone and nothing before 1980): UTC."""
    stamp = moment.astimezone(UTC).timetuple()
    return (max(stamp.tm_year, 1980), stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)
