"""Handing an export file over: streamed from an already-open file, never read into memory.

The file is opened before the response starts, so the expiry check deleting it a moment later
cannot cut a download short (on POSIX an open file outlives its name). The name in
Content-Disposition is ours (ASCII, no user text); the SHA-256 travels in a header so a client
can check what it received.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Final

from fastapi.responses import StreamingResponse

from atalaia.services.export_jobs import Download

CHUNK: Final = 1024 * 1024  # bytes per write


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while block := handle.read(CHUNK):
            yield block


def stream_download(download: Download) -> StreamingResponse:
    handle = download.path.open("rb")
    headers = {
        "Content-Disposition": f'attachment; filename="{download.file_name}"',
        "Content-Length": str(download.size),
        "X-Atalaia-SHA256": download.sha256,
    }
    return StreamingResponse(_chunks(handle), media_type="application/zip", headers=headers)
