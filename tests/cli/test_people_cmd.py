"""`atalaia people invite` and `atalaia people acceptances`, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from atalaia.db.engine import transaction
from atalaia.runtime import Runtime
from atalaia.services.onboarding import accept
from atalaia.settings import Settings
from tests.cli.conftest import Invoke, json_of
from tests.onboarding_story import token_in
from tests.smtp_server import running_smtp


def test_an_invitation_from_the_command_line_is_emailed_and_its_acceptance_reported(
    atalaia: Invoke, settings: Settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    atalaia("lines", "add", "--number", "+5521988887777", "--provider", "evolution", "--json")
    with running_smtp() as box:
        monkeypatch.setenv("ATALAIA_SMTP_URL", box.url)
        sent = json_of(atalaia("people", "invite", "--email", "Elisa@Exemplo.com.br", "--name", "Elisa Vendas",
                               "--team", "Vendas", "--line", "+55 21 98888-7777", "--json"))  # fmt: skip
    assert sent["email"] == "elisa@exemplo.com.br"
    assert sent["line"] == "+5521988887777"
    assert sent["email_status"] == "sent"
    assert sent["email_error"] is None
    token = token_in(box.to("elisa@exemplo.com.br"))
    assert sent["link"].endswith(token)

    before = json_of(atalaia("people", "acceptances", "--json"))
    assert before["current_version"] == 1
    assert before["accepted"] == 0
    assert [(e["email"], e["status"], e["invitation"]) for e in before["employees"]] == [
        ("elisa@exemplo.com.br", "pending", "open")
    ]
    runtime = Runtime.from_settings(Settings(), migrate=False)
    try:
        with transaction(runtime.sessions) as session:
            accept(session, token=token, version=1, now=datetime.now(UTC), ip="10.0.0.8", user_agent="Firefox")
    finally:
        runtime.close()
    after = json_of(atalaia("people", "acceptances", "--json"))
    assert after["accepted"] == 1
    assert after["employees"][0]["status"] == "accepted"
    assert after["employees"][0]["accepted_version"] == 1
    assert [(a["email"], a["version"], a["ip"]) for a in after["acceptances"]] == [
        ("elisa@exemplo.com.br", 1, "10.0.0.8")
    ]
    text = atalaia("people", "acceptances").stdout
    assert "aceitou a versão em vigor v1" in text


def test_without_smtp_the_command_prints_the_link(atalaia: Invoke) -> None:
    result = atalaia("people", "invite", "--email", "gui@exemplo.com.br", "--name", "Gui")
    assert "e-mail not_configured (ATALAIA_SMTP_URL não está configurado)" in result.stdout
    assert "/onboarding/onb_" in result.stdout


def test_bad_input_is_one_clear_line_and_exit_status_2(atalaia: Invoke) -> None:
    bad_email = atalaia("people", "invite", "--email", "nada", "--name", "X", expect=2)
    assert "e-mail inválido" in bad_email.output
    no_line = atalaia("people", "invite", "--email", "a@exemplo.com.br", "--name", "A", "--line", "+5521900000000",
                      expect=2)  # fmt: skip
    assert "no line" in no_line.output
    assert "Traceback" not in no_line.output
    assert json_of(atalaia("people", "acceptances", "--json"))["employees"] == []
