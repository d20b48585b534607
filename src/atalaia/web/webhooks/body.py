"""Reading a webhook body with a size cap, before anything else touches it."""

from __future__ import annotations

from fastapi import HTTPException, Request


async def read_capped_body(request: Request, *, limit: int) -> bytes:
    """The raw bytes, or 413 as soon as they pass `limit` (a lying Content-Length included)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status_code=413, detail=f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
