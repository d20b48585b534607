"""`atalaia users totp-reset`: an administrator removes a lost second factor from the command line."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, RecoveryCode, Tenant, TotpCredential, User
from atalaia.runtime import Runtime
from atalaia.services.totp import begin_enrolment, confirm_enrolment, second_factor_required
from tests.cli.conftest import Invoke, json_of


def _enrolled_user(atalaia: Invoke, runtime: Runtime) -> int:
    atalaia("users", "create", "--email", "ana@exemplo.com.br", "--role", "compliance")
    with transaction(runtime.sessions) as session:
        user = session.execute(select(User)).scalar_one()
        tenant_row = session.get(Tenant, user.tenant_id)
        assert tenant_row is not None
        key = runtime.data_key(tenant_row)
        enrolment = begin_enrolment(session, user=user, data_key=key)
        confirm_enrolment(session, user=user, data_key=key, code=pyotp.TOTP(enrolment.secret).now())
        assert second_factor_required(session, user=user)
        return user.id


def test_totp_reset_removes_the_second_factor_and_is_audited(atalaia: Invoke, runtime: Runtime) -> None:
    user_id = _enrolled_user(atalaia, runtime)

    out = json_of(atalaia("users", "totp-reset", "--email", "ANA@exemplo.com.br", "--json"))

    assert out == {"email": "ana@exemplo.com.br", "was_enabled": True}
    with runtime.sessions() as session:
        assert session.get(TotpCredential, user_id) is None
        assert session.execute(select(RecoveryCode)).first() is None
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "totp_reset")).scalar_one()
    assert (entry.actor, entry.object_type, entry.object_id) == ("cli", "user", str(user_id))
    assert entry.detail == {"email": "ana@exemplo.com.br", "was_enabled": True}

    again = atalaia("users", "totp-reset", "--email", "ana@exemplo.com.br")
    assert "was not enabled" in again.stdout


def test_totp_reset_of_an_unknown_user_fails(atalaia: Invoke) -> None:
    result = atalaia("users", "totp-reset", "--email", "ninguem@exemplo.com.br", expect=2)
    assert "no user" in result.stderr
