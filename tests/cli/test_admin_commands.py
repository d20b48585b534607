"""users, lines, stats and verify, with their --json contracts."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Line, Tenant, User
from atalaia.runtime import Runtime
from atalaia.security.tokens import hash_token
from atalaia.services.lines import line_token
from atalaia.services.tenancy import ensure_tenant
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.factories import inbound


def test_users_create_prints_a_generated_password_once(atalaia: Invoke, runtime: Runtime) -> None:
    out = json_of(atalaia("users", "create", "--email", "Ana@Exemplo.com.br", "--role", "compliance", "--json"))

    assert out["email"] == "ana@exemplo.com.br"
    assert out["role"] == "compliance"
    assert len(out["password"]) >= 12
    with runtime.sessions() as session:
        stored = session.execute(select(User.password_hash)).scalar_one()
    assert out["password"] not in stored


def test_users_create_with_a_password_prints_none(atalaia: Invoke) -> None:
    out = json_of(
        atalaia(
            "users",
            "create",
            "--email",
            "b@exemplo.com.br",
            "--role",
            "admin",
            "--password",
            "x" * 14,
            "--json",
        )
    )
    assert "password" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nao-e-email", "--role", "admin"], "invalid e-mail"),
        (["--email", "c@exemplo.com.br", "--role", "chefe"], "unknown role"),
        (["--email", "c@exemplo.com.br", "--role", "manager"], "--team"),
        (["--email", "c@exemplo.com.br", "--role", "admin", "--password", "curta"], "12 characters"),
    ],
)
def test_users_create_explains_bad_input(atalaia: Invoke, args: list[str], message: str) -> None:
    result = atalaia("users", "create", *args, expect=2)
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_lines_add_normalises_the_number_and_shows_a_gateway_token_once(atalaia: Invoke, runtime: Runtime) -> None:
    out = json_of(
        atalaia(
            "lines",
            "add",
            "--number",
            "(21) 99999-0000",
            "--provider",
            "evolution",
            "--team",
            "Vendas",
            "--json",
        )
    )

    assert (out["number"], out["provider"]) == ("+5521999990000", "evolution")
    assert out["token"].startswith("atl_")
    with runtime.sessions() as session:
        line = session.execute(select(Line)).scalar_one()
    assert line.token_hash == hash_token(out["token"])


def test_lines_add_refuses_duplicates_and_bad_numbers(atalaia: Invoke) -> None:
    atalaia("lines", "add", "--number", "+5521999990000", "--provider", "export", "--json")

    assert (
        "already exists"
        in atalaia("lines", "add", "--number", "+55 21 99999-0000", "--provider", "export", expect=2).stderr
    )
    assert "invalid phone" in atalaia("lines", "add", "--number", "12", "--provider", "export", expect=2).stderr
    assert (
        "phone-number-id"
        in atalaia("lines", "add", "--number", "+5511988887777", "--provider", "cloud", expect=2).stderr
    )


def test_an_unknown_tenant_is_an_error(atalaia: Invoke) -> None:
    assert "no tenant" in atalaia("stats", "--tenant", "outra", expect=2).stderr


def test_stats_counts_the_archive(atalaia: Invoke, archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([inbound("wamid.1"), inbound("wamid.2", minutes=1)])

    out = json_of(atalaia("stats", "--json"))
    assert out["messages"] == 2
    assert out["conversations"] == 1
    assert out["contacts"] == 1
    assert out["journal"] == {"accepted": 0, "rejected": 0, "failed": 0}


def test_verify_reports_ok_then_the_exact_row_after_a_raw_update(
    atalaia: Invoke, archive_setup: ArchiveSetup, db_url: str
) -> None:
    archive_setup.archive([inbound("wamid.1", "bom dia"), inbound("wamid.2", "boa tarde", minutes=1)])
    assert json_of(atalaia("verify", "--json"))["ok"] is True

    with archive_setup.runtime.engine.connect() as conn:
        target = conn.exec_driver_sql("SELECT id FROM messages WHERE provider_message_id = 'wamid.2'").scalar_one()
    if db_url.startswith("sqlite"):
        # As an intruder would: the sqlite3 module on the database file, no Atalaia code involved.
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as raw:
            raw.execute("UPDATE messages SET text = 'adulterado' WHERE id = ?", (target,))
    else:
        with archive_setup.runtime.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE messages SET text = 'adulterado' WHERE id = {int(target)}")

    out = json_of(atalaia("verify", "--json", expect=1))
    assert out["ok"] is False
    assert out["problems"] == [
        {
            "record": f"message:{target}",
            "kind": "modified",
            "detail": "stored fields differ from what was archived",
        }
    ]


def test_a_second_tenant_is_isolated(atalaia: Invoke, runtime: Runtime, archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([inbound("wamid.1")])
    with transaction(runtime.sessions) as session:
        ensure_tenant(session, keyring=runtime.keyring, slug="acme")

    assert json_of(atalaia("stats", "--tenant", "acme", "--json"))["messages"] == 0
    assert json_of(atalaia("verify", "--tenant", "acme", "--json"))["ok"] is True


def test_a_gateway_token_is_kept_sealed_for_hmac_checks(atalaia: Invoke, runtime: Runtime) -> None:
    out = json_of(atalaia("lines", "add", "--number", "+5521977770000", "--provider", "waha", "--json"))

    with runtime.sessions() as session:
        line = session.execute(select(Line)).scalar_one()
        tenant = session.get(Tenant, line.tenant_id)
    assert tenant is not None
    assert out["token"].encode() not in (line.token_sealed or b"")
    assert line_token(line, data_key=runtime.data_key(tenant)) == out["token"]


def test_users_token_issues_a_working_bearer_token_once(atalaia: Invoke, runtime: Runtime) -> None:
    atalaia("users", "create", "--email", "ana@exemplo.com.br", "--role", "compliance", "--json")

    out = json_of(atalaia("users", "token", "--email", "ana@exemplo.com.br", "--name", "relatórios", "--json"))

    with runtime.sessions() as session:
        from atalaia.services.auth import resolve_api_token

        assert resolve_api_token(session, out["token"]).email == "ana@exemplo.com.br"
    assert "no user" in atalaia("users", "token", "--email", "x@exemplo.com.br", expect=2).stderr
