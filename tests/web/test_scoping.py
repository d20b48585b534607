"""Managers see their own team only, by page and by API; every read and every refusal is audited."""

from __future__ import annotations

from sqlalchemy import select

from atalaia.db.models import AuditEntry
from tests.web.conftest import Story, sign_in


def audit(story: Story, actor: str) -> list[tuple[str, str, str | None]]:
    with story.setup.runtime.sessions() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.outcome, AuditEntry.object_id).where(AuditEntry.actor == actor)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_carla_gets_404_for_a_vendas_conversation_by_url_and_it_is_audited(story: Story) -> None:
    sign_in(story.client, "carla@exemplo.com.br")

    response = story.client.get(f"/conversations/{story.vendas_conversation}")

    assert response.status_code == 404
    assert "Quero um desconto" not in response.text
    assert ("read_conversation", "denied", str(story.vendas_conversation)) in audit(story, "carla@exemplo.com.br")


def test_carla_gets_404_by_api_too(story: Story) -> None:
    headers = {"Authorization": f"Bearer {story.tokens['carla']}"}

    response = story.client.get(f"/api/v1/conversations/{story.vendas_conversation}", headers=headers)
    listing = story.client.get("/api/v1/conversations", headers=headers).json()["conversations"]

    assert response.status_code == 404
    assert [c["id"] for c in listing] == [story.suporte_conversation]
    assert ("read_conversation", "denied", str(story.vendas_conversation)) in audit(story, "carla@exemplo.com.br")


def test_bruno_reads_his_team_and_the_read_is_audited(story: Story) -> None:
    sign_in(story.client, "bruno@exemplo.com.br")

    page = story.client.get(f"/conversations/{story.vendas_conversation}")

    assert page.status_code == 200
    assert "Quero um desconto no plano" in page.text
    assert ("read_conversation", "ok", str(story.vendas_conversation)) in audit(story, "bruno@exemplo.com.br")
    assert story.client.get(f"/conversations/{story.suporte_conversation}").status_code == 404


def test_ana_sees_everything_and_the_auditor_reads_are_audited(story: Story) -> None:
    ana = {"Authorization": f"Bearer {story.tokens['ana']}"}
    davi = {"Authorization": f"Bearer {story.tokens['davi']}"}

    assert story.client.get("/api/v1/conversations", headers=ana).json()["total"] == 2
    assert story.client.get(f"/api/v1/conversations/{story.suporte_conversation}", headers=davi).status_code == 200
    assert ("read_conversation", "ok", str(story.suporte_conversation)) in audit(story, "davi@exemplo.com.br")


def test_a_manager_cannot_read_tenant_wide_counts(story: Story) -> None:
    response = story.client.get("/api/v1/stats", headers={"Authorization": f"Bearer {story.tokens['bruno']}"})
    assert response.status_code == 403
    assert response.json()["ok"] is False
