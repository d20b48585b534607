"""`create_app(runtime)`: the one FastAPI application for console, API and webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from atalaia import __version__
from atalaia.runtime import Runtime
from atalaia.web import errors, health, metrics, privacy
from atalaia.web.api import alerts as alerts_api
from atalaia.web.api import analytics_api, lines_api, notice_template_api, policies_api, v1
from atalaia.web.api import exports_api as export_api
from atalaia.web.api import governance_api as hold_and_request_api
from atalaia.web.api import search as search_api
from atalaia.web.console import admin_users as admin_user_pages
from atalaia.web.console import alerts as alert_pages
from atalaia.web.console import audit_page as audit_log_page
from atalaia.web.console import case_files_page as case_file_pages
from atalaia.web.console import (
    dashboard,
    live,
    onboarding_invites,
    onboarding_public,
    onboarding_rules,
    policies_page,
    search_page,
    step_in_page,
)
from atalaia.web.console import exports_page as export_pages
from atalaia.web.console import holds_page as hold_pages
from atalaia.web.console import line_provider as line_provider_pages
from atalaia.web.console import lines_page as line_pages
from atalaia.web.console import notice_template_page as notice_template_pages
from atalaia.web.console import requests_page as request_pages
from atalaia.web.console import routes as console
from atalaia.web.console import totp as totp_pages
from atalaia.web.console import totp_login as totp_login_page
from atalaia.web.ratelimit import LoginThrottle
from atalaia.web.security_headers import SecurityHeaders
from atalaia.web.webhooks import cloud, evolution, waha

STATIC_DIR = Path(__file__).parent / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    cloud.start_background_archiving(app.state)
    yield
    cloud.stop_batchers(app.state)


def create_app(runtime: Runtime) -> FastAPI:
    # No /docs or /redoc: nothing interactive or debug-like is exposed; /openapi.json describes the API.
    app = FastAPI(
        title="Atalaia",
        version=__version__,
        description="Arquivo, conformidade e análise do WhatsApp corporativo. Token: `Authorization: Bearer`.",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.runtime = runtime
    app.state.login_throttle = LoginThrottle()
    app.state.totp_throttle = LoginThrottle(max_failures=5)  # per account: see web/console/totp_login.py
    app.state.onboarding_throttle = onboarding_public.onboarding_throttle()  # bad invitation links per address
    app.add_middleware(cloud.CloudLane)  # innermost of these: measured and given the headers too
    app.add_middleware(metrics.Measure)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: every answer gets the headers
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    routers = (console.router, v1.router, health.router, metrics.router, cloud.router, evolution.router, waha.router)
    for router in routers:
        app.include_router(router)
    app.include_router(search_page.router)
    app.include_router(search_api.router)
    app.include_router(alert_pages.router)
    app.include_router(alerts_api.router)
    app.include_router(notice_template_api.router)
    app.include_router(case_file_pages.router)  # evidence and employee notice: size bound, then CSRF
    app.include_router(notice_template_pages.router)
    app.include_router(privacy.router)
    for router in (totp_login_page.router, totp_pages.router, admin_user_pages.router, audit_log_page.router):
        app.include_router(router)
    for router in (lines_api.router, analytics_api.router, policies_api.router, dashboard.router):
        app.include_router(router)
    # Usage rules and onboarding; the public /onboarding page has no session (its own CSRF and throttle).
    for router in (onboarding_rules.router, onboarding_invites.router, onboarding_public.router):
        app.include_router(router)
    for router in (export_pages.router, hold_pages.router, request_pages.router, export_api.router,
                   hold_and_request_api.router):  # fmt: skip
        app.include_router(router)
    app.include_router(request_pages.erase_router)  # the erasure commits itself: outside the request's transaction
    app.include_router(line_pages.router)
    app.include_router(line_provider_pages.router)  # provider calls, outside the request's transaction
    app.include_router(policies_page.router)
    app.include_router(live.router)  # the live transcript's polling endpoint
    app.include_router(step_in_page.router)  # the send waits on the provider: outside the request's transaction
    return app
