"""`POST /webhooks/waha`: WAHA events, authenticated by the line's token.

Either a custom header `Authorization: Bearer <line token>` (`customHeaders` in the session's
webhook config), or WAHA's own signature: set the webhook's `hmac.key` to the line's token and
WAHA sends `X-Webhook-Hmac` (HMAC-SHA512 of the body), which is checked against it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import receive_gateway
from atalaia.web.webhooks.body import outcome_response, read_capped_body

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/waha", summary="WAHA events (Authorization: Bearer <line token>, or X-Webhook-Hmac)")
async def receive_event(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    body = await read_capped_body(request, limit=runtime.settings.max_webhook_bytes)
    outcome = await run_in_threadpool(receive_gateway, runtime, source="waha", body=body,
                                      headers=dict(request.headers))  # fmt: skip
    return outcome_response(outcome)
