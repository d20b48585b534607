"""`atalaia holds`, `atalaia retention` and `atalaia subject erase|requests`: the JSON contracts and errors."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.governance_story import Story, tell

HOLD_FIELDS = {"id", "scope", "target", "reason", "owner", "starts_at", "ends_at", "released_at", "active"}


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    return tell(archive_setup)


def test_holds_add_list_and_release(atalaia: Invoke, story: Story) -> None:
    hold = json_of(atalaia("holds", "add", "--phone", "+55 21 98888-7777", "--reason", "processo 0001234-56",
                           "--until", "2099-12-31", "--owner", "dpo@exemplo.com.br", "--json"))  # fmt: skip

    assert set(hold) >= HOLD_FIELDS
    assert (hold["scope"], hold["target"], hold["active"]) == ("phone", "+5521988887777", True)
    assert hold["owner"] == "dpo@exemplo.com.br"
    assert hold["ends_at"].startswith("2100-01-01")
    listed = json_of(atalaia("holds", "list", "--json"))["holds"]
    assert [h["id"] for h in listed] == [hold["id"]]

    released = json_of(atalaia("holds", "release", str(hold["id"]), "--reason", "processo arquivado", "--json"))

    assert released["active"] is False
    assert released["release_reason"] == "processo arquivado"
    assert json_of(atalaia("holds", "list", "--active", "--json"))["holds"] == []
    actions = story.scalar("SELECT count(*) FROM audit_log WHERE action IN ('hold_added', 'hold_released')")
    assert actions == 2
    assert "já foi liberada" in atalaia("holds", "release", str(hold["id"]), "--reason", "de novo", expect=2).stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "+5521988887777", "--reason", " "], "motivo"),
        (["--phone", "+5521988887777", "--line", "+5521999990000", "--reason", "x"], "exatamente um alvo"),
        (["--phone", "+5521988887777", "--reason", "x", "--until", "31/12/2099"], "Data inválida"),
        (["--phone", "+5521988887777", "--reason", "x", "--from", "2030-01-02", "--until", "2030-01-01"], "posterior"),
        (["--line", "+5511900000000", "--reason", "x"], "linha não encontrada"),
        (["--employee", "ninguem@exemplo.com.br", "--reason", "x"], "colaborador não encontrado"),
        (["--conversation", "999", "--reason", "x"], "conversa não encontrada"),
    ],
)
def test_holds_add_refuses_bad_input(atalaia: Invoke, story: Story, args: list[str], message: str) -> None:
    assert message in atalaia("holds", "add", *args, "--json", expect=2).stderr
    assert story.count("legal_holds") == 0


def test_retention_set_list_run_and_verify(atalaia: Invoke, story: Story) -> None:
    rule = json_of(atalaia("retention", "set", "--keep", "30d", "--json"))
    json_of(atalaia("retention", "set", "--keep", "2y", "--kind", "media", "--line", "+5521999990000", "--json"))
    assert (rule["scope"], rule["kind"], rule["keep_days"]) == ("tenant", "all", 30)
    assert len(json_of(atalaia("retention", "list", "--json"))["rules"]) == 2
    atalaia("holds", "add", "--query", "parafusos", "--reason", "auditoria", "--json")

    dry = json_of(atalaia("retention", "run", "--dry-run", "--json"))
    assert (dry["purged"], dry["held"], dry["dry_run"]) == (5, 1, True)  # every message is years old
    assert story.messages() == 6

    result = atalaia("retention", "run", "--json")
    lines = result.stdout.splitlines()
    assert len(lines) == 1  # no progress bar in JSON mode
    purged = json.loads(lines[0])
    assert (purged["purged"], purged["held"], purged["blobs_deleted"]) == (5, 1, 1)
    assert story.messages() == 1
    verified = json_of(atalaia("verify", "--json"))
    assert verified["ok"] is True
    assert verified["problems"] == []
    assert verified["purged"] == 10
    assert verified["purges"] == 1
    assert "Prazo inválido" in atalaia("retention", "set", "--keep", "cinco anos", expect=2).stderr
    assert json_of(atalaia("retention", "remove", str(rule["id"]), "--json")) == {"removed": rule["id"]}


def test_subject_erase_and_requests(atalaia: Invoke, story: Story) -> None:
    result = json_of(atalaia("subject", "erase", "--phone", "+5521988887777", "--reason", "pedido de 01/03", "--json"))

    assert {"erased", "held", "reason_refused"} <= set(result)
    assert (result["erased"], result["held"], result["reason_refused"]) == (3, 0, None)
    requests = json_of(atalaia("subject", "requests", "--json"))["requests"]
    assert [(r["kind"], r["status"], r["overdue"]) for r in requests] == [("erasure", "done", False)]
    verified = json_of(atalaia("verify", "--json"))
    assert verified["ok"] is True
    assert verified["erased"] == 8
    assert verified["erasures"] == 1


def test_subject_erase_refused_by_a_hold_and_bad_input(atalaia: Invoke, story: Story) -> None:
    atalaia("holds", "add", "--phone", "+5521988887777", "--reason", "ação trabalhista", "--json")

    refused = json_of(atalaia("subject", "erase", "--phone", "+5521988887777", "--reason", "pedido", "--json"))

    assert (refused["erased"], refused["held"]) == (0, 3)
    assert "retenção legal" in refused["reason_refused"]
    assert (
        "nenhum contato" in atalaia("subject", "erase", "--phone", "+5511912345678", "--reason", "x", expect=2).stderr
    )
    assert "motivo" in atalaia("subject", "erase", "--phone", "+5521988887777", "--reason", "", expect=2).stderr
