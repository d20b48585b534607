"""Corporate lines: numbers the company owns, each on one provider, assigned to an employee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Line
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
    return CreatedLine(line=line, token=token)


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
