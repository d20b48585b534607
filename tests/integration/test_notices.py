"""The notice to third parties: owed on live one-to-one chats, sent once on Cloud API lines,
archived as sent, its delivery read from statuses; manual on lines that cannot send.

Story: Maria writes to the sales line (Cloud API) for the first time. Atalaia answers with the
company's notice and a link to its privacy page; later Maria writes again and gets nothing more.
The support line is an Evolution gateway: its notices are the employee's to send.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from atalaia.connectors.cloud_api.signature import sign
from atalaia.db.engine import transaction
from atalaia.db.models import Job, Message, Notice, Tenant
from atalaia.jobs.worker import run_once
from atalaia.runtime import Runtime
from atalaia.services.ingest import receive_cloud
from atalaia.services.lines import add_line
from atalaia.services.notices import list_notices
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.conftest import ArchiveSetup
from tests.graph_server import FakeGraph, running_graph

SECRET = "segredo-do-app"
PNID = "106540352242922"  # archive_setup's Cloud API line


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with running_graph() as state:
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", state.base_url)
        monkeypatch.setenv("ATALAIA_CLOUD_ACCESS_TOKEN", state.token)
        monkeypatch.setenv("ATALAIA_CLOUD_APP_SECRET", SECRET)
        monkeypatch.setenv("ATALAIA_PUBLIC_URL", "https://atalaia.exemplo.com.br")
        yield state


@pytest.fixture
def rt(graph: FakeGraph, archive_setup: ArchiveSetup) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(Settings(), migrate=False)
    yield runtime
    runtime.close()


def deliver(rt: Runtime, *, message_id: str, when: datetime, sender: str = "5511977776666",
            statuses: list[dict[str, str]] | None = None, group: bool = False) -> None:  # fmt: skip
    value: dict[str, object] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5521999990000", "phone_number_id": PNID},
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": sender}],
        "messages": [{"from": sender, "id": message_id, "timestamp": str(int(when.timestamp())), "type": "text",
                      "text": {"body": "Oi, quero um orçamento"}}],
    }  # fmt: skip
    if statuses is not None:
        value = {"messaging_product": "whatsapp", "metadata": value["metadata"], "statuses": statuses}
    body = json.dumps({"entry": [{"changes": [{"field": "messages", "value": value}]}]}).encode()
    outcome = receive_cloud(rt, body=body, headers={"X-Hub-Signature-256": sign(body=body, app_secret=SECRET)})
    assert outcome.status_code == 200, outcome.problems


def notices(rt: Runtime) -> list[Notice]:
    with rt.sessions() as session:
        return list(session.execute(select(Notice).order_by(Notice.id)).scalars())


def test_a_first_live_message_gets_the_notice_once_sent_and_tracked(
    rt: Runtime, graph: FakeGraph, archive_setup: ArchiveSetup
) -> None:
    now = datetime.now(UTC)
    deliver(rt, message_id="wamid.IN1", when=now - timedelta(minutes=2))
    deliver(rt, message_id="wamid.IN2", when=now - timedelta(minutes=1))  # the same contact again: nothing more

    (owed,) = notices(rt)
    assert owed.status == "pending"
    assert run_once(rt) is True
    assert run_once(rt) is False

    (payload,) = graph.sent
    assert payload["type"] == "text"
    assert payload["to"] == "5511977776666"
    body = payload["text"]["body"]  # type: ignore[index]
    assert "LGPD" in body
    assert "https://atalaia.exemplo.com.br/privacidade/default" in body
    (sent,) = notices(rt)
    assert (sent.status, sent.provider_message_id) == ("sent", "wamid.SENT1")
    with rt.sessions() as session:
        archived = session.execute(select(Message).where(Message.provider_message_id == "wamid.SENT1")).scalar_one()
    assert (archived.direction, archived.text) == ("outbound", body)

    statuses = [{"id": "wamid.SENT1", "status": s, "timestamp": str(int(now.timestamp())),
                 "recipient_id": "5511977776666"} for s in ("delivered", "read")]  # fmt: skip
    deliver(rt, message_id="-", when=now, statuses=statuses)
    with rt.sessions() as session:
        views = list_notices(session, tenant_id=archive_setup.tenant.id)
    assert [(v.contact, v.status) for v in views] == [("Maria", "read")]


def test_history_groups_and_internal_contacts_owe_nothing(rt: Runtime, archive_setup: ArchiveSetup) -> None:
    deliver(rt, message_id="wamid.OLD", when=datetime.now(UTC) - timedelta(days=3))  # a backfill, not live

    assert notices(rt) == []
    with rt.sessions() as session:
        missing = list_notices(session, tenant_id=archive_setup.tenant.id, missing_only=True)
    assert [(v.contact, v.status) for v in missing] == [("Maria", "missing")]


def test_the_notice_repeats_only_after_the_configured_days(rt: Runtime, archive_setup: ArchiveSetup) -> None:
    now = datetime.now(UTC)
    deliver(rt, message_id="wamid.A", when=now)
    with transaction(rt.sessions) as session:
        session.execute(update(Tenant).values(notice_every_days=30))
        session.execute(update(Notice).values(created_at=now - timedelta(days=31)))
    deliver(rt, message_id="wamid.B", when=now)
    deliver(rt, message_id="wamid.C", when=now)

    assert len(notices(rt)) == 2


def test_outside_the_window_a_template_is_needed(rt: Runtime, graph: FakeGraph) -> None:
    now = datetime.now(UTC)
    deliver(rt, message_id="wamid.X", when=now - timedelta(hours=23))
    with transaction(rt.sessions) as session:  # the customer's message is now older than 24 hours
        session.execute(update(Message).values(sent_at=now - timedelta(hours=25)))
    run_once(rt)
    (failed,) = notices(rt)
    assert failed.status == "failed"
    assert "modelo" in (failed.reason or "")
    assert graph.sent == []

    with transaction(rt.sessions) as session:
        session.execute(update(Tenant).values(notice_template="aviso_lgpd"))
        session.execute(update(Notice).values(status="pending", reason=None))
        job = session.execute(select(Job).where(Job.kind == "notice.send")).scalar_one()
        job.status, job.attempts = "queued", 0
    run_once(rt)
    assert graph.sent[0]["type"] == "template"
    assert graph.sent[0]["template"] == {"name": "aviso_lgpd", "language": {"code": "pt_BR"}}


def test_a_gateway_line_gets_a_manual_notice(rt: Runtime, archive_setup: ArchiveSetup) -> None:
    from atalaia.services.gateway_ingest import receive_gateway

    with transaction(rt.sessions) as session:
        created = add_line(session, tenant_id=archive_setup.tenant.id, number="+5521977770000", provider="evolution",
                           instance="suporte", data_key=rt.data_key(archive_setup.tenant))  # fmt: skip
    body = {"event": "messages.upsert", "instance": "suporte", "data": {
        "key": {"remoteJid": "5511966665555@s.whatsapp.net", "fromMe": False, "id": "3EB0NOTICE"},
        "pushName": "João", "message": {"conversation": "bom dia"}, "messageTimestamp": int(time.time())}}  # fmt: skip
    outcome = receive_gateway(rt, source="evolution", body=json.dumps(body).encode(),
                              headers={"Authorization": f"Bearer {created.token}"})  # fmt: skip

    assert outcome.status_code == 200
    (manual,) = notices(rt)
    assert manual.status == "manual"
    assert "funcionário" in (manual.reason or "")
    assert run_once(rt) is False  # nothing to send from Atalaia


def test_the_privacy_page_is_public_escaped_and_per_tenant(rt: Runtime, archive_setup: ArchiveSetup) -> None:
    with transaction(rt.sessions) as session:
        session.execute(update(Tenant).values(privacy_text="Primeiro <script>alert(1)</script>\n\nSegundo"))
    client = TestClient(create_app(rt))

    page = client.get("/privacidade/default")

    assert page.status_code == 200
    assert "&lt;script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert page.text.count("<p>") >= 2
    assert client.get("/privacidade/nao-existe").status_code == 404
    assert client.get("/privacidade/" + "x" * 500).status_code == 404
