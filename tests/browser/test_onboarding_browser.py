"""In a real browser: gil (admin) invites elisa, elisa opens the link from the e-mail she received,
accepts the rules, sees how to connect her line, and gil sees her acceptance."""

from __future__ import annotations

import time
from typing import Any

import pytest

from atalaia.db.engine import transaction
from atalaia.services.lines import add_line
from atalaia.services.people import create_user
from tests.conftest import ArchiveSetup
from tests.onboarding_story import ELISA, token_in, use_smtp
from tests.smtp_server import Mailbox, running_smtp

pytestmark = pytest.mark.browser
PASSWORD = "senha-muito-segura-123"
GIL = "gil@exemplo.com.br"


def _wait_for_mail(box: Mailbox, address: str) -> Any:
    deadline = time.monotonic() + 20  # the e-mail leaves after the response, as a background task
    while time.monotonic() < deadline:
        if any(address in rcpts for rcpts, _, _ in box.received):
            return box.to(address)
        time.sleep(0.1)
    raise AssertionError(f"no e-mail reached {address}")


def test_gil_invites_elisa_who_accepts_from_her_email(archive_setup: ArchiveSetup, live_server: str,
                                                      browser: Any) -> None:  # fmt: skip
    runtime = archive_setup.runtime
    with transaction(runtime.sessions) as session:
        create_user(session, tenant_id=archive_setup.tenant.id, email=GIL, role="admin", password=PASSWORD)
        add_line(session, tenant_id=archive_setup.tenant.id, number="+5521988887777", provider="evolution")
    csp_errors: list[str] = []
    with running_smtp() as box:
        use_smtp(runtime, box)
        runtime.settings.public_url = live_server
        admin = browser.new_page()
        admin.on("console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None)
        admin.goto(f"{live_server}/login")
        admin.get_by_label("E-mail").fill(GIL)
        admin.get_by_label("Senha").fill(PASSWORD)
        admin.get_by_role("button", name="Entrar").click()
        admin.get_by_role("link", name="Convites").click()
        admin.get_by_label("E-mail").fill(ELISA)
        admin.get_by_label("Nome").fill("Elisa Vendas")
        admin.get_by_label("Equipe").fill("Vendas")
        admin.get_by_label("Linha corporativa").select_option("+5521988887777")
        admin.get_by_role("button", name="Enviar convite", exact=True).click()
        assert "está sendo enviado" in admin.content()
        message = _wait_for_mail(box, ELISA)

    link = f"{live_server}/onboarding/{token_in(message)}"
    elisa = browser.new_context().new_page()  # her own browser: no console session
    elisa.on("console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None)
    elisa.goto(link)
    assert elisa.get_by_role("heading", name="Regras de uso do WhatsApp corporativo", exact=False).count() >= 1
    elisa.get_by_label("Li e aceito as regras de uso").check()
    elisa.get_by_role("button", name="Aceitar as regras").click()
    elisa.get_by_role("heading", name="Aceite registrado").wait_for()
    assert "Aparelhos conectados" in elisa.content()  # how to link her Evolution line
    elisa.goto(link)
    assert "já foi usado" in elisa.content()

    admin.get_by_role("link", name="Aceites", exact=True).click()
    row = admin.get_by_role("table", name="Por colaborador").locator("tr", has_text=ELISA)
    assert "aceitou a versão em vigor" in row.inner_text()
    assert csp_errors == []
