"""Rita, the administrator, creates a Cloud API line and tests its credentials in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from atalaia.db.engine import transaction
from atalaia.services.people import create_user
from tests.conftest import ArchiveSetup
from tests.graph_server import FakeGraph, running_graph

pytestmark = pytest.mark.browser
PASSWORD = "senha-muito-segura-123"
PNID = "109876543210"


@pytest.fixture
def graph(archive_setup: ArchiveSetup) -> Iterator[FakeGraph]:
    with running_graph() as state:
        state.phones[PNID] = {"display_phone_number": "+55 21 98765-0000", "verified_name": "Loja Exemplo"}
        archive_setup.runtime.settings.graph_base_url = state.base_url
        with transaction(archive_setup.runtime.sessions) as session:
            create_user(session, tenant_id=archive_setup.tenant.id, email="rita@exemplo.com.br", role="admin",
                        password=PASSWORD)  # fmt: skip
        yield state


def test_rita_creates_a_line_connects_it_and_sees_the_test_pass(
    graph: FakeGraph, live_server: str, browser: Any
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("rita@exemplo.com.br")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="Linhas").click()
    page.get_by_role("link", name="Nova linha").click()
    page.get_by_label("Número da linha").fill("+55 21 98765-0000")
    page.get_by_label("Provedor").select_option("cloud")
    page.get_by_label("Phone number id (só Cloud API)").fill(PNID)
    page.get_by_label("ou crie uma equipe").fill("Vendas Sul")
    page.get_by_label("E-mail").fill("lia@exemplo.com.br")
    page.get_by_role("button", name="Criar linha").click()
    assert page.locator("#line-status").inner_text() == "aguardando conexão"

    page.get_by_label("Token de acesso").fill(graph.token)
    page.get_by_label("App secret").fill("um-app-secret-bem-longo-1234")
    page.get_by_role("button", name="Salvar credenciais").click()
    assert "Credenciais da Cloud API salvas" in page.content()
    assert graph.token not in page.content()

    page.get_by_role("button", name="Testar credenciais").click()
    result = page.locator("#check-result")
    assert "Credenciais válidas: +55 21 98765-0000" in result.inner_text()
    assert page.locator("#line-status").inner_text() == "aguardando conexão"
