"""Step-in: a manager or compliance sends a text from the console, through the line's real provider.

The Cloud API line talks to the local fake Graph server, the Evolution line to the fake gateway;
the sent message is archived once (the gateway's echo webhook included), marked as sent by the
console user, audited; export-only lines, the closed 24-hour window, other teams, auditors and
forged forms are refused with nothing sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, Message, StepIn
from atalaia.domain.enums import Direction, MessageKind
from atalaia.domain.events import MessageEvent
from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import receive_gateway
from atalaia.services.line_connections import connect_gateway
from atalaia.services.lines import add_line
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.factories import MARIA, chat_with, inbound
from tests.gateway_server import FakeGateway, running_gateway
from tests.graph_server import FakeGraph, running_graph
from tests.web.conftest import Story, page_csrf, sign_in


@dataclass
class Desk:
    story: Story
    rt: Runtime
    client: TestClient
    graph: FakeGraph
    gateway: FakeGateway


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch, story: Story) -> Iterator[Desk]:
    with running_graph() as graph, running_gateway() as gateway:
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", graph.base_url)
        monkeypatch.setenv("ATALAIA_CLOUD_ACCESS_TOKEN", graph.token)
        monkeypatch.setenv("ATALAIA_GATEWAY_API_ORIGINS", gateway.base_url)
        rt = Runtime.from_settings(Settings(), migrate=False)
        with TestClient(create_app(rt)) as client:
            yield Desk(story, rt, client, graph, gateway)
        rt.close()


def fresh_inbound(desk: Desk, provider_id: str) -> None:
    event = inbound(provider_id, "preciso de ajuda")
    desk.story.setup.archive([MessageEvent(**{**{f: getattr(event, f) for f in event.__slots__},
                                              "sent_at": datetime.now(UTC)})])  # fmt: skip


def send(desk: Desk, conversation_id: int, text: str, *, confirm: str = "sim", token: str | None = None) -> object:
    csrf = token if token is not None else page_csrf(desk.client)
    return desk.client.post(f"/conversations/{conversation_id}/send", follow_redirects=False,
                            data={"text": text, "confirm": confirm, "csrf_token": csrf})  # fmt: skip


def outbound_rows(desk: Desk, provider_id: str) -> list[Message]:
    with desk.rt.sessions() as session:
        return list(session.execute(select(Message).where(Message.provider_message_id == provider_id)).scalars())


def audits(desk: Desk, actor: str) -> list[str]:
    with desk.rt.sessions() as session:
        rows = session.execute(
            select(AuditEntry.outcome).where(AuditEntry.actor == actor, AuditEntry.action == "step_in_sent")
        ).scalars()
        return list(rows)


def test_a_manager_steps_in_on_a_cloud_line_and_the_message_is_archived_once_as_his(desk: Desk) -> None:
    fresh_inbound(desk, "wamid.V2")
    sign_in(desk.client, "bruno@exemplo.com.br")
    conversation = desk.story.vendas_conversation
    assert f'action="/conversations/{conversation}/send"' in desk.client.get(f"/conversations/{conversation}").text

    response = send(desk, conversation, "  Olá, aqui é o gestor <b>Bruno</b>; vou ajudar.  ")

    assert response.status_code == 303  # type: ignore[attr-defined]
    (sent,) = desk.graph.sent
    assert sent["to"] == MARIA.wa_id
    assert sent["text"] == {"body": "Olá, aqui é o gestor <b>Bruno</b>; vou ajudar.", "preview_url": False}
    with desk.rt.sessions() as session:
        (step,) = session.execute(select(StepIn)).scalars()
    (archived,) = outbound_rows(desk, step.provider_message_id)
    assert (archived.direction, archived.conversation_id, step.sent_by) == (
        "outbound", conversation, "bruno@exemplo.com.br")  # fmt: skip
    assert audits(desk, "bruno@exemplo.com.br") == ["ok"]

    # The same message reported back by the provider (an echo) is a duplicate, not a second copy.
    echo = MessageEvent(provider_message_id=step.provider_message_id, conversation=chat_with(),
                        direction=Direction.OUTBOUND, kind=MessageKind.TEXT, sent_at=datetime.now(UTC),
                        text=archived.text)  # fmt: skip
    assert desk.story.setup.archive([echo]).new == 0
    assert len(outbound_rows(desk, step.provider_message_id)) == 1

    page = desk.client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "enviada por bruno@exemplo.com.br pelo Atalaia" in page
    assert "&lt;b&gt;Bruno&lt;/b&gt;" in page
    assert "<b>Bruno</b>" not in page
    assert "Mensagem enviada e arquivada." in page


def test_outside_the_24_hour_window_the_send_is_refused_and_explained(desk: Desk) -> None:
    sign_in(desk.client, "bruno@exemplo.com.br")  # the story's only message is from 2024
    page = desk.client.get(f"/conversations/{desk.story.vendas_conversation}").text
    assert "janela de 24 horas" in page
    assert "/send" not in page

    response = send(desk, desk.story.vendas_conversation, "oi")

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "modelo (template)" in response.text  # type: ignore[attr-defined]
    assert desk.graph.sent == []
    assert audits(desk, "bruno@exemplo.com.br") == ["denied"]


def test_other_teams_auditors_forged_forms_and_bad_text_send_nothing(desk: Desk) -> None:
    fresh_inbound(desk, "wamid.V2")
    conversation = desk.story.vendas_conversation
    sign_in(desk.client, "carla@exemplo.com.br")
    other_team = send(desk, conversation, "oi")
    assert other_team.status_code == 404  # type: ignore[attr-defined]
    desk.client.post("/logout", data={"csrf_token": page_csrf(desk.client)})

    sign_in(desk.client, "davi@exemplo.com.br")
    assert send(desk, conversation, "oi").status_code == 403  # type: ignore[attr-defined]
    assert "/send" not in desk.client.get(f"/conversations/{conversation}").text
    desk.client.post("/logout", data={"csrf_token": page_csrf(desk.client)})

    sign_in(desk.client, "ana@exemplo.com.br")
    assert send(desk, conversation, "oi", token="forjado").status_code == 403  # type: ignore[attr-defined]
    assert send(desk, conversation, "oi", confirm="").status_code == 422  # type: ignore[attr-defined]
    assert send(desk, conversation, "   ").status_code == 422  # type: ignore[attr-defined]
    too_long = send(desk, conversation, "x" * 1001)
    assert too_long.status_code == 422  # type: ignore[attr-defined]
    assert desk.graph.sent == []
    assert audits(desk, "carla@exemplo.com.br") == ["denied"]
    with desk.rt.sessions() as session:
        assert session.execute(select(StepIn)).first() is None


def test_an_export_only_line_cannot_send(desk: Desk) -> None:
    setup = desk.story.setup
    with transaction(desk.rt.sessions) as session:
        line = add_line(session, tenant_id=setup.tenant.id, number="+5521955550000", provider="export",
                        team="Vendas").line  # fmt: skip
        from atalaia.archive import archive_events

        event = inbound("export-1", "mensagem exportada")
        archive_events(session, desk.rt.archive_context(setup.tenant, line_id=line.id),
                       [MessageEvent(**{**{f: getattr(event, f) for f in event.__slots__},
                                        "sent_at": datetime.now(UTC)})])  # fmt: skip
    (row,) = outbound_rows(desk, "export-1")
    sign_in(desk.client, "bruno@exemplo.com.br")

    response = send(desk, row.conversation_id, "oi")

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "exportação" in response.text  # type: ignore[attr-defined]
    assert desk.graph.sent == []
    assert desk.gateway.sent == []


def test_compliance_steps_in_on_an_evolution_line_and_the_echo_is_not_a_second_copy(desk: Desk) -> None:
    setup = desk.story.setup
    with transaction(desk.rt.sessions) as session:
        created = add_line(session, tenant_id=setup.tenant.id, number="+5521977770000", provider="evolution",
                           instance="suporte", data_key=desk.rt.data_key(setup.tenant))  # fmt: skip
        connect_gateway(session, line=created.line, base_url=desk.gateway.base_url, api_key=desk.gateway.api_key,
                        allowed_origins=desk.rt.settings.gateway_api_origins, data_key=desk.rt.data_key(setup.tenant),
                        now=datetime.now(UTC))  # fmt: skip
        token = created.token
    headers = {"Authorization": f"Bearer {token}"}

    def webhook(event: str, message_id: str, *, from_me: bool, text: str) -> None:
        key = {"remoteJid": "5511966665555@s.whatsapp.net", "fromMe": from_me, "id": message_id}
        data = {"key": key, "pushName": "João", "message": {"conversation": text}, "messageTimestamp": int(time.time())}
        body = json.dumps({"event": event, "instance": "suporte", "data": data}).encode()
        assert receive_gateway(desk.rt, source="evolution", body=body, headers=headers).status_code == 200

    webhook("messages.upsert", "3EB0IN1", from_me=False, text="bom dia, tenho uma dúvida")
    (incoming,) = outbound_rows(desk, "3EB0IN1")
    sign_in(desk.client, "ana@exemplo.com.br")

    response = send(desk, incoming.conversation_id, "Bom dia, João! Sou da conformidade.")

    assert response.status_code == 303  # type: ignore[attr-defined]
    (sent,) = desk.gateway.sent
    assert (sent["instance"], sent["number"], sent["text"]) == (
        "suporte", "5511966665555", "Bom dia, João! Sou da conformidade.")  # fmt: skip
    webhook("send.message", "3EB0SENT1", from_me=True, text=sent["text"])  # the gateway's echo
    (archived,) = outbound_rows(desk, "3EB0SENT1")
    assert (archived.direction, archived.conversation_id) == ("outbound", incoming.conversation_id)
    page = desk.client.get(f"/conversations/{incoming.conversation_id}").text
    assert page.count("Bom dia, João! Sou da conformidade.") == 1
    assert "enviada por ana@exemplo.com.br pelo Atalaia" in page


def test_a_gateway_line_without_a_connection_is_refused(desk: Desk) -> None:
    setup = desk.story.setup
    with transaction(desk.rt.sessions) as session:
        add_line(session, tenant_id=setup.tenant.id, number="+5521977770000", provider="waha", instance="s1",
                 data_key=desk.rt.data_key(setup.tenant), team="Vendas")  # fmt: skip
    # A conversation on that line, archived directly.
    with transaction(desk.rt.sessions) as session:
        from atalaia.archive import archive_events
        from atalaia.db.models import Line

        line = session.execute(select(Line).where(Line.number == "+5521977770000")).scalar_one()
        event = inbound("waha-1", "oi")
        archive_events(session, desk.rt.archive_context(setup.tenant, line_id=line.id),
                       [MessageEvent(**{**{f: getattr(event, f) for f in event.__slots__},
                                        "sent_at": datetime.now(UTC)})])  # fmt: skip
    (row,) = outbound_rows(desk, "waha-1")
    sign_in(desk.client, "bruno@exemplo.com.br")

    response = send(desk, row.conversation_id, "oi")

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "conexão do gateway" in response.text  # type: ignore[attr-defined]
    assert desk.gateway.sent == []
