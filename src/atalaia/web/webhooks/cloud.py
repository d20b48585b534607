"""`GET /webhooks/cloud` (Meta's verification handshake) and `POST /webhooks/cloud` (notifications)."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Sequence
from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from atalaia.runtime import Runtime
from atalaia.services.batching import MicroBatcher
from atalaia.services.cloud_line_signatures import verify_token_known
from atalaia.services.ingest import (
    Delivery,
    IngestOutcome,
    journal_cloud_batch,
    pending_cloud_entries,
    process_cloud_entries,
    receive_cloud_batch,
)
from atalaia.web.errors import render_error
from atalaia.web.webhooks.body import outcome_response, read_capped_body

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])
MAX_VERIFY_TOKEN: Final = 500  # characters; Meta's tokens are short
BATCH_BODIES: Final = 200  # bodies archived per transaction at most
LINGER_SECONDS: Final = 0.005  # a batch waits this long for concurrent bodies: larger batches, cheaper messages
BACKGROUND_BODIES: Final = 500  # with ATALAIA_CLOUD_ACKNOWLEDGE=journaled: bodies per background archive


def make_batcher(runtime: Runtime) -> MicroBatcher[Delivery, IngestOutcome]:
    """One writer thread for the app: concurrent notifications share a transaction (services/ingest.py)."""

    def process(deliveries: Sequence[Delivery]) -> list[IngestOutcome]:
        return receive_cloud_batch(runtime, deliveries)

    return MicroBatcher(process, name="cloud-webhooks", max_items=BATCH_BODIES, linger=LINGER_SECONDS)


def make_journal_batcher(
    runtime: Runtime, archiver: MicroBatcher[tuple[int, bytes], IngestOutcome]
) -> MicroBatcher[Delivery, IngestOutcome]:
    """Answer once the bodies are journaled (pending) and their signatures checked; `archiver`
    archives them right after, in batches as large as the backlog (decision 0010)."""

    def process(deliveries: Sequence[Delivery]) -> list[IngestOutcome]:
        outcomes, authentic = journal_cloud_batch(runtime, deliveries, pending=True)
        for entry in authentic:
            archiver.submit(entry)
        return outcomes

    return MicroBatcher(process, name="cloud-journal", max_items=BATCH_BODIES, linger=LINGER_SECONDS)


def make_archiver(runtime: Runtime) -> MicroBatcher[tuple[int, bytes], IngestOutcome]:
    """Archives journaled entries in the background; a failure is marked on the entry (replayable)."""

    def process(entries: Sequence[tuple[int, bytes]]) -> list[IngestOutcome]:
        return process_cloud_entries(runtime, entries)

    return MicroBatcher(process, name="cloud-archive", max_items=BACKGROUND_BODIES)


def start_background_archiving(app_state: Any) -> None:
    """At startup, with ATALAIA_CLOUD_ACKNOWLEDGE=journaled: archive what a stopped server left pending."""
    runtime: Runtime = app_state.runtime
    if runtime.settings.cloud_acknowledge != "journaled":
        return
    archiver = app_state.cloud_archiver = make_archiver(runtime)
    pending = pending_cloud_entries(runtime)
    if pending:
        log.info("archiving %s cloud webhook(s) journaled before the last stop", len(pending))
    for entry in pending:
        archiver.submit(entry)


def stop_batchers(app_state: Any) -> None:
    """Answer what is queued, then archive what was journaled (what is left stays pending)."""
    for name in ("cloud_batcher", "cloud_archiver"):
        batcher = getattr(app_state, name, None)
        if batcher is not None:
            batcher.close()


def _batcher(request: Request) -> MicroBatcher[Delivery, IngestOutcome]:
    """The app's batcher, made on first use (handlers run on the event loop: no race)."""
    state = request.app.state
    batcher: MicroBatcher[Delivery, IngestOutcome] | None = getattr(state, "cloud_batcher", None)
    if batcher is None:
        archiver = getattr(state, "cloud_archiver", None)
        if state.runtime.settings.cloud_acknowledge == "journaled":
            archiver = archiver or make_archiver(state.runtime)
            state.cloud_archiver = archiver
            batcher = make_journal_batcher(state.runtime, archiver)
        else:
            batcher = make_batcher(state.runtime)
        state.cloud_batcher = batcher
    return batcher


@router.get("/cloud", response_class=PlainTextResponse, summary="Cloud API verification handshake")
def verify_subscription(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None,
) -> PlainTextResponse:
    runtime: Runtime = request.app.state.runtime
    if mode != "subscribe" or not token or challenge is None or len(token) > MAX_VERIFY_TOKEN:
        return PlainTextResponse("forbidden", status_code=403)
    expected = runtime.settings.cloud_verify_token
    if expected is not None and hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
        return PlainTextResponse(challenge)
    with runtime.sessions() as session:  # a line connected with its own Meta app (decision 0021)
        if verify_token_known(session, token):
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


class CloudLane:
    """`POST /webhooks/cloud` straight to `receive_notification`, past FastAPI's routing layers.

    The busiest route, hit once per provider request, paid ~0.2 ms of CPU a request for router
    matching, dependency and exception-stack set-up it does not use (bench/README.md). Installed
    inside `Measure` and `SecurityHeaders`, so it is logged, measured and gets the same headers;
    an HTTP error becomes the same JSON envelope as through the app's handlers (web/errors.py).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/webhooks/cloud":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response: Response = await receive_notification(request)
        except HTTPException as exc:
            response = render_error(request, exc.status_code, str(exc.detail))
        await response(scope, receive, send)
