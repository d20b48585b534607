"""A compliance officer and a manager use the console in a real browser."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from atalaia.db.engine import transaction
from atalaia.domain.events import ContactRef, EditEvent, RevokeEvent
from atalaia.services.lines import add_line
from atalaia.services.people import create_user
from tests.browser.conftest import Screenshot
from tests.conftest import ArchiveSetup
from tests.factories import T0, chat_with, inbound, outbound

pytestmark = pytest.mark.browser
PASSWORD = "senha-muito-segura-123"
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def people(archive_setup: ArchiveSetup) -> ArchiveSetup:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    evil = ContactRef(key="wa:5521911112222", name=XSS + "<script>window.__xss=2</script>")
    archive_setup.archive(
        [
            inbound("wamid.1", "Bom dia! Quero um desconto no plano anual."),
            outbound("wamid.2", "Consigo 10% por fora, me chama no pix pessoal", minutes=2),
            outbound("wamid.3", "Posso fazer R$ 900", minutes=3),
            inbound("wamid.X", XSS, minutes=4, contact=evil),
        ]
    )
    archive_setup.archive(
        [
            RevokeEvent("wamid.2", chat_with(), T0 + timedelta(minutes=5), by_line=True, provider_event_id="R1"),
            EditEvent("wamid.3", chat_with(), "Posso fazer R$ 950", T0 + timedelta(minutes=6), provider_event_id="E1"),
        ]
    )
    with transaction(runtime.sessions) as session:
        add_line(session, tenant_id=tenant.id, number="+5511977770000", provider="export", team="Suporte")
        create_user(session, tenant_id=tenant.id, email="ana@exemplo.com.br", role="compliance", password=PASSWORD)
        create_user(session, tenant_id=tenant.id, email="carla@exemplo.com.br", role="manager", teams=["Suporte"],
                    password=PASSWORD)  # fmt: skip
    return archive_setup


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{base}/")


def test_ana_reads_a_conversation_with_its_deleted_and_edited_messages(
    people: ArchiveSetup, live_server: str, browser: Any, screenshot: Screenshot
) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server, "ana@exemplo.com.br")
    screenshot(page, "home.png")

    page.get_by_role("link", name="Conversas").first.click()
    page.get_by_role("link", name="Maria Cliente").click()
    screenshot(page, "conversation.png")

    deleted = page.locator("li.revoked del")
    assert deleted.inner_text() == "Consigo 10% por fora, me chama no pix pessoal"
    assert "Apagada pelo colaborador" in page.locator("li.revoked").inner_text()
    assert page.get_by_text("Posso fazer R$ 950", exact=True).is_visible()
    page.get_by_text("Editada (1×)").click()
    assert page.get_by_text("Original: Posso fazer R$ 900").is_visible()
    assert dialogs == []


def test_hostile_names_and_text_stay_inert(people: ArchiveSetup, live_server: str, browser: Any) -> None:
    page = browser.new_page()
    sign_in(page, live_server, "ana@exemplo.com.br")
    page.goto(f"{live_server}/conversations")
    page.locator("a[href^='/conversations/']").filter(has_text="<img").first.click()

    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    assert XSS in page.locator(".bubble .text").first.inner_text()


def test_carla_cannot_reach_a_vendas_conversation_by_url(people: ArchiveSetup, live_server: str, browser: Any) -> None:
    page = browser.new_page()
    sign_in(page, live_server, "carla@exemplo.com.br")

    response = page.goto(f"{live_server}/conversations/1")

    assert response is not None
    assert response.status == 404
    assert "desconto" not in page.content()
