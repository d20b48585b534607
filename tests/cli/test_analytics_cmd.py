"""`atalaia analytics rebuild`: repairs the rollups so `atalaia report` gives the archive's figures again."""

from __future__ import annotations

from sqlalchemy import delete

from atalaia.db.engine import transaction
from atalaia.db.models import MessageRollup
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.integration.test_analytics_rollups import START, Traffic, archive, recomputed, stored

PERIOD = ("--from", "2024-04-25", "--to", "2024-05-20")


def test_rebuild_restores_the_report_after_the_rollups_were_lost(archive_setup: ArchiveSetup, atalaia: Invoke) -> None:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    traffic = Traffic(4, [archive_setup.line.id])
    for _ in range(3):
        archive(archive_setup, traffic.batch())
    before = json_of(atalaia("report", *PERIOD, "--json"))
    assert before["messages_in"] + before["messages_out"] > 0
    with transaction(runtime.sessions) as session:
        session.execute(delete(MessageRollup))
    emptied = json_of(atalaia("report", *PERIOD, "--json"))
    assert emptied["messages_in"] + emptied["messages_out"] == 0  # the report really reads the rollups
    summary = json_of(atalaia("analytics", "rebuild", "--json"))
    assert summary["lines"] == 1
    assert summary["since"] is None
    assert summary["messages"] == sum(recomputed(runtime, tenant.id).values())
    assert stored(runtime, tenant.id) == recomputed(runtime, tenant.id)
    assert json_of(atalaia("report", *PERIOD, "--json")) == before


def test_rebuild_since_a_date_and_in_words(archive_setup: ArchiveSetup, atalaia: Invoke) -> None:
    archive(archive_setup, Traffic(6, [archive_setup.line.id]).batch())
    day = (START.date()).isoformat()
    summary = json_of(atalaia("analytics", "rebuild", "--since", day, "--json"))
    assert summary["since"] == "2024-05-01T03:00:00+00:00"  # midnight in São Paulo, the tenant's zone
    words = atalaia("analytics", "rebuild").stdout
    assert "agregados recalculados: 1 linha(s)" in words


def test_rebuild_refuses_bad_input(archive_setup: ArchiveSetup, atalaia: Invoke) -> None:
    bad = atalaia("analytics", "rebuild", "--since", "ontem'; DROP TABLE messages", expect=2)
    assert "data inválida em --since" in bad.stderr
    unknown = atalaia("analytics", "rebuild", "--tenant", "nao-existe", expect=2)
    assert "erro:" in unknown.stderr
