"""What every webhook route shares: reading the body under a cap, and answering from the outcome."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse

from atalaia.services.ingest import IngestOutcome


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


def outcome_response(outcome: IngestOutcome) -> JSONResponse:
    """The provider's answer: the journal id always, counts when archived; never why auth failed."""
    payload: dict[str, object] = {
        "ok": outcome.status_code == 200,
        "journal_id": outcome.journal_id,
        "detail": outcome.detail,
    }
    if outcome.status_code == 200 and outcome.archived:
        payload.update(new=outcome.result.new, duplicates=outcome.result.duplicates)
    return JSONResponse(payload, status_code=outcome.status_code)
