"""A compliance officer attaches evidence to a case and sends the employee's notice, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from atalaia.runtime import Runtime
from tests.compliance_story import CPFS
from tests.smtp_server import Mailbox, running_smtp
from tests.web.alert_desk import PASSWORD, REASON, seed

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def seeded(runtime: Runtime) -> Iterator[tuple[Runtime, Mailbox]]:
    seed(runtime)
    with running_smtp() as box:
        runtime.settings.smtp_url = SecretStr(box.url)
        yield runtime, box


def test_ana_attaches_evidence_and_notifies_the_employee(
    seeded: tuple[Runtime, Mailbox], live_server: str, browser: Any, tmp_path: Path
) -> None:
    _, box = seeded
    evidence = tmp_path / "print da conversa.pdf"
    evidence.write_bytes(PDF)
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("ana@exemplo.com.br")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="Alertas").click()
    page.get_by_role("link", name="Dados pessoais <enviados>").click()

    page.get_by_label("Arquivo (até 20 MiB)").set_input_files(str(evidence))
    page.get_by_role("button", name="Anexar").click()
    page.wait_for_url("**/alerts/*?feito=evidence*")
    assert page.get_by_role("status").inner_text() == "Evidência anexada ao caso."
    assert page.get_by_role("link", name="print da conversa.pdf").is_visible()

    page.get_by_role("button", name="Enviar aviso").click()
    assert "revele o colaborador" in page.get_by_role("alert").inner_text()
    page.get_by_label("Motivo da revelação (ao menos 10 caracteres)").fill(REASON)
    page.get_by_role("button", name="Revelar").click()
    page.get_by_role("button", name="Enviar aviso").click()
    page.wait_for_url("**/alerts/*?feito=notice*")
    assert page.get_by_role("status").inner_text() == "Aviso enviado ao colaborador."
    history = page.locator("#historico + ol").inner_text()
    assert "aviso ao colaborador : enviado · modelo versão 0" in history
    assert "evidência anexada : print da conversa.pdf" in history

    message = box.to("eduarda@exemplo.com.br")
    assert CPFS[0] not in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
