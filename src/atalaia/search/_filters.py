"""Filters beside the words: always the tenant, then line, period, direction, kind, and who may see what.

`visible_line_ids` and `scope` are the hooks for access control: a manager's principal gives
the lines of their teams (`visible_line_ids`), or any clause over `Message` columns (`scope`);
`None` means no restriction, an empty collection means nothing is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from atalaia.db.models import Attachment, Contact, Conversation, Line, Message
from atalaia.domain.enums import Direction, MessageKind
from atalaia.errors import InvalidInput, NotFound
from atalaia.search._query import SearchQueryError
from atalaia.services.lines import normalise_number

Scope = ColumnElement[bool] | Callable[[type[Message]], ColumnElement[bool]]
ONE_MICROSECOND: Final = timedelta(microseconds=1)
MAX_ID_DIGITS: Final = 12  # longer digit strings are phone numbers, not row ids


@dataclass(frozen=True, slots=True)
class SearchFilters:
    line_ids: Collection[int] | None = None
    sent_from: datetime | None = None  # inclusive
    sent_before: datetime | None = None  # exclusive
    direction: str | None = None
    kinds: Collection[str] | None = None
    conversation_id: int | None = None
    contact_id: int | None = None  # the author, or the other party of a direct chat
    has_attachment: bool | None = None
    deleted: bool | None = None  # deleted for everyone (still searchable, see docs/decisions/0006)
    edited: bool | None = None
    visible_line_ids: Collection[int] | None = None
    scope: Scope | None = None

    def nothing_visible(self) -> bool:
        return self.visible_line_ids is not None and not self.visible_line_ids

    def needs_messages(self) -> bool:
        """Whether a filter reads more of a message than its line, time and direction (an index may copy those)."""
        return any(
            value is not None
            for value in (
                self.kinds,
                self.conversation_id,
                self.contact_id,
                self.has_attachment,
                self.deleted,
                self.edited,
                self.scope,
            )
        )

    def describe(self) -> dict[str, Any]:
        """The filters for the audit log, JSON-ready; unset ones left out."""
        values: dict[str, Any] = {
            "line_ids": sorted(self.line_ids) if self.line_ids is not None else None,
            "from": self.sent_from.isoformat() if self.sent_from else None,
            "before": self.sent_before.isoformat() if self.sent_before else None,
            "direction": self.direction,
            "kinds": sorted(self.kinds) if self.kinds is not None else None,
            "conversation_id": self.conversation_id,
            "contact_id": self.contact_id,
            "has_attachment": self.has_attachment,
            "deleted": self.deleted,
            "edited": self.edited,
            "visible_line_ids": sorted(self.visible_line_ids) if self.visible_line_ids is not None else None,
            "scoped": True if self.scope is not None else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def conditions(filters: SearchFilters, *, tenant_id: int) -> list[ColumnElement[bool]]:
    """WHERE clauses over `Message` for these filters, the tenant first."""
    where: list[ColumnElement[bool]] = [Message.tenant_id == tenant_id]
    if filters.line_ids is not None:
        where.append(Message.line_id.in_(list(filters.line_ids)))
    if filters.visible_line_ids is not None:
        where.append(Message.line_id.in_(list(filters.visible_line_ids)))
    if filters.sent_from is not None:
        where.append(Message.sent_at >= filters.sent_from)
    if filters.sent_before is not None:
        where.append(Message.sent_at < filters.sent_before)
    if filters.direction is not None:
        if filters.direction not in {d.value for d in Direction}:
            raise SearchQueryError(f"Direção desconhecida: {filters.direction!r}. Use inbound ou outbound.")
        where.append(Message.direction == filters.direction)
    if filters.kinds is not None:
        unknown = set(filters.kinds) - {k.value for k in MessageKind}
        if unknown:
            raise SearchQueryError(f"Tipo de mensagem desconhecido: {', '.join(sorted(unknown))}.")
        where.append(Message.kind.in_(list(filters.kinds)))
    if filters.conversation_id is not None:
        where.append(Message.conversation_id == filters.conversation_id)
    if filters.contact_id is not None:
        chats = select(Conversation.id).where(
            Conversation.tenant_id == tenant_id, Conversation.contact_id == filters.contact_id
        )
        where.append(or_(Message.author_contact_id == filters.contact_id, Message.conversation_id.in_(chats)))
    if filters.has_attachment is not None:
        attached = exists().where(Attachment.message_id == Message.id)
        where.append(attached if filters.has_attachment else ~attached)
    if filters.deleted is not None:
        where.append(Message.revoked_at.is_not(None) if filters.deleted else Message.revoked_at.is_(None))
    if filters.edited is not None:
        where.append(Message.edited_at.is_not(None) if filters.edited else Message.edited_at.is_(None))
    if filters.scope is not None:
        where.append(filters.scope(Message) if callable(filters.scope) else filters.scope)
    return where


def parse_date_bound(value: str, *, timezone: str, end: bool, label: str = "o período") -> datetime:
    """A period bound typed by a person: a date (a whole day in `timezone`) or an ISO date-time.

    `end=True` gives the exclusive upper bound: the day after a date, so `--to 2024-03-01`
    includes all of 1 March, or the instant just after a date-time. A date-time without an
    offset is read in `timezone` (the tenant's), as the people searching think in it.
    """
    text = value.strip()
    zone = ZoneInfo(timezone)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SearchQueryError(
            f"Data inválida em {label}: {value!r}. Use AAAA-MM-DD ou data e hora ISO, como 2024-03-01T14:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment + ONE_MICROSECOND if end else moment


def resolve_line(session: Session, *, tenant_id: int, value: str) -> int:
    """A line of this tenant by id or by number in any common spelling."""
    text = value.strip()
    query = select(Line.id).where(Line.tenant_id == tenant_id)
    if text.isdigit() and len(text) <= MAX_ID_DIGITS:
        found = session.execute(query.where(Line.id == int(text))).scalar_one_or_none()
        if found is not None:
            return found
    try:
        number = normalise_number(text)
    except InvalidInput:
        raise NotFound(f"linha não encontrada: {value!r}") from None
    found = session.execute(query.where(Line.number == number)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"linha não encontrada: {value!r}")
    return found


def resolve_contact(session: Session, *, tenant_id: int, value: str) -> int:
    """A contact of this tenant by id or by phone number."""
    text = value.strip()
    query = select(Contact.id).where(Contact.tenant_id == tenant_id)
    if text.isdigit() and len(text) <= MAX_ID_DIGITS:
        found = session.execute(query.where(Contact.id == int(text))).scalar_one_or_none()
        if found is not None:
            return found
    try:
        number = normalise_number(text)
    except InvalidInput:
        raise NotFound(f"contato não encontrado: {value!r}") from None
    found = session.execute(query.where(Contact.phone == number).order_by(Contact.id).limit(1)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"contato não encontrado: {value!r}")
    return found
