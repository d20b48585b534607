"""`atalaia search --json`: the contract scripts and auditors rely on, its filters and its errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from atalaia.db.models import AuditEntry
from atalaia.domain.events import EditEvent, RevokeEvent
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.factories import T0, chat_with, inbound, outbound


@pytest.fixture
def archived(archive_setup: ArchiveSetup) -> ArchiveSetup:
    """Maria asks for a proposal; Bruno answers, edits a figure, and a message is deleted."""
    archive_setup.archive(
        [
            inbound("m1", "Pode mandar as propostas da reunião?", minutes=0),
            outbound("m2", "Segue a proposta: 10% de desconto", minutes=5),
            inbound("m3", "Recebi a proposta, obrigada", minutes=24 * 60),
        ]
    )
    archive_setup.archive(
        [
            EditEvent(target_message_id="m2", conversation=chat_with(), new_text="Segue a proposta: 15% de desconto",
                      edited_at=T0.replace(minute=30), provider_event_id="e1"),
            RevokeEvent(target_message_id="m3", conversation=chat_with(), revoked_at=T0.replace(day=3),
                        by_line=False, provider_event_id="r1"),
        ]
    )  # fmt: skip
    return archive_setup


def test_it_prints_the_contract_shape(atalaia: Invoke, archived: ArchiveSetup) -> None:
    payload = json_of(atalaia("search", "proposta", "--json"))

    assert payload["total"] == 3
    assert {"total", "hits"} <= set(payload)
    for hit in payload["hits"]:
        assert {"message_id", "conversation_id", "timestamp", "author", "snippet"} <= set(hit)
        assert datetime.fromisoformat(hit["timestamp"]).utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert isinstance(hit["message_id"], int)
        assert isinstance(hit["conversation_id"], int)
    by_author = {hit["author"]: hit for hit in payload["hits"]}
    assert set(by_author) == {"Maria Cliente", "Bruno Vendas"}
    assert "[proposta]" in by_author["Bruno Vendas"]["snippet"]


def test_a_hit_says_it_was_edited_or_deleted(atalaia: Invoke, archived: ArchiveSetup) -> None:
    (edited,) = json_of(atalaia("search", "10%", "--json"))["hits"]  # the old figure still finds it
    assert (edited["edited"], edited["matched_in"], edited["snippet"]) == (
        True,
        "original",
        "Segue a proposta: [10]% de desconto",
    )
    (deleted,) = json_of(atalaia("search", "obrigada", "--json"))["hits"]
    assert deleted["deleted"] is True
    assert json_of(atalaia("search", "proposta", "--not-deleted", "--json"))["total"] == 2


def test_line_dates_and_limit_filter_the_results(atalaia: Invoke, archived: ArchiveSetup) -> None:
    number = archived.line.number
    assert json_of(atalaia("search", "proposta", "--line", number, "--json"))["total"] == 3
    assert json_of(atalaia("search", "proposta", "--line", str(archived.line.id), "--json"))["total"] == 3
    first_day = json_of(atalaia("search", "proposta", "--from", "2024-03-01", "--to", "2024-03-01", "--json"))
    assert first_day["total"] == 2
    assert json_of(atalaia("search", "proposta", "--from", "2024-03-02", "--json"))["total"] == 1
    page = json_of(atalaia("search", "proposta", "--limit", "1", "--json"))
    assert (page["total"], len(page["hits"])) == (3, 1)
    assert json_of(atalaia("search", "proposta", "--direction", "outbound", "--json"))["total"] == 1


def test_it_writes_the_search_to_the_audit_log(atalaia: Invoke, archived: ArchiveSetup) -> None:
    atalaia("search", "desconto", "--json")

    with archived.runtime.sessions() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "search")).scalar_one()
    assert entry.actor == "cli"
    assert entry.detail == {"query": "desconto", "total": 1, "limit": 20, "offset": 0, "filters": {}}


def test_human_output_lists_snippets(atalaia: Invoke, archived: ArchiveSetup) -> None:
    output = atalaia("search", "desconto").stdout
    assert "1-1 de 1 resultado(s)" in output
    assert "[desconto]" in output
    assert "(editada)" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['"proposta'], "aspas"),
        (["-proposta"], "exclusões"),
        (["a*"], "prefixo"),
        (["x" * 10_240], "máximo"),
        (["proposta", "--from", "ontem"], "Data inválida em --from"),
        (["proposta", "--line", "+5599999999999"], "linha não encontrada"),
        (["proposta", "--limit", "0"], "limite"),
        (["proposta", "--tenant", "nenhuma"], "no tenant"),
    ],
)
def test_bad_input_is_one_line_in_portuguese_with_status_2(
    atalaia: Invoke, archived: ArchiveSetup, args: list[str], message: str
) -> None:
    result = atalaia("search", *args, "--json", expect=2)

    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("erro: ")


def test_team_employee_and_alert_filters_are_shared_with_the_console(atalaia: Invoke, archived: ArchiveSetup) -> None:
    assert json_of(atalaia("search", "proposta", "--team", "Vendas", "--json"))["total"] == 3
    assert json_of(atalaia("search", "proposta", "--employee", "bruno@exemplo.com.br", "--json"))["total"] == 3
    assert json_of(atalaia("search", "proposta", "--alert", "--json"))["total"] == 0
    assert json_of(atalaia("search", "proposta", "--no-alert", "--json"))["total"] == 3
    assert "equipe não encontrada" in atalaia("search", "proposta", "--team", "Nada", "--json", expect=2).stderr
