"""`GET /api/v1/lines`: the lines a token's user may see, with status, holder and capture problems."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from atalaia.services.lines import line_overview
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, SessionDep

router = APIRouter(prefix="/api/v1", tags=["api"], responses={401: {"model": ErrorOut}})


class LineOut(BaseModel):
    number: str
    provider: str
    status: str
    team: str | None
    employee: str | None
    last_event_at: datetime | None
    history_phase: int | None
    history_progress: int | None
    media_waiting: int
    media_failed: int
    gap_since: datetime | None = None
    gap_reason: str | None = None


@router.get("/lines", response_model=list[LineOut], summary="Lines: status, holder, backfill, media problems")
def lines(session: SessionDep, principal: ApiUser) -> list[LineOut]:
    # A manager sees the lines of their teams; the tenant-wide roles see every line.
    teams = None if principal.sees_whole_tenant else principal.team_ids
    rows = line_overview(session, tenant_id=principal.tenant_id, team_ids=teams)
    return [LineOut(**asdict(row)) for row in rows]
