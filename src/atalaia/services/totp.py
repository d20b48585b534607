"""The TOTP second factor: enrolment, the sign-in check, recovery codes, disabling, the admin reset.

The secret is sealed with the tenant's data key (AES-256-GCM), with the tenant and user ids as
associated data: a copy of the database yields nothing, and a sealed secret copied onto another
user's row does not open. A code is accepted once: the accepted time step is claimed with a
conditional UPDATE, so two requests racing with the same code cannot both win. Every step is
audited; a refusal is audited first and then raised as `SecondFactorRefused`, which callers answer
(committing the evidence) rather than let it roll the transaction back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from atalaia.db.models import RecoveryCode, TotpCredential, User
from atalaia.errors import Conflict, Unauthorized
from atalaia.security.keys import open_sealed, seal
from atalaia.security.passwords import hash_password, verify_password
from atalaia.security.totp import (
    format_recovery_code,
    looks_like_code,
    matching_step,
    new_recovery_codes,
    new_secret,
    normalise_recovery_code,
    provisioning_uri,
    recovery_selector,
)
from atalaia.services import audit

WRONG_CODE: Final = "código inválido ou já usado"
WRONG_PASSWORD: Final = "senha incorreta"  # noqa: S105 - a message, not a password
ALREADY_ON: Final = "a verificação em duas etapas já está ativa"
NOT_STARTED: Final = "nenhuma ativação em andamento; comece de novo"


class SecondFactorRefused(Unauthorized):
    """A code, recovery code or password was refused; the refusal is already in the audit log."""


@dataclass(frozen=True, slots=True)
class TotpStatus:
    enrolled: bool
    pending: bool  # enrolment started, first code not yet confirmed
    recovery_codes_left: int


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str  # shown to the person once per page, never stored in clear
    uri: str  # otpauth://, what the QR code carries


def _aad(user: User) -> bytes:
    return f"totp:{user.tenant_id}:{user.id}".encode()


def _now() -> datetime:
    return datetime.now(UTC)


def _record(
    session: Session,
    user: User,
    action: str,
    *,
    ip: str | None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        tenant_id=user.tenant_id,
        actor=user.email,
        user_id=user.id,
        action=action,
        object_type="user",
        object_id=user.id,
        outcome=outcome,
        detail=detail,
        ip=ip,
    )


def _unused_codes(session: Session, user_id: int) -> int:
    query = select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return int(session.execute(query).scalar_one())


def totp_status(session: Session, *, user_id: int) -> TotpStatus:
    credential = session.get(TotpCredential, user_id)
    enrolled = credential is not None and credential.confirmed_at is not None
    return TotpStatus(
        enrolled=enrolled,
        pending=credential is not None and not enrolled,
        recovery_codes_left=_unused_codes(session, user_id) if enrolled else 0,
    )


def second_factor_required(session: Session, *, user: User) -> bool:
    credential = session.get(TotpCredential, user.id)
    return credential is not None and credential.confirmed_at is not None


def _secret(credential: TotpCredential, user: User, data_key: bytes) -> str:
    return open_sealed(data_key, credential.secret_sealed, aad=_aad(user)).decode("ascii")


def begin_enrolment(session: Session, *, user: User, data_key: bytes, ip: str | None = None) -> Enrolment:
    """A new secret, pending until `confirm_enrolment` sees its first code; replaces an earlier pending one."""
    credential = session.get(TotpCredential, user.id)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict(ALREADY_ON)
    secret = new_secret()
    sealed = seal(data_key, secret.encode("ascii"), aad=_aad(user))
    if credential is None:
        session.add(TotpCredential(user_id=user.id, tenant_id=user.tenant_id, secret_sealed=sealed, created_at=_now()))
    else:
        credential.secret_sealed, credential.created_at, credential.last_step = sealed, _now(), None
    _record(session, user, "totp_enrolment_started", ip=ip)
    return Enrolment(secret=secret, uri=provisioning_uri(secret, account=user.email))


def pending_enrolment(session: Session, *, user: User, data_key: bytes) -> Enrolment | None:
    """The enrolment waiting for its first code, to show its QR code again; None when there is none."""
    credential = session.get(TotpCredential, user.id)
    if credential is None or credential.confirmed_at is not None:
        return None
    secret = _secret(credential, user, data_key)
    return Enrolment(secret=secret, uri=provisioning_uri(secret, account=user.email))


def confirm_enrolment(
    session: Session, *, user: User, data_key: bytes, code: str, ip: str | None = None, now: float | None = None
) -> list[str]:
    """Turns the second factor on after a first good code; returns the recovery codes, shown once."""
    credential = session.get(TotpCredential, user.id)
    if credential is None or credential.confirmed_at is not None:
        raise Conflict(ALREADY_ON if credential is not None else NOT_STARTED)
    step = matching_step(_secret(credential, user, data_key), code, now=now)
    if step is None:
        _record(session, user, "totp_enrolment_failed", ip=ip, outcome="denied")
        raise SecondFactorRefused(WRONG_CODE)
    credential.confirmed_at, credential.last_step = _now(), step
    codes = _replace_recovery_codes(session, user)
    _record(session, user, "totp_enabled", ip=ip, detail={"recovery_codes": len(codes)})
    return [format_recovery_code(code) for code in codes]


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = new_recovery_codes()
    now = _now()
    for code in codes:
        session.add(
            RecoveryCode(
                tenant_id=user.tenant_id,
                user_id=user.id,
                selector=recovery_selector(code),
                code_hash=hash_password(code),
                created_at=now,
            )
        )
    return codes


def _claim_step(session: Session, user_id: int, step: int) -> bool:
    """Records `step` as used unless it (or a later one) already was: the replay check, race-free."""
    claimed = session.execute(
        update(TotpCredential)
        .where(
            TotpCredential.user_id == user_id,
            or_(TotpCredential.last_step.is_(None), TotpCredential.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], claimed).rowcount == 1


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    candidates = session.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.selector == recovery_selector(code),
            RecoveryCode.used_at.is_(None),
        )
    ).all()
    if not candidates:
        verify_password(None, code)  # the same argon2 cost whether or not the selector exists
    for row_id, code_hash in candidates:
        if verify_password(code_hash, code):
            used = session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
                .values(used_at=_now())
                .execution_options(synchronize_session=False)
            )
            return cast(CursorResult[Any], used).rowcount == 1
    return False


def check_sign_in_code(
    session: Session, *, user: User, data_key: bytes, code: str, ip: str | None = None, now: float | None = None
) -> str:
    """Checks a 6-digit code or a recovery code; returns which one was used ("totp" or "recovery_code")."""
    credential = session.get(TotpCredential, user.id)
    if credential is None or credential.confirmed_at is None:
        _record(session, user, "login_second_factor_failed", ip=ip, outcome="denied", detail={"reason": "not_enrolled"})
        raise SecondFactorRefused(WRONG_CODE)
    text = code.strip()
    if looks_like_code(text):
        step = matching_step(_secret(credential, user, data_key), text, now=now)
        if step is not None and _claim_step(session, user.id, step):
            return "totp"
        reason = "wrong_code" if step is None else "replayed_code"
    else:
        recovery = normalise_recovery_code(text)
        if recovery is not None and _use_recovery_code(session, user, recovery):
            _record(session, user, "recovery_code_used", ip=ip, detail={"left": _unused_codes(session, user.id)})
            return "recovery_code"
        reason = "wrong_recovery_code" if recovery is not None else "malformed"
    _record(session, user, "login_second_factor_failed", ip=ip, outcome="denied", detail={"reason": reason})
    raise SecondFactorRefused(WRONG_CODE)


def _remove(session: Session, user_id: int) -> bool:
    """Deletes the secret and the recovery codes; True when the second factor had been on."""
    credential = session.get(TotpCredential, user_id)
    was_on = credential is not None and credential.confirmed_at is not None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.execute(delete(TotpCredential).where(TotpCredential.user_id == user_id))
    return was_on


def disable_totp(session: Session, *, user: User, password: str, ip: str | None = None) -> None:
    """The person turns their own second factor off; their password is asked again."""
    if not verify_password(user.password_hash, password):
        _record(session, user, "totp_disable_failed", ip=ip, outcome="denied", detail={"reason": "wrong_password"})
        raise SecondFactorRefused(WRONG_PASSWORD)
    _remove(session, user.id)
    _record(session, user, "totp_disabled", ip=ip)


def reset_totp(
    session: Session, *, user: User, actor: str, actor_user_id: int | None = None, ip: str | None = None
) -> bool:
    """An administrator removes someone's second factor (a lost phone); returns whether it was on."""
    was_on = _remove(session, user.id)
    audit.record(
        session,
        tenant_id=user.tenant_id,
        actor=actor,
        user_id=actor_user_id,
        action="totp_reset",
        object_type="user",
        object_id=user.id,
        detail={"email": user.email, "was_enabled": was_on},
        ip=ip,
    )
    return was_on
