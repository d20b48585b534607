"""Bruno, a sales manager, watches a conversation live and steps in with a message, in real Chromium.

A customer's message archived while the page is open appears without a reload (static/live.js,
under the strict CSP); Bruno's reply goes out through the local fake Graph server and shows in the
transcript as sent by him through Atalaia.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Conversation
from atalaia.services.people import create_user
from tests.conftest import ArchiveSetup
from tests.factories import inbound
from tests.graph_server import FakeGraph, running_graph

pytestmark = pytest.mark.browser
PASSWORD = "senha-muito-segura-123"


@pytest.fixture
def graph(archive_setup: ArchiveSetup) -> Iterator[FakeGraph]:
    with running_graph() as state:
        archive_setup.runtime.settings.graph_base_url = state.base_url
        archive_setup.runtime.settings.cloud_access_token = SecretStr(state.token)
        with transaction(archive_setup.runtime.sessions) as session:
            create_user(session, tenant_id=archive_setup.tenant.id, email="bruno@exemplo.com.br", role="manager",
                        teams=["Vendas"], password=PASSWORD)  # fmt: skip
        yield state


def now_inbound(provider_id: str, text: str) -> Any:
    return replace(inbound(provider_id, text), sent_at=datetime.now(UTC))


def test_bruno_sees_a_new_message_arrive_and_steps_in(
    archive_setup: ArchiveSetup, graph: FakeGraph, live_server: str, browser: Any
) -> None:
    archive_setup.archive([now_inbound("wamid.B1", "Oi, o pedido 123 atrasou")])
    with archive_setup.runtime.sessions() as session:
        conversation_id = session.execute(select(Conversation.id)).scalar_one()
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("bruno@exemplo.com.br")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/conversations/{conversation_id}")
    assert page.locator("#live-note").inner_text() == "Ao vivo: novas mensagens aparecem sozinhas."

    archive_setup.archive([now_inbound("wamid.B2", "<img src=x onerror=alert(1)> alguém aí?")])
    arrived = page.locator("li.bubble", has_text="alguém aí?")
    arrived.wait_for(timeout=20_000)  # the poller's next round, whenever it comes
    assert page.locator("li.bubble img").count() == 0  # the hostile text arrived as text

    page.get_by_label("Mensagem (até 1000 caracteres)").fill("Oi! Sou o Bruno, gestor; vou resolver o atraso.")
    page.get_by_label("Confirmo o envio desta mensagem ao contato").check()
    page.get_by_role("button", name="Enviar").click()

    sent = page.locator("li.bubble.outbound", has_text="vou resolver o atraso")
    sent.wait_for()
    assert "enviada por bruno@exemplo.com.br pelo Atalaia" in sent.inner_text()
    assert [m["text"]["body"] for m in graph.sent] == ["Oi! Sou o Bruno, gestor; vou resolver o atraso."]  # type: ignore[index]
    assert page.locator("li.bubble", has_text="alguém aí?").count() == 1
    assert violations == []
