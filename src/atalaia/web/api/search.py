"""`GET /api/v1/search`: the console's search for scripts, with the same scope, audit and explanations.

A query the engine cannot run (unbalanced quotes, no word, too long, a bad date, a line or
contact that is not there or not the caller's) answers 400 with the reason in Portuguese, in
the usual error envelope. Limit and offset are checked by the search itself, so they are
explained the same way instead of failing validation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from atalaia.services.archive_search import ArchiveHit, search_archive
from atalaia.services.search_filters import SearchOptions
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, SessionDep, client_ip

MAX_ID: Final = 2**63 - 1  # a larger id would overflow PostgreSQL's bigint instead of matching nothing
ERRORS = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 422: {"model": ErrorOut}}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]


class SearchHitOut(BaseModel):
    message_id: int
    conversation_id: int
    conversation: str = Field(description="The conversation's title: group subject, contact name or phone.")
    line_id: int
    line: str = Field(description="The line's number, E.164.")
    timestamp: datetime = Field(description="When the message was sent, UTC.")
    author: str | None
    direction: str
    kind: str
    edited: bool
    deleted: bool = Field(description="Deleted for everyone; the archive keeps its text.")
    has_alert: bool
    score: float = Field(description="Higher is better; comparable within one search only.")
    text: str = Field(description="The message's latest text (its last edit, else the original).")
    matched_in: str = Field(description="text, revision, original, attachment or attachment_text.")
    snippet: str = Field(description="Plain text around the first match; '…' where text was left out.")
    snippet_highlights: list[tuple[int, int]] = Field(
        description="[start, end) offsets of each match in `snippet`, in Unicode code points."
    )
    url: str = Field(description="The console's transcript, anchored at the message.")


class SearchOut(BaseModel):
    query: str
    total: int = Field(description="Every match the caller may see, not only this page.")
    limit: int
    offset: int
    hits: list[SearchHitOut]


def _hit(item: ArchiveHit) -> SearchHitOut:
    hit = item.hit
    return SearchHitOut(
        message_id=hit.message_id,
        conversation_id=hit.conversation_id,
        conversation=item.conversation_title,
        line_id=hit.line_id,
        line=item.line_number,
        timestamp=hit.timestamp,
        author=hit.author,
        direction=hit.direction,
        kind=hit.kind,
        edited=hit.edited,
        deleted=hit.deleted,
        has_alert=item.has_alert,
        score=hit.score,
        text=hit.text,
        matched_in=hit.matched_in,
        snippet=item.snippet,
        snippet_highlights=list(item.snippet_spans),
        url=f"/conversations/{hit.conversation_id}#m{hit.message_id}",
    )


@router.get("/search", response_model=SearchOut, summary="Full-text search of the messages the token's user may see")
def search_messages(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    *,
    q: Annotated[str, Query(description='Words (all must appear), "a phrase", -excluded, prefix*.')],
    line: Annotated[list[str] | None, Query(description="Line number or id; repeatable.")] = None,
    team: Annotated[str | None, Query(description="Team name or id.")] = None,
    employee: Annotated[str | None, Query(description="Employee e-mail or id: the lines they hold.")] = None,
    contact: Annotated[str | None, Query(description="Contact phone or id.")] = None,
    direction: Annotated[str | None, Query(description="inbound or outbound.")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="AAAA-MM-DD or ISO date-time.")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="AAAA-MM-DD (whole day) or ISO date-time.")] = None,
    kind: Annotated[list[str] | None, Query(description="Message kind (text, image, ...); repeatable.")] = None,
    conversation: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Conversation id.")] = None,
    has_attachment: bool | None = None,
    has_alert: bool | None = None,
    deleted: bool | None = None,
    edited: bool | None = None,
    limit: Annotated[int, Query(description="1 to 500.")] = 20,
    offset: Annotated[int, Query(description="0 to 10,000.")] = 0,
) -> SearchOut:
    options = SearchOptions(
        lines=line or (),
        team=team,
        employee=employee,
        contact=contact,
        date_from=date_from,
        date_to=date_to,
        direction=direction,
        kinds=kind or (),
        conversation_id=conversation,
        has_attachment=has_attachment,
        has_alert=has_alert,
        deleted=deleted,
        edited=edited,
    )
    results = search_archive(session, principal=principal, query=q, options=options, limit=limit, offset=offset,
                             ip=client_ip(request))  # fmt: skip
    return SearchOut(
        query=results.query,
        total=results.total,
        limit=results.limit,
        offset=results.offset,
        hits=[_hit(item) for item in results.hits],
    )
