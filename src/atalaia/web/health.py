"""`GET /healthz`: liveness with a database check (503 when the database does not answer)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from atalaia.web.deps import get_runtime

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness, with a database round trip")
def healthz(request: Request) -> JSONResponse:
    try:
        with get_runtime(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        # No detail: the error names hosts and users, and this endpoint answers anyone.
        return JSONResponse({"ok": False, "database": "unavailable"}, status_code=503)
    return JSONResponse({"ok": True, "database": "ok"})
