"""GET /dashboard/report.pdf: the dashboard's figures as a finished PDF, scoped, audited, numbers only.

The data is the hand-built week of tests/analytics_story.py; the expected figures for team Vendas
(lines L1 and L2) are worked out from the story's docstring, not read back from the code.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry
from atalaia.services.people import create_user
from atalaia.web.app import create_app
from tests.analytics_story import L1, L2, L3, WEEK, Story, build_story
from tests.conftest import ArchiveSetup
from tests.web.conftest import PASSWORD, sign_in

VENDAS_WEEK = {"from": WEEK[0], "to": WEEK[1], "team": "Vendas"}


@dataclass(frozen=True)
class Console:
    story: Story
    client: TestClient


@pytest.fixture
def console(archive_setup: ArchiveSetup) -> Iterator[Console]:
    story = build_story(archive_setup)
    with transaction(story.runtime.sessions) as session:
        for name, role, teams in [("ana", "compliance", None), ("bruno", "manager", ["Vendas"]),
                                  ("carla", "manager", ["Suporte"])]:  # fmt: skip
            create_user(session, tenant_id=story.tenant.id, email=f"{name}@exemplo.com.br", role=role, teams=teams,
                        password=PASSWORD)  # fmt: skip
    with TestClient(create_app(story.runtime)) as client:
        yield Console(story, client)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() or "" for page in reader.pages))


def test_the_pdf_holds_the_weeks_figures_for_the_team(console: Console) -> None:
    sign_in(console.client, "bruno@exemplo.com.br")

    response = console.client.get("/dashboard/report.pdf", params=VENDAS_WEEK)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert "Relatório de indicadores — Equipe Vendas" in text
    assert "29/04/2024 a 05/05/2024" in text
    assert "America/Sao_Paulo" in text
    # L1: a2 a3 a5 a7 b1 b3 in, a4 a6 a8 b2 out; L2: g1 c2 in, g2 g3 c1 c3 out (g0 is a system line).
    assert "Mensagens recebidas 8" in text
    assert "Mensagens enviadas 8" in text
    assert "Conversas com atividade 4" in text  # chats A, B, G, C
    assert "Contatos novos 2" in text  # João and Pedro; Maria is known since April
    assert "1ª resposta (mediana) 20 min" in text  # openings T1 600 s, T4 1200 s, T3 118800 s
    assert "1ª resposta (p90) 1 d 2 h 28 min" in text  # 1200 + 0.8 × 117600 = 95280 s
    assert "Sem resposta 1" in text  # João's Saturday message, 38 h at the week's end
    assert "Fora do horário comercial 25,0 %" in text  # a7, b3, g1, g3 of 16
    assert "Alertas no período 2" in text
    assert "Confirmados 1" in text
    assert "Gravidade alta 2" in text
    assert L1 in text
    assert L2 in text
    assert L3 not in text
    assert "Diana" in text  # L1's current holder
    assert not re.search(r"mensagem [a-gx]\d", text)  # every archived text is "mensagem <id>"; none is shown


def test_the_dashboard_links_to_the_pdf_with_its_filters(console: Console) -> None:
    sign_in(console.client, "ana@exemplo.com.br")

    page = console.client.get("/dashboard", params=VENDAS_WEEK)

    assert page.status_code == 200
    assert 'href="/dashboard/report.pdf?from=2024-04-29&amp;to=2024-05-05&amp;team=Vendas"' in page.text


def test_a_manager_gets_404_for_another_team_and_every_pdf_is_audited(console: Console) -> None:
    sign_in(console.client, "carla@exemplo.com.br")
    refused = console.client.get("/dashboard/report.pdf", params=VENDAS_WEEK)
    own = console.client.get("/dashboard/report.pdf", params={"from": WEEK[0], "to": WEEK[1]})
    sign_in(console.client, "ana@exemplo.com.br")
    whole = console.client.get("/dashboard/report.pdf", params={"from": WEEK[0], "to": WEEK[1]})

    assert refused.status_code == 404
    assert "application/pdf" not in refused.headers["content-type"]
    carla_text, ana_text = pdf_text(own.content), pdf_text(whole.content)
    assert L3 in carla_text
    assert L1 not in carla_text
    assert L2 not in carla_text
    assert "Mensagens recebidas 2" in carla_text  # e1, and d1 (Sunday 23:30 in São Paulo); d2 is after
    assert "Toda a empresa" in ana_text
    assert L1 in ana_text
    assert L3 in ana_text
    with console.story.runtime.sessions() as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == "analytics_read")).scalars().all()
    pdf_reads = [e for e in entries if (e.detail or {}).get("via") == "console_pdf"]
    assert [e.actor for e in pdf_reads] == ["carla@exemplo.com.br", "ana@exemplo.com.br"]


def test_hostile_filters_are_refused_without_a_pdf(console: Console) -> None:
    sign_in(console.client, "ana@exemplo.com.br")

    reversed_dates = console.client.get("/dashboard/report.pdf", params={"from": "2024-05-05", "to": "2024-04-29"})
    unknown = console.client.get("/dashboard/report.pdf", params={"team": "<script>alert(1)</script>"})
    signed_out = TestClient(console.client.app).get("/dashboard/report.pdf", follow_redirects=False)

    assert reversed_dates.status_code == 422
    assert unknown.status_code == 404
    assert "<script>" not in unknown.text
    assert signed_out.status_code in (303, 401)
