"""The live transcript: `/conversations/{id}/after/{last_id}` answers the bubbles archived since.

static/live.js polls it every few seconds and appends what it answers; without JavaScript the
page's "Atualizar" link reloads the whole transcript. Scoped like the page (a manager of another
team gets 404, audited as denied). Auditing (docs/decisions/0025): the page view is audited as
`read_conversation`; a poll that returns messages is audited as `read_conversation_live` with
their count, and an empty poll (most of them) writes nothing, so the log grows with what was read,
not with how long a tab stays open.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Conversation, Message
from atalaia.errors import NotFound
from atalaia.services.access import NOT_FOUND, Principal, _audit, _messages, scope_filter
from atalaia.services.step_in import senders_of
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.errors import render_error
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
MAX_NEW: Final = 100  # bubbles in one answer; the next poll picks up the rest
LAST_ID_HEADER: Final = "X-Last-Message-Id"


def new_messages(
    session: Session, *, principal: Principal, conversation_id: int, after_id: int, ip: str | None
) -> list[Message]:
    """The conversation's messages with an id above `after_id`, oldest first; NotFound out of scope."""
    visible = session.execute(
        select(Conversation.id).where(scope_filter(principal), Conversation.id == conversation_id)
    ).first()
    if visible is None:
        _audit(session, principal, action="read_conversation_live", object_id=conversation_id, outcome="denied",
               ip=ip)  # fmt: skip
        raise NotFound(NOT_FOUND)
    rows = list(
        session.execute(
            select(Message)
            .where(
                Message.tenant_id == principal.tenant_id,
                Message.conversation_id == conversation_id,
                Message.id > after_id,
            )
            .order_by(Message.id)
            .limit(MAX_NEW)
        ).scalars()
    )
    if rows:
        _audit(session, principal, action="read_conversation_live", object_id=conversation_id, ip=ip,
               detail={"messages": len(rows), "after": after_id})  # fmt: skip
    return rows


@router.get("/conversations/{conversation_id}/after/{last_message_id}", response_class=HTMLResponse)
def after(
    request: Request, session: SessionDep, user: CurrentUser, conversation_id: int, last_message_id: int
) -> Response:
    principal, _ = user
    if last_message_id < 0:
        last_message_id = 0
    try:
        rows = new_messages(session, principal=principal, conversation_id=conversation_id,
                            after_id=last_message_id, ip=client_ip(request))  # fmt: skip
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)  # answered: the denied audit commits
    messages = _messages(session, tenant_id=principal.tenant_id, messages=rows)
    context = {
        "messages": messages,
        "sent_by": senders_of(session, tenant_id=principal.tenant_id, conversation_id=conversation_id),
    }
    response = templates.TemplateResponse(request, "partials/_live_messages.html", context)
    response.headers[LAST_ID_HEADER] = str(max((m.id for m in rows), default=last_message_id))
    response.headers["Cache-Control"] = "no-store"
    return response
