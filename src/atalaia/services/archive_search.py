"""Search as the console and the API run it: the caller's scope applied, each hit with what a reviewer needs next.

`search_archive` resolves the filters for the principal (a manager only ever matches, and
counts, the lines of their teams), runs `atalaia.search.search`, which audits the search under
the user's e-mail, then adds per hit the conversation's title, the line's number, whether an
alert points at the message, and a short window of the matched text with the matches' offsets
inside it. The text stays raw: a page escapes it and marks the offsets, a JSON client gets both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import AlertHit, Contact, Conversation, Employee, Line, Team, Tenant
from atalaia.search import SearchHit, search
from atalaia.services.access import Principal, visible_lines
from atalaia.services.search_filters import SearchOptions, build_filters

Span = tuple[int, int]
SNIPPET_CHARS: Final = 200  # of context shown per hit
SNIPPET_LEAD: Final = 60  # characters kept before the first match
ELLIPSIS: Final = "…"
_SPACES: Final = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ArchiveHit:
    hit: SearchHit
    conversation_title: str
    line_number: str
    has_alert: bool
    snippet: str  # plain text around the first match, whitespace collapsed, "…" where cut
    snippet_spans: tuple[Span, ...]  # the matches inside `snippet`

    @property
    def parts(self) -> list[tuple[str, bool]]:
        """`snippet` as (text, is_match) pieces, for a template to escape and mark."""
        pieces: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.snippet_spans:
            if start > cursor:
                pieces.append((self.snippet[cursor:start], False))
            pieces.append((self.snippet[start:end], True))
            cursor = end
        if cursor < len(self.snippet):
            pieces.append((self.snippet[cursor:], False))
        return pieces


@dataclass(frozen=True, slots=True)
class ArchiveResults:
    query: str
    total: int
    limit: int
    offset: int
    hits: tuple[ArchiveHit, ...]


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What a search form offers: only the lines, teams and employees the principal may see."""

    lines: list[tuple[int, str]]  # (id, "+5521... · Employee")
    teams: list[tuple[int, str]]
    employees: list[tuple[int, str]]


def search_archive(
    session: Session,
    *,
    principal: Principal,
    query: str,
    options: SearchOptions,
    limit: int,
    offset: int,
    ip: str | None,
    date_labels: tuple[str, str] = ("from", "to"),
) -> ArchiveResults:
    """One page of what `principal` may see matching `query`; audited, refused with `SearchQueryError`."""
    tenant = session.get(Tenant, principal.tenant_id)
    if tenant is None:
        raise ValueError("principal without tenant")
    filters = build_filters(session, tenant_id=tenant.id, timezone=tenant.timezone, options=options,
                            principal=principal, date_labels=date_labels)  # fmt: skip
    results = search(
        session,
        tenant_id=tenant.id,
        query=query,
        actor=principal.email,
        user_id=principal.user_id,
        ip=ip,
        filters=filters,
        limit=limit,
        offset=offset,
    )
    return ArchiveResults(
        query=query,
        total=results.total,
        limit=results.limit,
        offset=results.offset,
        hits=_with_context(session, tenant_id=tenant.id, hits=results.hits),
    )


def _with_context(session: Session, *, tenant_id: int, hits: Sequence[SearchHit]) -> tuple[ArchiveHit, ...]:
    if not hits:
        return ()
    conversation_ids = sorted({hit.conversation_id for hit in hits})
    titles = {
        conv_id: subject or name or phone or key
        for conv_id, subject, name, phone, key in session.execute(
            select(Conversation.id, Conversation.subject, Contact.profile_name, Contact.phone, Conversation.key)
            .outerjoin(Contact, Contact.id == Conversation.contact_id)
            .where(Conversation.tenant_id == tenant_id, Conversation.id.in_(conversation_ids))
        )
    }  # the same title as the conversation pages give
    numbers = dict(
        session.execute(
            select(Line.id, Line.number).where(Line.tenant_id == tenant_id, Line.id.in_({h.line_id for h in hits}))
        ).all()
    )
    message_ids = [hit.message_id for hit in hits]
    alerted = set(
        session.execute(
            select(AlertHit.message_id).where(
                AlertHit.tenant_id == tenant_id,
                AlertHit.message_id.in_(message_ids),
                AlertHit.alert_id.is_not(None),  # a hit below its threshold raised no alert
            )
        ).scalars()
    )
    result = []
    for hit in hits:
        text, spans = snippet_window(hit.matched_text, hit.highlights)
        result.append(
            ArchiveHit(
                hit=hit,
                conversation_title=titles.get(hit.conversation_id, ""),
                line_number=numbers.get(hit.line_id, ""),
                has_alert=hit.message_id in alerted,
                snippet=text,
                snippet_spans=spans,
            )
        )
    return tuple(result)


def snippet_window(
    text: str, spans: Sequence[Span], *, width: int = SNIPPET_CHARS, lead: int = SNIPPET_LEAD
) -> tuple[str, tuple[Span, ...]]:
    """About `width` characters of `text` from a little before its first match, and the matches' offsets there.

    1. Start `lead` characters before the first match, moved back to a word boundary when one is
       near; end `width` later, or at the end of the first match if it is longer.
    2. Cut the text into plain and matched pieces inside that window; collapse each piece's
       whitespace (a match never starts or ends with a space, so pieces join cleanly).
    3. Put "…" where text was left out and count the offsets on the result.
    """
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        start = max(0, spans[0][0] - lead)
        if start:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= max(0, start - 15) else start
        end = max(min(len(text), start + width), spans[0][1])
    pieces: list[tuple[str, bool]] = []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        pieces += [(text[cursor:span_start], False), (text[span_start:span_end], True)]
        cursor = span_end
    pieces.append((text[cursor:end], False))
    out = ELLIPSIS if start > 0 else ""
    found: list[Span] = []
    for index, (piece, matched) in enumerate(pieces):
        piece = _SPACES.sub(" ", piece)
        if index == 0 and not out:
            piece = piece.lstrip()
        if matched:
            found.append((len(out), len(out) + len(piece)))
        out += piece
    out = out.rstrip()
    if end < len(text):
        out += ELLIPSIS
    return out, tuple(found)


def filter_choices(session: Session, *, principal: Principal) -> FilterChoices:
    """The lines, teams and employees `principal` may filter on, for a form; nothing archived is read."""
    tenant_id = principal.tenant_id
    rows = session.execute(
        select(Line.id, Line.number, Employee.id, Employee.name)
        .outerjoin(Employee, Employee.id == Line.employee_id)
        .where(Line.tenant_id == tenant_id, Line.id.in_(visible_lines(principal)))
        .order_by(Line.number)
    ).all()
    lines = [(line_id, f"{number} · {name}" if name else number) for line_id, number, _, name in rows]
    employees = sorted({(emp_id, name) for _, _, emp_id, name in rows if emp_id is not None}, key=_by_label)
    teams_query = select(Team.id, Team.name).where(Team.tenant_id == tenant_id)
    if not principal.sees_whole_tenant:
        teams_query = teams_query.where(Team.id.in_(sorted(principal.team_ids)))
    teams = [(team_id, name) for team_id, name in session.execute(teams_query)]
    return FilterChoices(lines=lines, teams=sorted(teams, key=_by_label), employees=employees)


def _by_label(item: tuple[int, str]) -> tuple[str, int]:
    return item[1].casefold(), item[0]
