"""`GET /webhooks/cloud` (Meta's verification handshake) and `POST /webhooks/cloud` (notifications)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from atalaia.runtime import Runtime
from atalaia.services.ingest import receive_cloud
from atalaia.web.webhooks.body import outcome_response, read_capped_body

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("/cloud", response_class=PlainTextResponse, summary="Cloud API verification handshake")
def verify_subscription(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None,
) -> PlainTextResponse:
    runtime: Runtime = request.app.state.runtime
    expected = runtime.settings.cloud_verify_token
    if (
        mode == "subscribe"
        and expected is not None
        and token is not None
        and hmac.compare_digest(token.encode(), expected.get_secret_value().encode())
        and challenge is not None
    ):
        return PlainTextResponse(challenge)
    return PlainTextResponse("forbidden", status_code=403)


@router.post("/cloud", summary="Cloud API notifications (signed with X-Hub-Signature-256)")
async def receive_notification(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    body = await read_capped_body(request, limit=runtime.settings.max_webhook_bytes)
    outcome = await run_in_threadpool(receive_cloud, runtime, body=body, headers=dict(request.headers))
    return outcome_response(outcome)
