"""`atalaia demo --no-serve`: the demo company, a DPO and an administrator who can sign in."""

from __future__ import annotations

import re
import stat

from sqlalchemy import delete, select

from atalaia.db.engine import transaction
from atalaia.db.models import User
from atalaia.runtime import Runtime
from atalaia.security.passwords import verify_password
from atalaia.services.demo import LOGIN_FILE
from atalaia.settings import Settings
from tests.cli.conftest import Invoke


def sign_ins(output: str) -> dict[str, str]:
    dpo = re.search(r"entrar com: (\S+)\nsenha:\s+(\S+)", output)
    admin = re.search(r"administração \(linhas, pessoas, regras de uso\): (\S+)\s+senha: (\S+)", output)
    assert dpo is not None, output
    assert admin is not None, output
    return {dpo[1]: dpo[2], admin[1]: admin[2]}


def roles_that_accept(settings: Settings, logins: dict[str, str]) -> dict[str, str]:
    runtime = Runtime.from_settings(settings, migrate=False)
    try:
        with runtime.sessions() as session:
            users = session.execute(select(User).where(User.email.in_(list(logins)))).scalars().all()
            return {u.email: u.role for u in users if verify_password(u.password_hash, logins[u.email])}
    finally:
        runtime.close()


def test_the_demo_prints_a_dpo_and_an_administrator_who_can_sign_in(atalaia: Invoke, settings: Settings) -> None:
    first = sign_ins(atalaia("demo", "--messages", "200", "--no-serve").output)
    again = sign_ins(atalaia("demo", "--messages", "200", "--no-serve").output)

    assert roles_that_accept(settings, first) == {"dpo@exemplo.com.br": "compliance", "admin@exemplo.com.br": "admin"}
    assert again == first  # kept in ATALAIA_HOME for the next run
    login_file = settings.home / LOGIN_FILE
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600


def test_a_demo_loaded_before_the_administrator_existed_gets_one(atalaia: Invoke, settings: Settings) -> None:
    first = sign_ins(atalaia("demo", "--messages", "200", "--no-serve").output)
    login_file = settings.home / LOGIN_FILE
    login_file.write_text(f"dpo@exemplo.com.br\n{first['dpo@exemplo.com.br']}\n")  # the old two-line file
    runtime = Runtime.from_settings(settings, migrate=False)
    with transaction(runtime.sessions) as session:
        session.execute(delete(User).where(User.email == "admin@exemplo.com.br"))
    runtime.close()

    later = sign_ins(atalaia("demo", "--messages", "200", "--no-serve").output)

    assert later["dpo@exemplo.com.br"] == first["dpo@exemplo.com.br"]
    assert roles_that_accept(settings, later) == {"dpo@exemplo.com.br": "compliance", "admin@exemplo.com.br": "admin"}


def test_a_garbled_login_file_resets_both_passwords(atalaia: Invoke, settings: Settings) -> None:
    first = sign_ins(atalaia("demo", "--messages", "200", "--no-serve").output)
    (settings.home / LOGIN_FILE).write_text("\x00 nonsense")

    later = sign_ins(atalaia("demo", "--messages", "200", "--no-serve").output)

    assert set(later.values()).isdisjoint(first.values())
    assert roles_that_accept(settings, later) == {"dpo@exemplo.com.br": "compliance", "admin@exemplo.com.br": "admin"}
