"""/api/v1/lines, /api/v1/analytics and /api/v1/policies: scoped by role, errors explained."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from atalaia.db.models import AuditEntry
from tests.web.conftest import Story

POLICY = """
policies:
  - id: dados-pessoais
    severity: high
    rules:
      - detect: cpf
"""


def get(story: Story, who: str, path: str, **params: Any) -> Any:
    return story.client.get(path, params=params, headers={"Authorization": f"Bearer {story.tokens[who]}"})


def post(story: Story, who: str, path: str, body: dict[str, Any]) -> Any:
    return story.client.post(path, json=body, headers={"Authorization": f"Bearer {story.tokens[who]}"})


def test_lines_are_scoped_to_a_managers_teams(story: Story) -> None:
    everyone = get(story, "ana", "/api/v1/lines").json()
    bruno = get(story, "bruno", "/api/v1/lines").json()

    assert sorted(line["team"] for line in everyone) == ["Suporte", "Vendas"]
    assert [line["team"] for line in bruno] == ["Vendas"]
    assert {"number", "status", "employee", "history_progress", "media_failed"} <= set(everyone[0])
    assert story.client.get("/api/v1/lines").status_code == 401


def test_analytics_counts_only_what_the_caller_may_see(story: Story) -> None:
    whole = get(story, "ana", "/api/v1/analytics", **{"from": "2020-01-01", "to": "2030-12-31"})
    carla = get(story, "carla", "/api/v1/analytics", **{"from": "2020-01-01", "to": "2030-12-31"})
    sneaky = get(story, "carla", "/api/v1/analytics", team="Vendas", **{"from": "2020-01-01", "to": "2030-12-31"})

    assert whole.status_code == carla.status_code == sneaky.status_code == 200
    assert whole.json()["messages_in"] == 2
    assert carla.json()["messages_in"] == 1  # her team's line only
    assert sneaky.json()["messages_in"] == 0  # another team's numbers stay out of her reach
    assert list(whole.json())[:10] == ["messages_in", "messages_out", "conversations", "new_contacts",
                                       "first_response_seconds", "unanswered", "after_hours_share", "by_hour",
                                       "alerts", "campaigns"]  # fmt: skip
    with story.setup.runtime.sessions() as session:
        reads = session.execute(select(AuditEntry).where(AuditEntry.action == "analytics_read")).scalars().all()
    assert len(reads) == 3


def test_analytics_bad_input_is_explained(story: Story) -> None:
    assert get(story, "ana", "/api/v1/analytics", team="Nenhuma").status_code == 404
    bad = get(story, "ana", "/api/v1/analytics", **{"from": "ontem"})
    assert bad.status_code == 422
    assert "from" in bad.json()["error"].lower() or "data" in bad.json()["error"].lower()
    assert get(story, "ana", "/api/v1/analytics", **{"from": "2024-05-02", "to": "2024-05-01"}).status_code == 422


def test_policies_are_imported_validated_and_versioned(story: Story) -> None:
    assert get(story, "ana", "/api/v1/policies").json() == {"active": None, "yaml": None, "versions": []}

    first = post(story, "ana", "/api/v1/policies", {"yaml": POLICY})
    again = post(story, "ana", "/api/v1/policies", {"yaml": POLICY})
    broken = post(story, "ana", "/api/v1/policies", {"yaml": "policies:\n  - id: x\n    severity: enorme\n"})
    manager = post(story, "bruno", "/api/v1/policies", {"yaml": POLICY})
    read = get(story, "davi", "/api/v1/policies").json()

    assert first.status_code == 200
    assert (first.json()["version"], first.json()["changed"], first.json()["policies"]) == (1, True, ["dados-pessoais"])
    assert again.json()["changed"] is False
    assert broken.status_code == 422
    assert "severity" in broken.json()["error"]
    assert manager.status_code == 403
    assert get(story, "bruno", "/api/v1/policies").status_code == 403
    assert read["yaml"] == POLICY
    assert [v["version"] for v in read["versions"]] == [1]
