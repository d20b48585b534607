"""The notice sent through a gateway: exactly once, whatever the webhooks do.

Story: the support line (Evolution API, connected in Atalaia) hears from João for the first time
through two webhooks at once, and the gateway retries one of them. João gets one notice, sent
through `message/sendText`, archived as the line's outbound message. On a WAHA line the same
notice goes through `api/sendText`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Line, Message, Notice
from atalaia.jobs.worker import run_once
from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import receive_gateway
from atalaia.services.line_connections import connect_gateway
from atalaia.services.lines import add_line
from atalaia.settings import Settings
from tests.conftest import ArchiveSetup
from tests.gateway_server import FakeGateway, running_gateway


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGateway]:
    with running_gateway() as state:
        monkeypatch.setenv("ATALAIA_GATEWAY_API_ORIGINS", state.base_url)
        monkeypatch.setenv("ATALAIA_PUBLIC_URL", "https://atalaia.exemplo.com.br")
        yield state


@pytest.fixture
def rt(gateway: FakeGateway, archive_setup: ArchiveSetup) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(Settings(), migrate=False)
    yield runtime
    runtime.close()


def connected_line(rt: Runtime, setup: ArchiveSetup, gateway: FakeGateway, *, provider: str, instance: str) -> str:
    with transaction(rt.sessions) as session:
        created = add_line(session, tenant_id=setup.tenant.id, number="+5521977770000", provider=provider,
                           instance=instance, data_key=rt.data_key(setup.tenant))  # fmt: skip
        connect_gateway(session, line=created.line, base_url=gateway.base_url, api_key=gateway.api_key,
                        allowed_origins=rt.settings.gateway_api_origins, data_key=rt.data_key(setup.tenant),
                        now=datetime.now(UTC))  # fmt: skip
        assert created.token
        return created.token


def upsert(message_id: str) -> bytes:
    data = {
        "key": {"remoteJid": "5511966665555@s.whatsapp.net", "fromMe": False, "id": message_id},
        "pushName": "João",
        "message": {"conversation": "bom dia"},
        "messageTimestamp": int(time.time()),
    }
    return json.dumps({"event": "messages.upsert", "instance": "suporte", "data": data}).encode()


def test_concurrent_first_messages_and_a_retry_send_one_notice(
    rt: Runtime, archive_setup: ArchiveSetup, gateway: FakeGateway
) -> None:
    token = connected_line(rt, archive_setup, gateway, provider="evolution", instance="suporte")
    bodies = [upsert("3EB0A1"), upsert("3EB0A2"), upsert("3EB0A1"), upsert("3EB0A3")]  # A1 retried
    statuses: list[int] = []
    start = threading.Barrier(len(bodies))

    def deliver(body: bytes) -> None:
        start.wait()
        outcome = receive_gateway(rt, source="evolution", body=body, headers={"Authorization": f"Bearer {token}"})
        statuses.append(outcome.status_code)

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(bodies)
    while run_once(rt):
        pass

    (sent,) = gateway.sent
    assert sent["instance"] == "suporte"
    assert sent["number"] == "5511966665555"
    assert "LGPD" in sent["text"]
    assert "https://atalaia.exemplo.com.br/privacidade/default" in sent["text"]
    assert gateway.requests[-1][2].get("apikey") == gateway.api_key  # no instance key: the API key
    with rt.sessions() as session:
        (notice,) = session.execute(select(Notice)).scalars()
        archived = session.execute(select(Message).where(Message.provider_message_id == "3EB0SENT1")).scalar_one()
    assert (notice.status, notice.provider_message_id) == ("sent", "3EB0SENT1")
    assert (archived.direction, archived.text) == ("outbound", sent["text"])

    # The gateway then reports the sent message itself (send.message): archived once, no new notice.
    echo = json.dumps({"event": "send.message", "instance": "suporte", "data": {
        "key": {"remoteJid": "5511966665555@s.whatsapp.net", "fromMe": True, "id": "3EB0SENT1"},
        "message": {"conversation": sent["text"]}, "messageTimestamp": int(time.time())}}).encode()  # fmt: skip
    assert (
        receive_gateway(rt, source="evolution", body=echo, headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert run_once(rt) is False
    with rt.sessions() as session:
        assert len(session.execute(select(Message).where(Message.provider_message_id == "3EB0SENT1")).all()) == 1


def test_a_waha_line_sends_through_api_send_text(
    rt: Runtime, archive_setup: ArchiveSetup, gateway: FakeGateway
) -> None:
    token = connected_line(rt, archive_setup, gateway, provider="waha", instance="suporte")
    body = json.dumps({"event": "message", "session": "suporte", "payload": {
        "id": "false_5511966665555@c.us_AAAA1111", "timestamp": int(time.time()), "from": "5511966665555@c.us",
        "fromMe": False, "body": "olá", "_data": {"notifyName": "João"}}}).encode()  # fmt: skip
    assert (
        receive_gateway(rt, source="waha", body=body, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    assert run_once(rt) is True

    (sent,) = gateway.sent
    assert (sent["session"], sent["chatId"]) == ("suporte", "5511966665555@c.us")
    with rt.sessions() as session:
        notice = session.execute(select(Notice)).scalar_one()
    assert (notice.status, notice.provider_message_id) == ("sent", "WAHASENT1")


def test_a_gateway_that_refuses_fails_the_notice_with_its_reason(
    rt: Runtime, archive_setup: ArchiveSetup, gateway: FakeGateway
) -> None:
    token = connected_line(rt, archive_setup, gateway, provider="evolution", instance="suporte")
    gateway.fail_status = 400
    assert receive_gateway(rt, source="evolution", body=upsert("3EB0B1"),
                           headers={"Authorization": f"Bearer {token}"}).status_code == 200  # fmt: skip
    run_once(rt)

    with rt.sessions() as session:
        notice = session.execute(select(Notice)).scalar_one()
        line = session.execute(select(Line).where(Line.instance == "suporte")).scalar_one()
    assert notice.status == "failed"
    assert (notice.reason or "").startswith("enviar: HTTP 400")
    assert line.status == "pending"  # a refused send says nothing about the connection
