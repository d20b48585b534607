"""`/api/v1`: the same data as the console, scoped and audited the same way."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from atalaia.errors import Forbidden, NotFound
from atalaia.services.access import count_visible_conversations, get_conversation, list_conversations
from atalaia.services.stats import tenant_stats
from atalaia.web.api import subject_corrections
from atalaia.web.api.schemas import (
    ConversationListOut,
    ConversationOut,
    ConversationSummaryOut,
    ErrorOut,
    MeOut,
    StatsOut,
)
from atalaia.web.deps import ApiUser, SessionDep, client_ip

ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]
router.include_router(subject_corrections.router)  # POST /api/v1/subject-corrections


@router.get("/me", response_model=MeOut, summary="The token's user")
def me(principal: ApiUser) -> MeOut:
    return MeOut(id=principal.user_id, email=principal.email, role=principal.role.value,
                 team_ids=sorted(principal.team_ids))  # fmt: skip


@router.get("/conversations", response_model=ConversationListOut, summary="Visible conversations, newest first")
def conversations(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ConversationListOut:
    rows = list_conversations(session, principal=principal, limit=limit, offset=offset, ip=client_ip(request))
    return ConversationListOut(
        total=count_visible_conversations(session, principal=principal),
        limit=limit,
        offset=offset,
        conversations=[ConversationSummaryOut(**row) for row in rows],
    )


@router.get("/conversations/{conversation_id}", response_model=ConversationOut, summary="A conversation")
def conversation(
    request: Request, session: SessionDep, principal: ApiUser, conversation_id: int
) -> ConversationOut | JSONResponse:
    try:
        data = get_conversation(session, principal=principal, conversation_id=conversation_id, ip=client_ip(request))
    except NotFound as exc:
        # Returned rather than raised so the audit of the denied attempt is committed.
        return JSONResponse({"ok": False, "error": exc.message, "status": 404}, status_code=404)
    return ConversationOut(**data)


@router.get("/stats", response_model=StatsOut, summary="Archive counts for the tenant")
def stats(session: SessionDep, principal: ApiUser) -> StatsOut:
    if not principal.sees_whole_tenant:
        raise Forbidden("contagens do tenant inteiro não estão no escopo de um gestor")
    return StatsOut(**tenant_stats(session, tenant_id=principal.tenant_id))
