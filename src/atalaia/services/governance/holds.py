"""Legal holds: data that neither a retention purge nor an erasure may touch until released.

A hold names a line, an employee (every line they ever held, whenever the message was sent:
over-keeping is the safe side of a hold), a contact by phone (their one-to-one chats and what
they wrote in groups), a conversation, or a search query (the messages it finds, looked up
when asked, so later matches are held too). `held` is the one question purges and erasures ask.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, or_, select, union
from sqlalchemy.orm import Session

from atalaia.db.models import Conversation, Employee, LegalHold, Line, LineAssignment, Message, Tenant
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.search import matching_ids, parse_query, resolve_line
from atalaia.services import audit
from atalaia.services.governance.inputs import require_reason, subject_phone
from atalaia.services.people import normalise_email
from atalaia.services.subject_export.identity import find_subject

SCOPES: Final = ("phone", "line", "conversation", "employee", "query")
ID_CHUNK: Final = 500


@dataclass(frozen=True, slots=True)
class HoldTarget:
    """What a hold covers: exactly one of these."""

    phone: str | None = None
    line: str | None = None
    conversation: int | None = None
    employee: str | None = None
    query: str | None = None

    def scope(self) -> str:
        given = [name for name in SCOPES if getattr(self, name) not in (None, "")]
        if len(given) != 1:
            raise InvalidInput("Indique exatamente um alvo: --phone, --line, --conversation, --employee ou --query.")
        return given[0]


def add_hold(
    session: Session,
    *,
    tenant: Tenant,
    target: HoldTarget,
    reason: str,
    owner: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    now: datetime | None = None,
) -> LegalHold:
    """Place a hold (audited as `hold_added`); it starts now unless `starts_at` says otherwise."""
    now = now or datetime.now(UTC)
    reason = require_reason(reason, what="a retenção legal")
    starts_at = starts_at or now
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("O fim da retenção legal (--until) deve ser posterior ao início.")
    hold = LegalHold(
        tenant_id=tenant.id,
        scope=target.scope(),
        reason=reason,
        owner=owner,
        created_at=now,
        starts_at=starts_at,
        ends_at=ends_at,
        **_resolve(session, tenant.id, target),
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        tenant_id=tenant.id,
        actor=owner,
        action="hold_added",
        object_type="legal_hold",
        object_id=hold.id,
        detail={"scope": hold.scope, "target": hold.target, "reason": reason, "until": _iso(ends_at)},
    )
    return hold


def _resolve(session: Session, tenant_id: int, target: HoldTarget) -> dict[str, Any]:
    scope = target.scope()
    if scope == "phone":
        return {"target": subject_phone(target.phone or "")}
    if scope == "line":
        line_id = resolve_line(session, tenant_id=tenant_id, value=target.line or "")
        return {"target": session.get_one(Line, line_id).number, "line_id": line_id}
    if scope == "conversation":
        found = session.execute(
            select(Conversation.id).where(Conversation.tenant_id == tenant_id, Conversation.id == target.conversation)
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"conversa não encontrada: {target.conversation}")
        return {"target": str(found), "conversation_id": found}
    if scope == "employee":
        email = normalise_email(target.employee or "")
        employee_id = session.execute(
            select(Employee.id).where(Employee.tenant_id == tenant_id, Employee.email == email)
        ).scalar_one_or_none()
        if employee_id is None:
            raise NotFound(f"colaborador não encontrado: {email}")
        return {"target": email, "employee_id": employee_id}
    query = (target.query or "").strip()
    parse_query(query)  # refuses a query that could never be searched
    if len(query) > 500:
        raise InvalidInput("A busca de uma retenção legal tem no máximo 500 caracteres.")
    return {"target": query}


def release_hold(
    session: Session, *, tenant_id: int, hold_id: int, reason: str, actor: str, now: datetime | None = None
) -> LegalHold:
    """End a hold (audited as `hold_released`); its data follows retention and erasure again."""
    now = now or datetime.now(UTC)
    reason = require_reason(reason, what="liberar a retenção legal")
    hold = session.execute(
        select(LegalHold).where(LegalHold.tenant_id == tenant_id, LegalHold.id == hold_id)
    ).scalar_one_or_none()
    if hold is None:
        raise NotFound(f"retenção legal não encontrada: {hold_id}")
    if hold.released_at is not None:
        raise Conflict(f"a retenção legal {hold_id} já foi liberada")
    hold.released_at, hold.released_by, hold.release_reason = now, actor, reason
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="hold_released",
        object_type="legal_hold",
        object_id=hold.id,
        detail={"scope": hold.scope, "target": hold.target, "reason": reason},
    )
    return hold


def list_holds(session: Session, *, tenant_id: int, include_released: bool = True) -> list[LegalHold]:
    query = select(LegalHold).where(LegalHold.tenant_id == tenant_id)
    if not include_released:
        query = query.where(LegalHold.released_at.is_(None))
    return list(session.execute(query.order_by(LegalHold.id)).scalars())


def is_active(hold: LegalHold, now: datetime) -> bool:
    return hold.released_at is None and hold.starts_at <= now and (hold.ends_at is None or now < hold.ends_at)


def hold_as_dict(hold: LegalHold, *, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": hold.id,
        "scope": hold.scope,
        "target": hold.target,
        "reason": hold.reason,
        "owner": hold.owner,
        "created_at": _iso(hold.created_at),
        "starts_at": _iso(hold.starts_at),
        "ends_at": _iso(hold.ends_at),
        "released_at": _iso(hold.released_at),
        "released_by": hold.released_by,
        "release_reason": hold.release_reason,
        "active": is_active(hold, now or datetime.now(UTC)),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def held(session: Session, tenant_id: int, message_ids: Collection[int], *, now: datetime | None = None) -> set[int]:
    """The messages among `message_ids` that an active hold covers: never purge or erase these."""
    found: set[int] = set()
    for ids in held_by(session, tenant_id, message_ids, now=now).values():
        found |= ids
    return found


def held_by(
    session: Session, tenant_id: int, message_ids: Collection[int], *, now: datetime | None = None
) -> dict[int, set[int]]:
    """Per active hold id, the messages among `message_ids` it covers (holds covering none left out)."""
    now = now or datetime.now(UTC)
    ids = sorted(set(message_ids))
    result: dict[int, set[int]] = {}
    if not ids:
        return result
    for hold in list_holds(session, tenant_id=tenant_id, include_released=False):
        if not is_active(hold, now):
            continue
        covered = _covered(session, tenant_id, hold, ids)
        if covered:
            result[hold.id] = covered
    return result


def _covered(session: Session, tenant_id: int, hold: LegalHold, ids: list[int]) -> set[int]:
    if hold.scope == "query":
        return matching_ids(session, tenant_id=tenant_id, query=parse_query(hold.target), message_ids=ids)
    condition = _condition(session, tenant_id, hold)
    if condition is None:
        return set()
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            session.execute(
                select(Message.id).where(Message.tenant_id == tenant_id, Message.id.in_(chunk), condition)
            ).scalars()
        )
    return found


def _condition(session: Session, tenant_id: int, hold: LegalHold) -> ColumnElement[bool] | None:
    """A clause over `Message` for what the hold covers; None when it covers nothing now."""
    if hold.scope == "line":
        return Message.line_id == hold.line_id
    if hold.scope == "conversation":
        return Message.conversation_id == hold.conversation_id
    if hold.scope == "employee":
        lines = list(
            session.execute(
                union(
                    select(LineAssignment.line_id).where(
                        LineAssignment.tenant_id == tenant_id, LineAssignment.employee_id == hold.employee_id
                    ),
                    select(Line.id).where(Line.tenant_id == tenant_id, Line.employee_id == hold.employee_id),
                )
            ).scalars()
        )
        return Message.line_id.in_(lines) if lines else None
    contacts = contacts_for_phone(session, tenant_id, hold.target)
    if not contacts:
        return None
    chats = select(Conversation.id).where(Conversation.tenant_id == tenant_id, Conversation.contact_id.in_(contacts))
    return or_(Message.author_contact_id.in_(contacts), Message.conversation_id.in_(chats))


def contacts_for_phone(session: Session, tenant_id: int, e164: str) -> list[int]:
    """The tenant's contacts behind this phone, found as `subject export` and erasure find them."""
    try:
        return list(find_subject(session, tenant_id=tenant_id, query=e164).contact_ids)
    except NotFound:
        return []


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]
