"""`POST /api/v1/subject-corrections`: for the DPO's roles only; the console then shows the new name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from atalaia.db.models import AuditEntry, ContactCorrection
from tests.web.conftest import Story

BODY = {"phone": "+5521988887777", "name": "Maria da Silva Souza", "reason": "pedido pelo portal"}


def post(story: Story, who: str | None, body: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {story.tokens[who]}"} if who else {}
    return story.client.post("/api/v1/subject-corrections", json=body, headers=headers)


def corrections(story: Story) -> int:
    with story.setup.runtime.sessions() as session:
        return len(session.execute(select(ContactCorrection.id)).all())


def test_compliance_corrects_and_the_conversation_shows_the_new_name(story: Story) -> None:
    answer = post(story, "ana", BODY)

    assert answer.status_code == 200, answer.text
    assert (answer.json()["fields"], answer.json()["status"]) == (["name"], "done")
    conversation = story.client.get(
        f"/api/v1/conversations/{story.vendas_conversation}", headers={"Authorization": f"Bearer {story.tokens['ana']}"}
    ).json()
    assert [m["author"] for m in conversation["messages"]] == ["Maria da Silva Souza"]
    with story.setup.runtime.sessions() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "subject_corrected")).scalar_one()
    assert entry.actor == "ana@exemplo.com.br"
    assert entry.user_id is not None


def test_other_roles_and_strangers_are_refused(story: Story) -> None:
    assert post(story, "davi", BODY).status_code == 403  # auditors only read
    assert post(story, "bruno", BODY).status_code == 403  # managers do not answer data subjects
    assert post(story, None, BODY).status_code == 401
    assert corrections(story) == 0


def test_bad_input_is_explained_and_stores_nothing(story: Story) -> None:
    bad_email = post(story, "ana", {**BODY, "name": None, "email": "maria@"})
    control = post(story, "ana", {**BODY, "name": "Maria\u0000"})
    unknown = post(story, "ana", {**BODY, "phone": "+5511912345678"})
    missing = post(story, "ana", {"phone": "+5521988887777", "name": "Maria"})  # no reason

    assert bad_email.status_code == 422
    assert "E-mail inválido" in bad_email.json()["error"]
    assert control.status_code == 422
    assert "caracteres de controle" in control.json()["error"]
    assert unknown.status_code == 404
    assert missing.status_code == 422
    assert corrections(story) == 0
