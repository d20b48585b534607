"""Corporate lines: numbers the company owns, each on one provider, assigned to an employee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from atalaia.db.models import Attachment, CaptureGap, Employee, Line, LineAssignment, Message, Team
from atalaia.domain.enums import LineStatus, Provider
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.security.keys import open_sealed, seal
from atalaia.security.tokens import hash_token, new_token
from atalaia.services.people import ensure_employee, ensure_team


def normalise_number(number: str, *, default_region: str = "BR") -> str:
    """E.164 for any way a number is written; Brazilian numbers may omit +55."""
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"invalid phone number {number!r}: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"invalid phone number {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True, slots=True)
class CreatedLine:
    line: Line
    token: str | None  # gateways only; shown once


def add_line(
    session: Session,
    *,
    tenant_id: int,
    number: str,
    provider: str,
    phone_number_id: str | None = None,
    instance: str | None = None,
    team: str | None = None,
    employee_email: str | None = None,
    employee_name: str | None = None,
    timezone: str = "America/Sao_Paulo",
    data_key: bytes | None = None,
) -> CreatedLine:
    """`data_key` (the tenant's) seals a gateway line's token so WAHA's HMAC can be checked."""
    e164 = normalise_number(number)
    try:
        kind = Provider(provider)
    except ValueError:
        raise InvalidInput(
            f"unknown provider {provider!r}: use one of {', '.join(p.value for p in Provider)}"
        ) from None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {timezone!r}") from None
    if kind is Provider.CLOUD and not phone_number_id:
        raise InvalidInput("a Cloud API line needs --phone-number-id (WhatsApp Manager → phone numbers)")
    if session.execute(select(Line.id).where(Line.tenant_id == tenant_id, Line.number == e164)).first():
        raise Conflict(f"line {e164} already exists")
    if phone_number_id and session.execute(select(Line.id).where(Line.phone_number_id == phone_number_id)).first():
        raise Conflict(f"phone number id {phone_number_id} is already used by another line")
    team_row = ensure_team(session, tenant_id=tenant_id, name=team) if team else None
    employee = (
        ensure_employee(
            session,
            tenant_id=tenant_id,
            email=employee_email,
            name=employee_name,
            team_id=team_row.id if team_row else None,
        )
        if employee_email
        else None
    )
    token = new_token() if kind.is_gateway else None
    line = Line(
        tenant_id=tenant_id,
        number=e164,
        provider=kind.value,
        phone_number_id=phone_number_id,
        instance=instance,
        status=(LineStatus.CONNECTED if kind is Provider.EXPORT else LineStatus.PENDING).value,
        employee_id=employee.id if employee else None,
        team_id=team_row.id if team_row else (employee.team_id if employee else None),
        timezone=timezone,
        token_hash=hash_token(token) if token else None,
        token_sealed=seal(data_key, token.encode(), aad=token_aad(tenant_id, e164)) if token and data_key else None,
        created_at=datetime.now(UTC),
    )
    session.add(line)
    session.flush()
    if employee is not None:
        _assign(session, line, employee.id, now=line.created_at)
    return CreatedLine(line=line, token=token)


def reassign_line(
    session: Session,
    *,
    tenant_id: int,
    number: str,
    employee_email: str,
    employee_name: str | None = None,
    team: str | None = None,
    now: datetime,
) -> tuple[Line, str | None]:
    """Give a line to another employee; its archive stays with the line, the old holder's
    period is closed, so every past message remains the conduct of whoever held it then.
    Returns the line and the previous holder's e-mail."""
    line = get_line(session, tenant_id=tenant_id, number=number)
    if line.status == LineStatus.RETIRED.value:
        raise Conflict(f"line {line.number} is retired")
    team_row = ensure_team(session, tenant_id=tenant_id, name=team) if team else None
    employee = ensure_employee(session, tenant_id=tenant_id, email=employee_email, name=employee_name,
                               team_id=team_row.id if team_row else None)  # fmt: skip
    previous = session.get(Employee, line.employee_id) if line.employee_id else None
    if previous is not None and previous.id == employee.id:
        raise Conflict(f"line {line.number} is already assigned to {employee.email}")
    _close_assignment(session, line, now=now)
    line.employee_id = employee.id
    line.team_id = team_row.id if team_row else (employee.team_id or line.team_id)
    _assign(session, line, employee.id, now=now)
    return line, previous.email if previous else None


def retire_line(session: Session, *, tenant_id: int, number: str, now: datetime) -> Line:
    """Stop capturing on a line and keep everything it archived; its gateway token stops working."""
    line = get_line(session, tenant_id=tenant_id, number=number)
    if line.status == LineStatus.RETIRED.value:
        raise Conflict(f"line {line.number} is already retired")
    _close_assignment(session, line, now=now)
    line.status = LineStatus.RETIRED.value
    line.token_hash = None
    line.token_sealed = None
    session.flush()
    return line


def _assign(session: Session, line: Line, employee_id: int, *, now: datetime) -> None:
    session.add(LineAssignment(tenant_id=line.tenant_id, line_id=line.id, employee_id=employee_id, started_at=now))
    session.flush()


def _close_assignment(session: Session, line: Line, *, now: datetime) -> None:
    session.execute(
        update(LineAssignment)
        .where(LineAssignment.line_id == line.id, LineAssignment.ended_at.is_(None))
        .values(ended_at=now)
    )


def token_aad(tenant_id: int, number: str) -> bytes:
    return f"line-token:{tenant_id}:{number}".encode()


def line_token(line: Line, *, data_key: bytes) -> str | None:
    """The gateway token in clear, for HMAC checks; None for lines without one."""
    if line.token_sealed is None:
        return None
    return open_sealed(data_key, line.token_sealed, aad=token_aad(line.tenant_id, line.number)).decode()


def get_line(session: Session, *, tenant_id: int, number: str) -> Line:
    e164 = normalise_number(number)
    line = session.execute(select(Line).where(Line.tenant_id == tenant_id, Line.number == e164)).scalar_one_or_none()
    if line is None:
        raise NotFound(f"no line {e164} in this tenant")
    return line


def record_history_progress(session: Session, *, line_id: int, phase: int | None, progress: int, now: datetime) -> None:
    """Keep a line's backfill progress, never moving it back (chunks arrive in any order)."""
    phase = phase or 0
    current_phase = func.coalesce(Line.history_phase, -1)
    ahead = or_(
        Line.history_progress.is_(None),
        current_phase < phase,
        and_(current_phase == phase, Line.history_progress < progress),
    )
    session.execute(
        update(Line)
        .where(Line.id == line_id, ahead)
        .values(history_phase=phase, history_progress=progress, history_updated_at=now)
    )


@dataclass(frozen=True, slots=True)
class LineOverview:
    """One row of the console's lines table."""

    number: str
    provider: str
    status: str
    team: str | None
    employee: str | None
    last_event_at: datetime | None
    history_phase: int | None
    history_progress: int | None
    media_waiting: int  # downloads queued or being retried
    media_failed: int  # downloads that gave up (or whose bytes did not match)
    gap_since: datetime | None = None  # an open capture gap: messages since then may be missing
    gap_reason: str | None = None  # silence | disconnected
    id: int = 0


def line_overview(session: Session, *, tenant_id: int, team_ids: frozenset[int] | None = None) -> list[LineOverview]:
    """Every line of the tenant (or of these teams) with what an administrator checks first:
    status, backfill, media problems."""
    media = (
        select(
            Message.line_id,
            func.count().filter(Attachment.download_status.in_(("pending", "retrying"))).label("waiting"),
            func.count()
            .filter(Attachment.download_status.in_(("failed", "mismatch", "refused", "too_large")))
            .label("failed"),
        )
        .join(Message, Message.id == Attachment.message_id)
        .where(Attachment.tenant_id == tenant_id, Attachment.download_status != "stored")
        .group_by(Message.line_id)
        .subquery()
    )
    gaps = (
        select(CaptureGap.line_id, func.min(CaptureGap.started_at).label("since"),
               func.max(CaptureGap.reason).label("reason"))
        .where(CaptureGap.tenant_id == tenant_id, CaptureGap.ended_at.is_(None))
        .group_by(CaptureGap.line_id)
        .subquery()
    )  # fmt: skip
    rows = session.execute(
        select(Line, Team.name, Employee.name, media.c.waiting, media.c.failed, gaps.c.since, gaps.c.reason)
        .outerjoin(Team, Team.id == Line.team_id)
        .outerjoin(Employee, Employee.id == Line.employee_id)
        .outerjoin(media, media.c.line_id == Line.id)
        .outerjoin(gaps, gaps.c.line_id == Line.id)
        .where(Line.tenant_id == tenant_id, Line.team_id.in_(team_ids) if team_ids is not None else true())
        .order_by(Line.number)
    ).all()
    return [
        LineOverview(
            number=line.number,
            provider=line.provider,
            status=line.status,
            team=team,
            employee=employee,
            last_event_at=line.last_event_at,
            history_phase=line.history_phase,
            history_progress=line.history_progress,
            media_waiting=int(waiting or 0),
            media_failed=int(failed or 0),
            gap_since=_aware(since),
            gap_reason=reason,
            id=line.id,
        )
        for line, team, employee, waiting, failed, since, reason in rows
    ]


def _aware(moment: datetime | str | None) -> datetime | None:
    """A subquery's min() comes back untyped from SQLite (text): read it as the UTC it was stored in."""
    if moment is None:
        return None
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True, slots=True)
class Holder:
    """One period of a line in someone's hands."""

    email: str
    name: str
    started_at: datetime
    ended_at: datetime | None


def line_history(session: Session, *, line_id: int) -> list[Holder]:
    """Who held the line, newest first: a reassigned line keeps every earlier holder."""
    rows = session.execute(
        select(Employee.email, Employee.name, LineAssignment.started_at, LineAssignment.ended_at)
        .join(Employee, Employee.id == LineAssignment.employee_id)
        .where(LineAssignment.line_id == line_id)
        .order_by(LineAssignment.started_at.desc(), LineAssignment.id.desc())
    ).all()
    return [Holder(email, name, started, ended) for email, name, started, ended in rows]


def visible_line(session: Session, *, tenant_id: int, line_id: int, team_ids: frozenset[int] | None) -> Line:
    """A line of the tenant (of these teams, for a manager); out of scope answers like missing."""
    line = session.get(Line, line_id)
    if line is None or line.tenant_id != tenant_id or (team_ids is not None and line.team_id not in team_ids):
        raise NotFound("linha não encontrada")
    return line
