"""Prometheus metrics, answered to loopback clients or an admin's bearer token; 404 for anyone else.

Also the access log: method, path (never the query string), status and time for every request.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Final

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atalaia.db.engine import transaction
from atalaia.domain.enums import Role
from atalaia.errors import AtalaiaError, NotFound
from atalaia.web.deps import current_api_user, get_runtime

router = APIRouter(include_in_schema=False)
access_log = logging.getLogger("atalaia.web.access")
# A reverse proxy on the same host makes every visitor look local: a request that says it was
# forwarded is never treated as a loopback client, whatever its socket address.
FORWARDING_HEADERS: Final = ("forwarded", "x-forwarded-for", "x-real-ip")
# Own registry, created once per process: apps built again (tests) share it without duplicates.
REGISTRY: Final = CollectorRegistry()
REQUESTS: Final = Counter(
    "atalaia_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
LATENCY: Final = Histogram("atalaia_http_request_seconds", "HTTP request latency", ["route"], registry=REGISTRY)


def _loopback(request: Request) -> bool:
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics")
def metrics(request: Request) -> Response:
    if not _loopback(request):
        # Anyone else needs an admin's bearer token; otherwise the endpoint does not exist.
        with transaction(get_runtime(request).sessions) as session:
            try:
                principal = current_api_user(request, session)
            except AtalaiaError:
                raise NotFound("Página não encontrada.") from None
        if principal.role is not Role.ADMIN:
            raise NotFound("Página não encontrada.")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class Measure:
    """Pure ASGI middleware: counts, latency and the access line for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            # The route template, not the path: one series per endpoint, whatever ids are requested.
            name = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            REQUESTS.labels(scope["method"], name, str(status)).inc()
            LATENCY.labels(name).observe(elapsed)
            # The path only: query strings can carry secrets (the Cloud API handshake's verify token).
            access_log.info("%s %s %s %.0fms", scope["method"], scope["path"], status, elapsed * 1000)
