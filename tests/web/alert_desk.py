"""The compliance story (tests/compliance_story.py) behind the real app: people who can sign in, tokens, alerts.

- vendas_alert: Eduarda (Vendas line) sent a customer's CPF, between a greeting and a thank-you.
- suporte_alert: Fábio (Suporte line) wrote about a "garantia".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, User
from atalaia.domain.enums import Direction
from atalaia.runtime import Runtime
from atalaia.security.passwords import hash_password
from atalaia.services.auth import issue_api_token
from atalaia.web.app import create_app
from tests.compliance_story import CPFS, Story, build_story, said

PASSWORD = "senha-muito-segura-123"
REASON = "Apuração de denúncia no canal de ética nº 2024-17"


@dataclass(frozen=True)
class Desk:
    story: Story
    client: TestClient
    tokens: dict[str, str]
    vendas_alert: int
    suporte_alert: int

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def audit(self, actor: str) -> list[tuple[str, str, str | None]]:
        with self.story.runtime.sessions() as session:
            rows = session.execute(
                select(AuditEntry.action, AuditEntry.outcome, AuditEntry.object_id)
                .where(AuditEntry.actor == actor)
                .order_by(AuditEntry.seq)
            ).all()
        return [(row[0], row[1], row[2]) for row in rows]

    def audit_details(self, actor: str, action: str) -> list[dict[str, object]]:
        with self.story.runtime.sessions() as session:
            rows = session.execute(
                select(AuditEntry.detail).where(AuditEntry.actor == actor, AuditEntry.action == action)
            ).scalars()
            return [dict(d or {}) for d in rows]


def seed(runtime: Runtime) -> tuple[Story, dict[str, str]]:
    """The story with its two alerts, every user's password set to PASSWORD, and an API token each."""
    story = build_story(runtime)
    story.archive(
        [
            said("wamid.1", "Bom dia, Maria!", direction=Direction.INBOUND),
            said("wamid.2", f"Segue o CPF do cliente: {CPFS[0]}, confere?", minutes=1),
            said("wamid.3", "Obrigada!", direction=Direction.INBOUND, minutes=2),
        ],
        notify=False,
    )
    story.archive([said("wamid.S1", "Sobre a garantia do aparelho")], line=story.suporte, notify=False)
    tokens: dict[str, str] = {}
    with transaction(runtime.sessions) as session:
        session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
        for name, user_id in story.users.items():
            user = session.get(User, user_id)
            assert user is not None
            tokens[name] = issue_api_token(session, user=user, name="testes")
    return story, tokens


@contextmanager
def open_desk(runtime: Runtime) -> Iterator[Desk]:
    story, tokens = seed(runtime)
    vendas = story.alerts("dados-pessoais")[0].id
    suporte = story.alerts("suporte")[0].id
    with TestClient(create_app(runtime)) as client:
        yield Desk(story, client, tokens, vendas, suporte)


def sign_in(client: TestClient, name: str) -> str:
    """Sign `name` in; returns the session's CSRF token for the console's forms."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    data = {"email": f"{name}@exemplo.com.br", "password": PASSWORD, "csrf_token": match.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)
