"""Who a report is about: a tenant, narrowed to a team's or a line's lines, and to an employee's time on them.

Every metric applies the same predicate to a (line, moment) pair — a message's line and send
time, an alert's line and first hit — so the figures of one scope always agree with each other.
An employee is credited with what happened on a line while they held it (`line_assignments`);
the first holder of a line is taken to have held it from the beginning, since history backfills
and chat exports bring messages older than the line's registration in Atalaia.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from atalaia.db.models import Employee, Line, LineAssignment, Team
from atalaia.errors import InvalidInput, NotFound
from atalaia.services.lines import normalise_number
from atalaia.services.people import normalise_email

_BEGINNING = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Span:
    """A line held by the scope's employee from `start` (None: always) until `end` (None: still)."""

    line_id: int
    start: datetime | None
    end: datetime | None

    def holds(self, line_id: int, moment: datetime) -> bool:
        return (
            line_id == self.line_id
            and (self.start is None or moment >= self.start)
            and (self.end is None or moment < self.end)
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """`line_ids` None means every line of the tenant; `spans` None means nobody in particular."""

    tenant_id: int
    line_ids: frozenset[int] | None = None
    spans: tuple[Span, ...] | None = None
    team: str | None = None
    line: str | None = None  # E.164
    line_timezone: str | None = None  # the line's zone when the scope is one line
    employee: str | None = None  # e-mail

    def line_clause(self, line_col: Any) -> ColumnElement[bool]:
        """The scope's lines, whatever the time: what a walk through whole chats reads."""
        return true() if self.line_ids is None else line_col.in_(sorted(self.line_ids))

    def clause(self, line_col: Any, time_col: Any) -> ColumnElement[bool]:
        """The scope over a (line, moment) pair of columns, for SQL."""
        if self.spans is None:
            return self.line_clause(line_col)
        if not self.spans:
            return false()
        return or_(*(_span_clause(span, line_col, time_col) for span in self.spans))

    def holds(self, line_id: int, moment: datetime) -> bool:
        """The same predicate in Python, for rows already read."""
        if self.line_ids is not None and line_id not in self.line_ids:
            return False
        return self.spans is None or any(span.holds(line_id, moment) for span in self.spans)

    def describe(self) -> dict[str, str | None]:
        return {"team": self.team, "line": self.line, "employee": self.employee}


def _span_clause(span: Span, line_col: Any, time_col: Any) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = [line_col == span.line_id]
    if span.start is not None:
        parts.append(time_col >= span.start)
    if span.end is not None:
        parts.append(time_col < span.end)
    return and_(*parts)


def resolve_scope(
    session: Session, *, tenant_id: int, team: str | None = None, line: str | None = None, employee: str | None = None
) -> Scope:
    """The scope named on the command line (or by the console); unknown names raise NotFound."""
    line_ids: set[int] | None = None
    team_name = line_number = line_zone = email = None
    if team is not None:
        team_row = _team(session, tenant_id, team)
        team_name = team_row.name
        line_ids = set(
            session.execute(select(Line.id).where(Line.tenant_id == tenant_id, Line.team_id == team_row.id)).scalars()
        )
    if line is not None:
        line_row = _line(session, tenant_id, line)
        line_number, line_zone = line_row.number, line_row.timezone
        line_ids = {line_row.id} if line_ids is None else line_ids & {line_row.id}
    spans: tuple[Span, ...] | None = None
    if employee is not None:
        employee_row = _employee(session, tenant_id, employee)
        email = employee_row.email
        spans = tuple(
            s for s in employee_spans(session, tenant_id, employee_row.id) if line_ids is None or s.line_id in line_ids
        )
        held = {s.line_id for s in spans}
        line_ids = held if line_ids is None else line_ids & held
    return Scope(
        tenant_id=tenant_id,
        line_ids=frozenset(line_ids) if line_ids is not None else None,
        spans=spans,
        team=team_name,
        line=line_number,
        line_timezone=line_zone,
        employee=email,
    )


def employee_spans(session: Session, tenant_id: int, employee_id: int) -> list[Span]:
    """The employee's periods on each line; a line's first recorded assignment reaches back to its beginning."""
    rows = session.execute(
        select(LineAssignment.id, LineAssignment.line_id, LineAssignment.started_at, LineAssignment.ended_at).where(
            LineAssignment.tenant_id == tenant_id, LineAssignment.employee_id == employee_id
        )
    ).all()
    firsts = set(
        session.execute(
            select(func.min(LineAssignment.id))
            .where(LineAssignment.tenant_id == tenant_id, LineAssignment.line_id.in_({r.line_id for r in rows}))
            .group_by(LineAssignment.line_id)
        ).scalars()
    )
    spans = [Span(r.line_id, None if r.id in firsts else r.started_at, r.ended_at) for r in rows]
    # Lines that name the employee without any assignment on record (none since migration 0006).
    assigned = set(
        session.execute(select(LineAssignment.line_id).where(LineAssignment.tenant_id == tenant_id)).scalars()
    )
    unrecorded = session.execute(
        select(Line.id).where(Line.tenant_id == tenant_id, Line.employee_id == employee_id)
    ).scalars()
    spans.extend(Span(line_id, None, None) for line_id in unrecorded if line_id not in assigned)
    return sorted(spans, key=lambda s: (s.line_id, s.start is not None, s.start or _BEGINNING))


def _team(session: Session, tenant_id: int, name: str) -> Team:
    wanted = name.strip()
    rows: Sequence[Team] = session.execute(select(Team).where(Team.tenant_id == tenant_id)).scalars().all()
    exact = [t for t in rows if t.name == wanted] or [t for t in rows if t.name.casefold() == wanted.casefold()]
    if not exact:
        raise NotFound(f"equipe não encontrada: {name!r}")
    return exact[0]


def _line(session: Session, tenant_id: int, value: str) -> Line:
    try:
        number = normalise_number(value)
    except InvalidInput:
        raise InvalidInput(f"número de linha inválido: {value!r} (use +55 DDD número)") from None
    row = session.execute(select(Line).where(Line.tenant_id == tenant_id, Line.number == number)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"linha não encontrada: {number}")
    return row


def _employee(session: Session, tenant_id: int, value: str) -> Employee:
    try:
        email = normalise_email(value)
    except InvalidInput:
        raise InvalidInput(f"e-mail inválido: {value!r}") from None
    row = session.execute(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.email == email)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"colaborador não encontrado: {email}")
    return row
