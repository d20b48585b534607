"""What a report PDF shows, read from the database once: the report, the daily series, a row per line.

Gathering is kept apart from drawing (pdf.py) so the same facts feed the PDF served by the
console, the one the CLI writes and the one attached to the weekly e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.analytics import Period, ReportOptions, Scope, build_report
from atalaia.analytics.daily import Day, daily_volumes
from atalaia.db.models import Employee, Line, Team, Tenant

MAX_LINES: Final = 60  # the per-line table's length; a bigger scope is summarised by its totals


@dataclass(frozen=True, slots=True)
class LineRow:
    """One line's figures in the scope and period (numbers and who holds the line, never text)."""

    number: str
    team: str
    employee: str
    messages_in: int
    messages_out: int
    conversations: int
    first_response_median: float | None
    unanswered: int


@dataclass(frozen=True, slots=True)
class ReportDocument:
    tenant_name: str
    scope_label: str  # "Equipe Vendas", "Toda a empresa", ...
    period: Period
    generated_at: datetime
    report: dict[str, Any]
    days: list[Day]
    lines: list[LineRow]
    lines_left_out: int  # lines beyond MAX_LINES


def gather(
    session: Session, *, scope: Scope, period: Period, options: ReportOptions | None = None, now: datetime | None = None
) -> ReportDocument:
    """Every fact of the PDF for `scope` and `period`."""
    now = now or datetime.now(UTC)
    options = options or ReportOptions()
    report = build_report(session, scope=scope, period=period, options=options, now=now)
    tenant = session.get(Tenant, scope.tenant_id)
    found = session.execute(_lines_query(scope)).all()
    return ReportDocument(
        tenant_name=tenant.name if tenant else "",
        scope_label=scope_label(scope),
        period=period,
        generated_at=now,
        report=report,
        days=daily_volumes(session, scope, period),
        lines=[_line_row(session, scope, period, options, now, row) for row in found[:MAX_LINES]],
        lines_left_out=max(0, len(found) - MAX_LINES),
    )


def scope_label(scope: Scope) -> str:
    parts = []
    if scope.team:
        parts.append(f"Equipe {scope.team}")
    if scope.line:
        parts.append(f"Linha {scope.line}")
    if scope.employee:
        parts.append(f"Colaborador {scope.employee}")
    return " · ".join(parts) or "Toda a empresa"


def _lines_query(scope: Scope) -> Any:
    return (
        select(Line.id, Line.number, Team.name, Employee.name, Employee.email)
        .outerjoin(Team, Team.id == Line.team_id)
        .outerjoin(Employee, Employee.id == Line.employee_id)
        .where(Line.tenant_id == scope.tenant_id, scope.line_clause(Line.id))
        .order_by(Line.number)
    )


def _line_row(
    session: Session, scope: Scope, period: Period, options: ReportOptions, now: datetime, row: Any
) -> LineRow:
    """The scope narrowed to one line (an employee's spans on it, if the scope is an employee's)."""
    line_id, number, team, name, email = row
    spans = tuple(s for s in scope.spans if s.line_id == line_id) if scope.spans is not None else None
    one = replace(scope, line_ids=frozenset({line_id}), spans=spans)
    figures = build_report(session, scope=one, period=period, options=options, now=now)
    return LineRow(
        number=number,
        team=team or "—",
        employee=name or email or "—",
        messages_in=figures["messages_in"],
        messages_out=figures["messages_out"],
        conversations=figures["conversations"],
        first_response_median=figures["first_response_seconds"]["median"],
        unanswered=figures["unanswered"],
    )
