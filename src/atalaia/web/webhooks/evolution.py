"""`POST /webhooks/evolution`: Evolution API v2 events, authenticated by the line's token.

Set the instance's webhook with the custom header `Authorization: Bearer <line token>` (not
Evolution's `jwt_key`, whose JWT is not the line's token). With "webhook by events" on, Evolution
appends the event to the URL (`/webhooks/evolution/messages-upsert`); that form is accepted too,
and the event is read from the body either way.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import receive_gateway
from atalaia.web.webhooks.body import outcome_response, read_capped_body

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/evolution", summary="Evolution API v2 events (Authorization: Bearer <line token>)")
async def receive_event(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    body = await read_capped_body(request, limit=runtime.settings.max_webhook_bytes)
    outcome = await run_in_threadpool(receive_gateway, runtime, source="evolution", body=body,
                                      headers=dict(request.headers))  # fmt: skip
    return outcome_response(outcome)


@router.post("/evolution/{event}", summary="Evolution API v2 events, with 'webhook by events' on")
async def receive_event_by_name(request: Request, event: str) -> JSONResponse:
    del event  # the body names the event; the path only mirrors Evolution's URL scheme
    return await receive_event(request)
