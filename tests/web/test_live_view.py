"""The live transcript: `/conversations/{id}/after/{last}` answers only newer bubbles, scoped and audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from atalaia.db.models import AuditEntry
from tests.factories import inbound
from tests.web.conftest import Story, sign_in


def live_audits(story: Story, actor: str) -> list[tuple[str, str | None]]:
    with story.setup.runtime.sessions() as session:
        rows = session.execute(
            select(AuditEntry.outcome, AuditEntry.object_id).where(
                AuditEntry.actor == actor, AuditEntry.action == "read_conversation_live"
            )
        ).all()
    return [(outcome, object_id) for outcome, object_id in rows]


def last_id(page: str) -> int:
    match = re.search(r'data-after="(\d+)"', page)
    assert match
    return int(match.group(1))


def test_the_poll_returns_only_newer_messages_escaped_and_audits_only_what_it_returns(story: Story) -> None:
    sign_in(story.client, "bruno@exemplo.com.br")
    page = story.client.get(f"/conversations/{story.vendas_conversation}")
    after = last_id(page.text)
    url = f"/conversations/{story.vendas_conversation}/after/{after}"
    empty = story.client.get(url)
    assert (empty.status_code, empty.text.strip(), empty.headers["X-Last-Message-Id"]) == (200, "", str(after))
    assert live_audits(story, "bruno@exemplo.com.br") == []  # an empty poll writes nothing

    story.setup.archive([inbound("wamid.V2", "<script>alert(1)</script> chegou agora", minutes=5)])
    fresh = story.client.get(url)

    assert fresh.status_code == 200
    assert "chegou agora" in fresh.text
    assert "Quero um desconto" not in fresh.text  # the older message is already on the page
    assert "<script>alert(1)</script>" not in fresh.text
    assert "&lt;script&gt;" in fresh.text
    newer = int(fresh.headers["X-Last-Message-Id"])
    assert newer > after
    assert f'id="m{newer}"' in fresh.text
    assert live_audits(story, "bruno@exemplo.com.br") == [("ok", str(story.vendas_conversation))]
    assert story.client.get(f"/conversations/{story.vendas_conversation}/after/{newer}").text.strip() == ""


def test_a_manager_of_another_team_gets_404_and_the_attempt_is_audited(story: Story) -> None:
    story.setup.archive([inbound("wamid.V2", "segredo de Vendas", minutes=5)])
    sign_in(story.client, "carla@exemplo.com.br")

    response = story.client.get(f"/conversations/{story.vendas_conversation}/after/0")

    assert response.status_code == 404
    assert "segredo de Vendas" not in response.text
    assert "desconto" not in response.text
    assert live_audits(story, "carla@exemplo.com.br") == [("denied", str(story.vendas_conversation))]


def test_the_page_works_without_javascript(story: Story) -> None:
    sign_in(story.client, "bruno@exemplo.com.br")

    page = story.client.get(f"/conversations/{story.vendas_conversation}").text

    assert f'href="/conversations/{story.vendas_conversation}#fim"' in page
    assert ">Atualizar</a>" in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts
    assert all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert story.client.get("/static/live.js").status_code == 200


def test_signed_out_polls_are_refused(story: Story) -> None:
    response = story.client.get(f"/conversations/{story.vendas_conversation}/after/0", follow_redirects=False)
    assert response.status_code in (303, 307, 401)
    assert "desconto" not in response.text
