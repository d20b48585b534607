"""What a console or API user may export, checked against their scope before a job is queued.

The command line exports with an administrator's reach; here the requester's scope applies
(services/access.py): a conversation, a line or a case (an alert) must be one they can see, and
one they cannot answers exactly like one that does not exist (404), the attempt audited as
denied. A search query runs over the whole tenant, so only the roles that see the whole tenant
may export one. The worker checks all of it again with the requester as they are then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Alert, Conversation, Line
from atalaia.errors import Forbidden, InvalidInput, NotFound
from atalaia.exports import SelectionSpec
from atalaia.search import parse_query, resolve_line
from atalaia.services import audit
from atalaia.services.access import Principal, scope_filter, visible_lines
from atalaia.services.compliance.actor import Actor, alert_scope

KINDS: Final = ("conversation", "line", "case", "query")
MAX_QUERY_CHARS: Final = 500  # as a legal hold's query: a search is a few words, not a document
MAX_LINE_CHARS: Final = 40  # "+55 (21) 99999-0000" and its spellings fit easily
MAX_ID: Final = 2**63 - 1
QUERY_FOR_WHOLE_TENANT: Final = (
    "exportar por busca abrange o tenant inteiro: peça à conformidade, ou exporte uma conversa, linha ou caso"
)


def parse_selection(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Exactly one of conversation, line, case or query, typed and bounded; a clear error otherwise."""
    given = {key: value for key, value in raw.items() if value not in (None, "")}
    unknown = sorted(set(given) - set(KINDS))
    if unknown:
        raise InvalidInput(f"seleção desconhecida: {', '.join(str(k)[:40] for k in unknown[:5])}")
    if len(given) != 1:
        raise InvalidInput("escolha exatamente um entre conversa, linha, caso e busca")
    ((kind, value),) = given.items()
    if kind in ("conversation", "case"):
        return {kind: _identifier(value, "conversa" if kind == "conversation" else "caso")}
    text = value.strip() if isinstance(value, str) else None
    if not text:
        raise InvalidInput("a linha precisa de um número" if kind == "line" else "a busca está vazia")
    if kind == "line":
        if len(text) > MAX_LINE_CHARS:
            raise InvalidInput(f"número de linha longo demais (máximo {MAX_LINE_CHARS} caracteres)")
        return {"line": text}
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"a busca tem no máximo {MAX_QUERY_CHARS} caracteres")
    parse_query(text)  # refuses a query that could never run, before anything is queued
    return {"query": text}


def _identifier(value: Any, label: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"número de {label} inválido")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 19:
        number = int(value.strip())
    else:
        raise InvalidInput(f"número de {label} inválido")
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(f"número de {label} inválido")
    return number


def spec_of(selection: Mapping[str, Any]) -> SelectionSpec:
    """The stored selection as the export service takes it."""
    return SelectionSpec(
        conversation=selection.get("conversation"),
        line=selection.get("line"),
        case=selection.get("case"),
        query=selection.get("query"),
    )


def check_in_scope(session: Session, *, principal: Principal, selection: Mapping[str, Any], ip: str | None) -> None:
    """NotFound (audited as denied) for what the principal cannot see; Forbidden for a query they may not run."""
    if "query" in selection:
        if not principal.sees_whole_tenant:
            raise Forbidden(QUERY_FOR_WHOLE_TENANT)
        return
    if "conversation" in selection:
        found = session.execute(
            select(Conversation.id).where(scope_filter(principal), Conversation.id == selection["conversation"])
        ).scalar_one_or_none()
        _require(session, principal, found, "conversation", selection["conversation"], "conversa não encontrada", ip)
        return
    if "case" in selection:
        actor = Actor.from_principal(principal)
        found = session.execute(
            select(Alert.id).where(alert_scope(actor, tenant_id=principal.tenant_id), Alert.id == selection["case"])
        ).scalar_one_or_none()
        _require(session, principal, found, "alert", selection["case"], "caso não encontrado", ip)
        return
    try:
        line_id: int | None = resolve_line(session, tenant_id=principal.tenant_id, value=selection["line"])
    except NotFound:
        line_id = None
    visible = line_id is not None and session.execute(visible_lines(principal).where(Line.id == line_id)).first()
    _require(session, principal, line_id if visible else None, "line", selection["line"], "linha não encontrada", ip)


def _require(
    session: Session, principal: Principal, found: int | None, object_type: str, object_id: Any, message: str,
    ip: str | None,
) -> None:  # fmt: skip
    if found is not None:
        return
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
        action="export_requested", object_type=object_type, object_id=str(object_id)[:80], outcome="denied",
        detail={"role": principal.role.value}, ip=ip,
    )  # fmt: skip
    raise NotFound(message)
