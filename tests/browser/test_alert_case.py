"""A compliance officer resolves an alert as a false positive in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from atalaia.runtime import Runtime
from tests.browser.conftest import Screenshot
from tests.compliance_story import CPFS
from tests.web.alert_desk import PASSWORD, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(runtime: Runtime) -> Runtime:
    seed(runtime)
    return runtime


def test_ana_resolves_an_alert_as_a_false_positive(
    seeded: Runtime, live_server: str, browser: Any, screenshot: Screenshot
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("ana@exemplo.com.br")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="Alertas").click()
    screenshot(page, "alerts.png")
    page.get_by_role("link", name="Dados pessoais <enviados>").click()
    assert page.locator("li.hit-msg mark").inner_text() == CPFS[0]
    screenshot(page, "alert.png")
    page.get_by_label("Falso positivo").check()
    page.get_by_label("Motivo da resolução").fill("CPF do próprio cliente, enviado a pedido dele")
    page.get_by_role("button", name="Resolver").click()

    page.wait_for_url("**/alerts/*?feito=resolve")
    assert page.locator("#situacao").inner_text() == "resolvido (falso positivo)"
    assert page.get_by_role("status").inner_text() == "Alerta resolvido."
