"""A person turns on the TOTP second factor in a real browser and signs in with a code."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from atalaia.db.engine import transaction
from atalaia.services.people import create_user
from tests.conftest import ArchiveSetup

pytestmark = pytest.mark.browser
PASSWORD = "senha-muito-segura-123"
EMAIL = "ana@exemplo.com.br"


def test_ana_turns_on_totp_and_signs_in_with_a_code(
    archive_setup: ArchiveSetup, live_server: str, browser: Any
) -> None:
    with transaction(archive_setup.runtime.sessions) as session:
        create_user(session, tenant_id=archive_setup.tenant.id, email=EMAIL, role="compliance", password=PASSWORD)
    page = browser.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text) if "Content Security" in message.text else None)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    page.get_by_role("link", name="Conta").click()
    page.get_by_role("button", name="Ativar a verificação em duas etapas").click()
    qr = page.get_by_role("img", name="QR code com a chave da verificação em duas etapas")
    assert qr.locator("svg").bounding_box()["width"] > 100  # drawn, not blocked by the CSP
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Código de 6 dígitos").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirmar e ativar").click()
    assert page.locator(".recovery-codes li").count() == 10

    page.get_by_role("button", name="Sair").click()
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/login/code")
    page.get_by_label("Código de 6 dígitos do aplicativo autenticador").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Entrar").click()

    page.wait_for_url(f"{live_server}/")
    assert EMAIL in page.content()
    assert csp_errors == []
