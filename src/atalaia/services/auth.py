"""Signing in: passwords, console sessions and API tokens.

Session cookies and API tokens are 256-bit random values; only their SHA-256 is stored, so a
copy of the database lets nobody sign in. Failed sign-ins are audited like successful ones.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from atalaia.db.models import ApiToken, LoginSession, Tenant, User
from atalaia.errors import Unauthorized
from atalaia.security.passwords import verify_password
from atalaia.security.tokens import hash_token, new_token
from atalaia.services import audit

INVALID_LOGIN = "e-mail ou senha inválidos"


def check_password(session: Session, *, tenant_slug: str, email: str, password: str, ip: str | None = None) -> User:
    """The user whose password this is, or Unauthorized (audited). Not yet signed in: see `record_sign_in`."""
    tenant = session.execute(select(Tenant).where(Tenant.slug == tenant_slug)).scalar_one_or_none()
    user = None
    if tenant is not None:
        user = session.execute(
            select(User).where(User.tenant_id == tenant.id, User.email == email.strip().lower())
        ).scalar_one_or_none()
    # verify_password checks a dummy hash when the user is unknown: same time either way.
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        if tenant is not None:
            audit.record(session, tenant_id=tenant.id, actor=email.strip().lower()[:320], action="login_failed",
                         outcome="denied", ip=ip)  # fmt: skip
        raise Unauthorized(INVALID_LOGIN)
    return user


def record_sign_in(session: Session, *, user: User, ip: str | None = None, second_factor: str | None = None) -> None:
    """Audits a completed sign-in (password, and the second factor when the user has one) and keeps its time."""
    detail = {"second_factor": second_factor} if second_factor else None
    audit.record(session, tenant_id=user.tenant_id, actor=user.email, user_id=user.id, action="login", ip=ip,
                 detail=detail)  # fmt: skip
    user.last_login_at = datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StartedSession:
    cookie_token: str
    csrf_token: str
    expires_at: datetime


def start_session(
    session: Session, *, user: User, hours: int, ip: str | None = None, user_agent: str | None = None
) -> StartedSession:
    token = new_token()
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=hours)
    session.add(
        LoginSession(
            tenant_id=user.tenant_id,
            user_id=user.id,
            token_hash=hash_token(token),
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
            ip=(ip or "")[:64] or None,
            user_agent=(user_agent or "")[:400] or None,
        )
    )
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    return StartedSession(cookie_token=token, csrf_token=csrf, expires_at=expires)


def resolve_session(session: Session, token: str | None) -> tuple[User, LoginSession] | None:
    if not token:
        return None
    row = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == hash_token(token))
    ).one_or_none()
    if row is None:
        return None
    login, user = row
    if login.expires_at <= datetime.now(UTC) or not user.is_active:
        return None
    return user, login


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))


def issue_api_token(session: Session, *, user: User, name: str, expires_at: datetime | None = None) -> str:
    """A new bearer token for `user`, returned once."""
    token = new_token()
    session.add(
        ApiToken(
            tenant_id=user.tenant_id,
            user_id=user.id,
            name=name[:120],
            token_hash=hash_token(token),
            created_at=datetime.now(UTC),
            expires_at=expires_at,
        )
    )
    audit.record(session, tenant_id=user.tenant_id, actor=user.email, user_id=user.id, action="token_issued",
                 detail={"name": name[:120]})  # fmt: skip
    return token


def resolve_api_token(session: Session, token: str | None) -> User:
    if not token:
        raise Unauthorized("token ausente")
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_token(token))
    ).one_or_none()
    now = datetime.now(UTC)
    if row is None:
        raise Unauthorized("token inválido")
    api_token, user = row
    if api_token.revoked_at is not None or (api_token.expires_at and api_token.expires_at <= now) or not user.is_active:
        raise Unauthorized("token revogado ou expirado")
    session.execute(update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))
    return user


def revoke_api_token(session: Session, token: str) -> None:
    session.execute(
        update(ApiToken).where(ApiToken.token_hash == hash_token(token)).values(revoked_at=datetime.now(UTC))
    )
