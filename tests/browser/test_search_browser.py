"""Ana searches from the console in a real browser and follows a hit to its place in the transcript."""

from __future__ import annotations

from typing import Any

import pytest

from atalaia.db.engine import transaction
from atalaia.services.people import create_user
from tests.browser.conftest import Screenshot
from tests.conftest import ArchiveSetup
from tests.factories import inbound, outbound

pytestmark = pytest.mark.browser
PASSWORD = "senha-muito-segura-123"
XSS = '<img src=x onerror="window.__xss=1"> reuniões'


@pytest.fixture
def archive(archive_setup: ArchiveSetup) -> ArchiveSetup:
    archive_setup.archive(
        [
            inbound("wamid.1", "Bom dia! Podemos marcar as reuniões de vendas?"),
            outbound("wamid.2", "Claro, a reunião fica para quinta", minutes=2),
            inbound("wamid.3", XSS, minutes=3),
        ]
    )
    with transaction(archive_setup.runtime.sessions) as session:
        create_user(session, tenant_id=archive_setup.tenant.id, email="ana@exemplo.com.br", role="compliance",
                    password=PASSWORD)  # fmt: skip
    return archive_setup


def test_ana_searches_without_accents_and_opens_the_hit_in_its_conversation(
    archive: ArchiveSetup, live_server: str, browser: Any, screenshot: Screenshot
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("ana@exemplo.com.br")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="Busca").click()
    page.get_by_label("Palavras, frases ou prefixos").fill("reunioes")
    page.get_by_label("Palavras, frases ou prefixos").press("Enter")
    page.wait_for_url("**/search?q=reunioes*")
    screenshot(page, "search.png")

    assert page.get_by_role("heading", name="1–3 de 3 resultados").is_visible()
    assert page.locator("mark").first.inner_text() == "reuniões"
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0

    page.get_by_role("link", name="Abrir na conversa").first.click()
    page.wait_for_url("**/conversations/*#m*")
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"li#{anchor}").is_visible()
    assert page.locator("li.bubble:target").count() == 1
