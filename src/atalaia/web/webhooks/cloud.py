"""`GET /webhooks/cloud` (Meta's verification handshake) and `POST /webhooks/cloud` (notifications)."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Sequence
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from atalaia.runtime import Runtime
from atalaia.services.batching import MicroBatcher
from atalaia.services.ingest import Delivery, IngestOutcome, receive_cloud_batch
from atalaia.web.webhooks.body import outcome_response, read_capped_body

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
BATCH_BODIES: Final = 200  # bodies archived per transaction at most
LINGER_SECONDS: Final = 0.005  # a batch waits this long for concurrent bodies: larger batches, cheaper messages


def make_batcher(runtime: Runtime) -> MicroBatcher[Delivery, IngestOutcome]:
    """One writer thread for the app: concurrent notifications share a transaction (services/ingest.py)."""

    def process(deliveries: Sequence[Delivery]) -> list[IngestOutcome]:
        return receive_cloud_batch(runtime, deliveries)

    return MicroBatcher(process, name="cloud-webhooks", max_items=BATCH_BODIES, linger=LINGER_SECONDS)


def _batcher(request: Request) -> MicroBatcher[Delivery, IngestOutcome]:
    """The app's batcher, made on first use (handlers run on the event loop: no race)."""
    state = request.app.state
    batcher: MicroBatcher[Delivery, IngestOutcome] | None = getattr(state, "cloud_batcher", None)
    if batcher is None:
        batcher = state.cloud_batcher = make_batcher(state.runtime)
    return batcher


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
    batcher = _batcher(request)
    # Answered once the body is journaled and its batch archived (or rejected) and committed.
    outcome = await asyncio.wrap_future(batcher.submit(Delivery(body, dict(request.headers))))
    return outcome_response(outcome)
