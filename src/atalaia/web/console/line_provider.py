"""The line page's buttons that call a provider, and the pairing QR code as an SVG image.

These routes run outside the request's transaction (web/released.py): the provider may take
seconds to answer, and on SQLite an open transaction would hold every webhook back meanwhile.
The outcome is stored on the line's connection and shown on its page after the redirect.
"""

from __future__ import annotations

import io
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from atalaia.runtime import Runtime
from atalaia.services.line_checks import Actor, check_connection, create_instance, fresh_qr
from atalaia.web.released import ReleasedUser, released_console_admin

router = APIRouter(include_in_schema=False)
Admin = Annotated[ReleasedUser, Depends(released_console_admin)]


def _actor(user: ReleasedUser) -> Actor:
    p = user.principal
    return Actor(tenant_id=p.tenant_id, email=p.email, user_id=p.user_id, ip=user.ip)


@router.post("/lines/{line_id}/test")
async def test_line(request: Request, user: Admin, line_id: int) -> Response:
    runtime: Runtime = request.app.state.runtime
    await run_in_threadpool(lambda: check_connection(runtime, actor=_actor(user), line_id=line_id))
    return RedirectResponse(f"/lines/{line_id}#conexao", status_code=303)


@router.post("/lines/{line_id}/instance")
async def make_instance(request: Request, user: Admin, line_id: int) -> Response:
    runtime: Runtime = request.app.state.runtime
    await run_in_threadpool(lambda: create_instance(runtime, actor=_actor(user), line_id=line_id))
    return RedirectResponse(f"/lines/{line_id}#conexao", status_code=303)


@router.get("/lines/{line_id}/qr.svg")
async def qr_image(request: Request, user: Admin, line_id: int) -> Response:
    """The latest pairing code drawn by segno; 404 while there is none (the page refreshes)."""
    runtime: Runtime = request.app.state.runtime
    code = await run_in_threadpool(lambda: fresh_qr(runtime, actor=_actor(user), line_id=line_id))
    if code is None:
        return Response(status_code=404)
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="svg", scale=5, border=4, dark="#000", light="#fff")
    return Response(buffer.getvalue(), media_type="image/svg+xml")
