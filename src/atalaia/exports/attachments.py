"""Attachment bytes for an export: decrypted from the blob store, or listed as missing, never dropped.

Every format asks here. An attachment whose bytes were never downloaded (or were stored after
the export's checkpoint, or cannot be read back) is recorded once in `missing`, with its reason,
for the manifest; the writer shows it as missing in its own way. File names inside an export are
the SHA-256 of the bytes plus a cleaned extension, so the same file sent twice is kept once and a
hostile name never reaches the file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from atalaia.blobs import EncryptedBlobStore
from atalaia.errors import AtalaiaError
from atalaia.exports.model import ExportAttachment
from atalaia.exports.spool import JsonSpool

ATTACHMENTS_DIR: Final = "attachments"
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
_MIME_EXTENSIONS: Final = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "video/mp4": "mp4",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/csv": "csv",
}


def stored_name(attachment: ExportAttachment) -> str:
    """`<sha256>.<ext>`: the content address, with the declared extension when it is a plain one."""
    assert attachment.sha256 is not None
    match = _EXTENSION.search(attachment.file_name or "")
    extension = match.group(1).lower() if match else _MIME_EXTENSIONS.get((attachment.mime_type or "").lower())
    return f"{attachment.sha256}.{extension}" if extension else attachment.sha256


@dataclass(frozen=True, slots=True)
class Placed:
    path: str | None  # relative to the export folder (or the name inside an RSMF zip); None: missing
    missing_reason: str | None


class AttachmentSource:
    """Reads attachments of one tenant and keeps the tally of what was exported and what is missing."""

    def __init__(self, *, blobs: EncryptedBlobStore, tenant_id: int, data_key: bytes, missing: JsonSpool) -> None:
        self._blobs = blobs
        self._tenant_id = tenant_id
        self._data_key = data_key
        self.missing = missing
        self.exported = 0

    def read(self, attachment: ExportAttachment, *, message_id: int) -> bytes | str:
        """The bytes, or why they are missing (then also recorded for the manifest)."""
        if attachment.sha256 is None:
            return self._missing(attachment, message_id, attachment.missing_reason or "bytes não armazenados")
        try:
            data = self._blobs.get(tenant_id=self._tenant_id, data_key=self._data_key, sha256=attachment.sha256)
        except (OSError, AtalaiaError, ValueError) as exc:
            return self._missing(attachment, message_id, f"não foi possível ler os bytes armazenados: {exc}")
        self.exported += 1
        return data

    def _missing(self, attachment: ExportAttachment, message_id: int, reason: str) -> str:
        self.missing.append(
            {
                "attachment_id": attachment.id,
                "message_id": message_id,
                "file_name": attachment.file_name,
                "mime_type": attachment.mime_type,
                "status": attachment.status,
                "reason": reason,
            }
        )
        return reason


class AttachmentFolder:
    """Writes attachment files under `attachments/` of a JSON Lines, CSV or PDF export."""

    def __init__(self, root: Path, source: AttachmentSource) -> None:
        self._root = root
        self._source = source

    def place(self, attachment: ExportAttachment, *, message_id: int) -> Placed:
        data = self._source.read(attachment, message_id=message_id)
        if isinstance(data, str):
            return Placed(None, data)
        relative = f"{ATTACHMENTS_DIR}/{stored_name(attachment)}"
        target = self._root / relative
        if not target.exists():  # the same bytes sent twice are written once
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)
        return Placed(relative, None)
