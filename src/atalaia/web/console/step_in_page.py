"""`POST /conversations/{id}/send`: a manager or compliance officer steps into the conversation.

Runs outside the request's transaction (web/released.py) because it waits on the provider; the
form's CSRF token is checked there. The rules, the send, the archive and the audit are in
services/step_in.py; a refusal is answered with its reason (a 24-hour window, an export-only line).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from atalaia.errors import AtalaiaError, InvalidInput
from atalaia.runtime import Runtime
from atalaia.services.step_in import MAX_TEXT_CHARS, step_in
from atalaia.web.errors import render_error
from atalaia.web.released import ReleasedUser, released_console_user

router = APIRouter(include_in_schema=False)
Signed = Annotated[ReleasedUser, Depends(released_console_user)]


@router.post("/conversations/{conversation_id}/send")
async def send(
    request: Request,
    user: Signed,
    conversation_id: int,
    text: Annotated[str, Form(max_length=4 * MAX_TEXT_CHARS)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    runtime: Runtime = request.app.state.runtime
    try:
        if confirm != "sim":
            raise InvalidInput("confirme o envio: a mensagem vai ao contato, em nome da empresa, pelo WhatsApp")
        result = await run_in_threadpool(
            lambda: step_in(runtime, principal=user.principal, conversation_id=conversation_id, text=text, ip=user.ip)
        )
    except AtalaiaError as exc:
        return render_error(request, exc.status, exc.message)
    return RedirectResponse(f"/conversations/{conversation_id}?enviada=1#m{result.message_id}", status_code=303)
