"""Connecting lines to their providers, against real local fake servers, on SQLite and PostgreSQL.

Story: Rita (admin) connects the sales line through the Cloud API and tests its token; the support
line goes through an Evolution API server, whose instance Atalaia creates, and WAHA for another.
Mallory, holding the admin's form, tries to make the server fetch internal addresses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Line, LineConnection, Tenant
from atalaia.errors import InvalidInput
from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import receive_gateway
from atalaia.services.line_checks import Actor, check_connection, create_instance, fresh_qr
from atalaia.services.line_connections import connect_cloud, connect_gateway, connection_view
from atalaia.services.lines import add_line
from atalaia.settings import Settings
from tests.conftest import ArchiveSetup
from tests.gateway_server import QR_CODE, FakeGateway, running_gateway
from tests.graph_server import FakeGraph, running_graph

PNID = "106540352242922"  # archive_setup's Cloud API line


@dataclass(frozen=True)
class World:
    rt: Runtime
    tenant: Tenant
    cloud_line: Line
    graph: FakeGraph
    gateway: FakeGateway

    @property
    def actor(self) -> Actor:
        return Actor(tenant_id=self.tenant.id, email="rita@exemplo.com.br")

    def data_key(self) -> bytes:
        return self.rt.data_key(self.tenant)


@pytest.fixture
def world(archive_setup: ArchiveSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_graph() as graph, running_gateway() as gateway:
        graph.phones[PNID] = {"display_phone_number": "+55 21 99999-0000", "verified_name": "Loja <b>Exemplo</b>"}
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", graph.base_url)
        monkeypatch.setenv("ATALAIA_GATEWAY_API_ORIGINS", gateway.base_url)
        monkeypatch.setenv("ATALAIA_PUBLIC_URL", "https://atalaia.exemplo.com.br")
        rt = Runtime.from_settings(Settings(), migrate=False)
        try:
            yield World(rt, archive_setup.tenant, archive_setup.line, graph, gateway)
        finally:
            rt.close()


def gateway_line(world: World, provider: str, number: str) -> tuple[int, str]:
    with transaction(world.rt.sessions) as session:
        created = add_line(session, tenant_id=world.tenant.id, number=number, provider=provider, team="Suporte",
                           data_key=world.data_key())  # fmt: skip
        assert created.token
        return created.line.id, created.token


def configure_gateway(world: World, line_id: int, *, base_url: str | None = None, instance: str = "") -> None:
    with transaction(world.rt.sessions) as session:
        line = session.get(Line, line_id)
        assert line is not None
        connect_gateway(session, line=line, base_url=base_url or world.gateway.base_url,
                        api_key=world.gateway.api_key, instance=instance,
                        allowed_origins=world.rt.settings.gateway_api_origins, data_key=world.data_key(),
                        now=datetime.now(UTC))  # fmt: skip


def line_status(world: World, line_id: int) -> str:
    with world.rt.sessions() as session:
        line = session.get(Line, line_id)
        assert line is not None
        return line.status


def test_cloud_credentials_are_sealed_shown_as_hints_and_test_ok(world: World) -> None:
    token = world.graph.token
    with transaction(world.rt.sessions) as session:
        line = session.get(Line, world.cloud_line.id)
        assert line is not None
        connect_cloud(session, line=line, phone_number_id=PNID, access_token=token, app_secret="segredo-do-app-123456",
                      verify_token="verifica-123", data_key=world.data_key(), now=datetime.now(UTC))  # fmt: skip
    with world.rt.sessions() as session:
        row = session.execute(select(LineConnection)).scalar_one()
        line = session.get(Line, world.cloud_line.id)
        assert line is not None
        view = connection_view(session, line, public_url="https://atalaia.exemplo.com.br")
    assert row.secrets_sealed is not None
    assert token.encode() not in row.secrets_sealed
    assert b"segredo-do-app" not in row.secrets_sealed
    assert view is not None
    assert view.hints["app_secret"] == "configurado · termina em 3456"
    assert view.hints["verify_token"] == "configurado"  # too short to show any of it
    assert token not in json.dumps(view.hints)
    assert view.webhook_url == "https://atalaia.exemplo.com.br/webhooks/cloud"

    outcome = check_connection(world.rt, actor=world.actor, line_id=world.cloud_line.id)

    assert outcome.ok, outcome.message
    assert "+55 21 99999-0000" in outcome.message
    assert any(path.startswith(f"/v23.0/{PNID}?") for path in world.graph.requests)


def test_a_wrong_token_fails_the_test_with_graphs_message(world: World) -> None:
    with transaction(world.rt.sessions) as session:
        line = session.get(Line, world.cloud_line.id)
        assert line is not None
        connect_cloud(session, line=line, phone_number_id=PNID, access_token="token-errado",
                      data_key=world.data_key(), now=datetime.now(UTC))  # fmt: skip

    outcome = check_connection(world.rt, actor=world.actor, line_id=world.cloud_line.id)

    assert not outcome.ok
    assert "HTTP 401" in outcome.message
    assert "Invalid OAuth access token" in outcome.message
    with world.rt.sessions() as session:
        row = session.execute(select(LineConnection)).scalar_one()
    assert (row.check_ok, row.check_message) == (False, outcome.message)


def test_an_empty_secret_keeps_the_stored_one_and_bad_ids_are_refused(world: World) -> None:
    with transaction(world.rt.sessions) as session:
        line = session.get(Line, world.cloud_line.id)
        assert line is not None
        connect_cloud(session, line=line, phone_number_id=PNID, access_token=world.graph.token,
                      data_key=world.data_key(), now=datetime.now(UTC))  # fmt: skip
        connect_cloud(session, line=line, phone_number_id=PNID, data_key=world.data_key(), now=datetime.now(UTC))
        for hostile in ("../../me", "123/../456", "abc", ""):
            with pytest.raises(InvalidInput):
                connect_cloud(session, line=line, phone_number_id=hostile, data_key=world.data_key(),
                              now=datetime.now(UTC))  # fmt: skip
    assert check_connection(world.rt, actor=world.actor, line_id=world.cloud_line.id).ok


@pytest.mark.parametrize(
    "base_url",
    [
        "http://169.254.169.254/latest/meta-data",  # cloud metadata
        "http://127.0.0.1:5432",  # another port on an allowed host is another origin
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "{gateway}?x=1",
        "http://user:pass@{host}",
        "http://{host}@evil.example.com/",  # userinfo trick: reaches evil.example.com
        "x" * 500,
    ],
)
def test_a_gateway_url_off_the_allowed_origins_is_refused_clearly(world: World, base_url: str) -> None:
    line_id, _ = gateway_line(world, "evolution", "+5521977770000")
    host = world.gateway.base_url.removeprefix("http://")
    with pytest.raises(InvalidInput) as refused:
        configure_gateway(world, line_id, base_url=base_url.format(gateway=world.gateway.base_url, host=host))
    assert refused.value.message
    assert world.gateway.requests == []
    with world.rt.sessions() as session:
        assert session.execute(select(LineConnection)).first() is None


def test_evolution_instance_is_created_with_the_webhook_and_its_qr_is_kept(world: World) -> None:
    line_id, token = gateway_line(world, "evolution", "+5521977770000")
    configure_gateway(world, line_id)

    outcome = create_instance(world.rt, actor=world.actor, line_id=line_id)

    assert outcome.ok, outcome.message
    ((name, body),) = world.gateway.instances.items()
    assert name == "atalaia-5521977770000"
    assert body["integration"] == "WHATSAPP-BAILEYS"
    assert body["qrcode"] is True
    assert body["webhook"]["url"] == "https://atalaia.exemplo.com.br/webhooks/evolution"
    assert body["webhook"]["headers"] == {"Authorization": f"Bearer {token}"}
    assert "CONNECTION_UPDATE" in body["webhook"]["events"]
    assert fresh_qr(world.rt, actor=world.actor, line_id=line_id) == QR_CODE
    assert len(world.gateway.requests) == 1  # the stored QR is fresh: the gateway is not asked again


def test_waha_session_is_created_and_its_qr_is_asked_for(world: World) -> None:
    line_id, token = gateway_line(world, "waha", "+5521966660000")
    configure_gateway(world, line_id, instance="suporte")

    assert create_instance(world.rt, actor=world.actor, line_id=line_id).ok
    hook = world.gateway.instances["suporte"]["config"]["webhooks"][0]
    assert hook["hmac"] == {"key": token}
    assert "session.status" in hook["events"]
    assert fresh_qr(world.rt, actor=world.actor, line_id=line_id) == QR_CODE
    assert any("/api/suporte/auth/qr?format=raw" in path for _, path, _ in world.gateway.requests)


@pytest.mark.parametrize(
    ("knob", "expected"),
    [("garbage", "não é JSON"), ("huge", "grande demais"), ("redirect", "redirecionamento"), ("error", "HTTP 400")],
)
def test_hostile_gateway_replies_fail_clearly_and_store_nothing(world: World, knob: str, expected: str) -> None:
    line_id, _ = gateway_line(world, "evolution", "+5521977770000")
    configure_gateway(world, line_id)
    if knob == "garbage":
        world.gateway.garbage = True
    elif knob == "huge":
        world.gateway.huge = True
    elif knob == "redirect":
        world.gateway.redirect_to = "http://169.254.169.254/"
    else:
        world.gateway.fail_status = 400

    outcome = create_instance(world.rt, actor=world.actor, line_id=line_id)

    assert not outcome.ok
    assert expected in outcome.message
    assert len(outcome.message) <= 400
    assert "\x00" not in outcome.message
    assert "\x1b" not in outcome.message
    with world.rt.sessions() as session:
        row = session.execute(select(LineConnection)).scalar_one()
    assert row.instance_created_at is None
    assert row.qr_sealed is None
    assert fresh_qr(world.rt, actor=world.actor, line_id=line_id) is None


def evolution_event(instance: str, event: str, data: dict[str, object]) -> bytes:
    return json.dumps({"event": event, "instance": instance, "data": data, "apikey": "x"}).encode()


def test_line_status_follows_the_gateways_connection_events(world: World) -> None:
    line_id, token = gateway_line(world, "evolution", "+5521977770000")
    configure_gateway(world, line_id)
    assert create_instance(world.rt, actor=world.actor, line_id=line_id).ok
    instance = "atalaia-5521977770000"
    auth = {"Authorization": f"Bearer {token}"}
    steps = [
        ("qrcode.updated", {"qrcode": {"instance": instance, "code": "2@NovoCodigo", "base64": "x"}}, "pending"),
        ("connection.update", {"instance": instance, "state": "open"}, "connected"),
        ("connection.update", {"instance": instance, "state": "close", "statusReason": 401}, "disconnected"),
        ("connection.update", {"instance": instance, "state": "open"}, "connected"),
        ("connection.update", {"instance": instance, "state": "close", "statusReason": 403}, "banned"),
    ]
    for event, data, expected in steps:
        outcome = receive_gateway(world.rt, source="evolution", body=evolution_event(instance, event, data),
                                  headers=auth)  # fmt: skip
        assert outcome.status_code == 200
        assert line_status(world, line_id) == expected, event
        if event == "qrcode.updated":
            assert fresh_qr(world.rt, actor=world.actor, line_id=line_id) == "2@NovoCodigo"
    # Once connected the QR is not shown, whatever is stored.
    assert fresh_qr(world.rt, actor=world.actor, line_id=line_id) is None


def test_waha_session_status_moves_the_line(world: World) -> None:
    line_id, token = gateway_line(world, "waha", "+5521966660000")
    configure_gateway(world, line_id, instance="suporte")
    for status, expected in (("SCAN_QR_CODE", "pending"), ("WORKING", "connected"), ("FAILED", "disconnected")):
        body = json.dumps({"event": "session.status", "session": "suporte", "timestamp": int(time.time() * 1000),
                           "payload": {"status": status}}).encode()  # fmt: skip
        outcome = receive_gateway(world.rt, source="waha", body=body, headers={"Authorization": f"Bearer {token}"})
        assert outcome.status_code == 200
        assert line_status(world, line_id) == expected
