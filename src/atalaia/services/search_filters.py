"""Search filters as people and scripts type them, resolved the same way for the CLI, the console and the API.

`SearchOptions` holds what was typed (a line's number or id, a team's name or id, dates as
text...). `build_filters` resolves it against the tenant into the filters `atalaia.search` runs,
adding what that package does not know about: teams and employees (through their lines) and
compliance alerts (a clause over `Message`). A value that names nothing, or nothing the caller
may see, is refused like a bad query (`SearchQueryError`), so every interface explains it the
same way and an out-of-scope line or contact reads exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from atalaia.db.models import AlertHit, Conversation, Employee, Line, Message, Team
from atalaia.errors import NotFound
from atalaia.search import SearchFilters, SearchQueryError, parse_date_bound, resolve_contact, resolve_line
from atalaia.services.access import Principal, visible_lines

MAX_ID_DIGITS: Final = 12  # as in the search package: longer digit strings are not row ids
MAX_NAME_CHARS: Final = 320  # an e-mail's limit; longer input names nothing


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """The filters of one search as typed; empty strings and sequences mean "any"."""

    lines: Sequence[str] = ()  # numbers in any spelling, or ids
    team: str | None = None  # name or id
    employee: str | None = None  # e-mail or id: the messages on the lines they hold
    contact: str | None = None  # phone or id: author, or other party of a direct chat
    date_from: str | None = None  # AAAA-MM-DD (a whole day in the tenant's zone) or ISO date-time
    date_to: str | None = None  # inclusive
    direction: str | None = None  # inbound | outbound
    kinds: Sequence[str] = ()
    conversation_id: int | None = None
    has_attachment: bool | None = None
    has_alert: bool | None = None
    deleted: bool | None = None
    edited: bool | None = None


@dataclass(frozen=True, slots=True)
class ArchiveFilters(SearchFilters):
    """`SearchFilters` plus what was asked beyond it, so the audit entry says it too.

    Team and employee are already folded into `line_ids`, alerts into `scope`; these fields only
    describe.
    """

    team_id: int | None = None
    employee_id: int | None = None
    has_alert: bool | None = None

    def describe(self) -> dict[str, Any]:
        extra = {"team_id": self.team_id, "employee_id": self.employee_id, "has_alert": self.has_alert}
        return SearchFilters.describe(self) | {key: value for key, value in extra.items() if value is not None}


def build_filters(
    session: Session,
    *,
    tenant_id: int,
    timezone: str,
    options: SearchOptions,
    principal: Principal | None = None,
    date_labels: tuple[str, str] = ("o início do período", "o fim do período"),
) -> ArchiveFilters:
    """Resolve `options` for the tenant; `principal=None` is the whole tenant (the command line).

    1. The lines the principal may see (None: all of them); a manager's become `visible_line_ids`.
    2. Each line named, then the team's and the employee's lines, each within those visible;
       naming several intersects them (a line of team X held by Y).
    3. The contact, by id or phone; for a manager, only one seen on their lines.
    4. Dates as whole days in the tenant's zone (`date_to` inclusive), labelled for the message.
    5. Alerts as an EXISTS over the alert hits of the message.
    """
    if principal is not None and principal.tenant_id != tenant_id:
        raise ValueError("principal of another tenant")
    visible = _visible(session, principal)
    line_ids: set[int] | None = None
    if options.lines:
        line_ids = {_line(session, tenant_id=tenant_id, value=value, visible=visible) for value in options.lines}
    team_id = employee_id = None
    if options.team:
        team_id, team_lines = _team(session, tenant_id=tenant_id, value=options.team, principal=principal)
        line_ids = team_lines if line_ids is None else line_ids & team_lines
    if options.employee:
        employee_id, held = _employee(session, tenant_id=tenant_id, value=options.employee, visible=visible)
        line_ids = held if line_ids is None else line_ids & held
    from_label, to_label = date_labels
    return ArchiveFilters(
        line_ids=sorted(line_ids) if line_ids is not None else None,
        sent_from=parse_date_bound(options.date_from, timezone=timezone, end=False, label=from_label)
        if options.date_from
        else None,
        sent_before=parse_date_bound(options.date_to, timezone=timezone, end=True, label=to_label)
        if options.date_to
        else None,
        direction=options.direction or None,
        kinds=[kind for kind in options.kinds if kind] or None,
        conversation_id=options.conversation_id,
        contact_id=_contact(session, tenant_id=tenant_id, value=options.contact, visible=visible)
        if options.contact
        else None,
        has_attachment=options.has_attachment,
        deleted=options.deleted,
        edited=options.edited,
        visible_line_ids=sorted(visible) if visible is not None else None,
        scope=_alerted(has_alert=options.has_alert) if options.has_alert is not None else None,
        team_id=team_id,
        employee_id=employee_id,
        has_alert=options.has_alert,
    )


def _visible(session: Session, principal: Principal | None) -> set[int] | None:
    if principal is None or principal.sees_whole_tenant:
        return None
    return set(session.execute(visible_lines(principal)).scalars())


def _cleaned(value: str) -> str:
    """Typed text safe to look up: no NUL (PostgreSQL refuses it) and no digits that are not
    decimal ("²" passes `isdigit` but not `int`), bounded."""
    text = value.replace("\x00", "").strip()[:MAX_NAME_CHARS]
    return "" if text.isdigit() and not text.isdecimal() else text


def _line(session: Session, *, tenant_id: int, value: str, visible: set[int] | None) -> int:
    try:
        line_id = resolve_line(session, tenant_id=tenant_id, value=_cleaned(value))
    except NotFound as exc:
        raise SearchQueryError(exc.message) from None
    if visible is not None and line_id not in visible:
        raise SearchQueryError(f"linha não encontrada: {value!r}")
    return line_id


def _id_or_text(value: str) -> tuple[int | None, str]:
    """An id when `value` is short decimal digits; the cleaned text otherwise."""
    text = _cleaned(value)
    if text.isdecimal() and len(text) <= MAX_ID_DIGITS:
        return int(text), text
    return None, text


def _team(session: Session, *, tenant_id: int, value: str, principal: Principal | None) -> tuple[int, set[int]]:
    """The team (by id, else by name, case ignored) and its lines; a manager names only theirs."""
    team_id, text = _id_or_text(value)
    query = select(Team.id).where(Team.tenant_id == tenant_id)
    found = session.execute(query.where(Team.id == team_id)).scalar_one_or_none() if team_id is not None else None
    if found is None and text:
        named = or_(Team.name == text, func.lower(Team.name) == text.lower())  # SQLite lowers ASCII only
        by_name = query.where(named).order_by(Team.id).limit(1)
        found = session.execute(by_name).scalar_one_or_none()
    if found is None or (principal is not None and not principal.sees_whole_tenant and found not in principal.team_ids):
        raise SearchQueryError(f"equipe não encontrada: {value!r}")
    lines = session.execute(select(Line.id).where(Line.tenant_id == tenant_id, Line.team_id == found)).scalars()
    return found, set(lines)


def _employee(session: Session, *, tenant_id: int, value: str, visible: set[int] | None) -> tuple[int, set[int]]:
    """The employee (by id, else by e-mail) and the lines they hold now, within those visible.

    A manager names only employees holding one of their lines, so no other team's person is
    confirmed to exist.
    """
    employee_id, text = _id_or_text(value)
    query = select(Employee.id).where(Employee.tenant_id == tenant_id)
    found = (
        session.execute(query.where(Employee.id == employee_id)).scalar_one_or_none()
        if employee_id is not None
        else None
    )
    if found is None and text:
        found = session.execute(query.where(func.lower(Employee.email) == text.lower())).scalar_one_or_none()
    held = set()
    if found is not None:
        held = set(
            session.execute(select(Line.id).where(Line.tenant_id == tenant_id, Line.employee_id == found)).scalars()
        )
    if found is None or (visible is not None and not held & visible):
        raise SearchQueryError(f"colaborador não encontrado: {value!r}")
    return found, held if visible is None else held & visible


def _contact(session: Session, *, tenant_id: int, value: str, visible: set[int] | None) -> int:
    """The contact by id or phone; a manager names only one who wrote or was talked to on their lines."""
    try:
        contact_id = resolve_contact(session, tenant_id=tenant_id, value=_cleaned(value))
    except NotFound as exc:
        raise SearchQueryError(exc.message) from None
    if visible is not None:
        lines = sorted(visible)
        seen = session.execute(
            select(
                or_(
                    exists().where(Conversation.contact_id == contact_id, Conversation.line_id.in_(lines)),
                    exists().where(Message.author_contact_id == contact_id, Message.line_id.in_(lines)),
                )
            )
        ).scalar_one()
        if not seen:
            raise SearchQueryError(f"contato não encontrado: {value!r}")
    return contact_id


def _alerted(*, has_alert: bool) -> ColumnElement[bool]:
    """Messages with (or without) a hit of any alert; correlated with the search's `Message`.

    A hit below its rule's threshold has no alert yet (`alert_id` NULL) and does not count.
    """
    hit = exists().where(
        AlertHit.message_id == Message.id, AlertHit.tenant_id == Message.tenant_id, AlertHit.alert_id.is_not(None)
    )
    return hit if has_alert else ~hit
