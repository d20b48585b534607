"""Personas and a test client over the real app, on SQLite and PostgreSQL.

- ana: compliance officer, sees the whole tenant.
- bruno: manager of team Vendas.
- carla: manager of team Suporte; must see nothing of Vendas.
- davi: auditor, reads everything, every read audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from atalaia.db.engine import transaction
from atalaia.services.auth import issue_api_token
from atalaia.services.lines import add_line
from atalaia.services.people import create_user
from atalaia.web.app import create_app
from tests.conftest import ArchiveSetup
from tests.factories import inbound

PASSWORD = "senha-muito-segura-123"


@dataclass(frozen=True)
class Story:
    setup: ArchiveSetup
    client: TestClient
    vendas_conversation: int
    suporte_conversation: int
    tokens: dict[str, str]


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Iterator[Story]:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    archive_setup.archive([inbound("wamid.V1", "Quero um desconto no plano")])  # the setup's line is in Vendas
    tokens = {}
    with transaction(runtime.sessions) as session:
        suporte = add_line(session, tenant_id=tenant.id, number="+5511977770000", provider="cloud",
                           phone_number_id="222", team="Suporte").line  # fmt: skip
        for name, role, teams in [("ana", "compliance", None), ("bruno", "manager", ["Vendas"]),
                                  ("carla", "manager", ["Suporte"]), ("davi", "auditor", None)]:  # fmt: skip
            user = create_user(session, tenant_id=tenant.id, email=f"{name}@exemplo.com.br", role=role, teams=teams,
                               password=PASSWORD).user  # fmt: skip
            tokens[name] = issue_api_token(session, user=user, name="testes")
    with transaction(runtime.sessions) as session:
        from atalaia.archive import archive_events

        archive_events(
            session, runtime.archive_context(tenant, line_id=suporte.id), [inbound("wamid.S1", "Meu boleto")]
        )
    with runtime.sessions() as session:
        from sqlalchemy import select

        from atalaia.db.models import Message

        ids = dict(session.execute(select(Message.provider_message_id, Message.conversation_id)).all())
    with TestClient(create_app(runtime)) as client:
        yield Story(archive_setup, client, ids["wamid.V1"], ids["wamid.S1"], tokens)


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> object:
    return client.post("/login", data={"email": email, "password": password, "csrf_token": login_token(client)},
                       follow_redirects=False)  # fmt: skip


def page_csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)
