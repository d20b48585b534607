"""In a real Chromium: the DPO answers an access request and downloads the subject's ZIP; the
compliance officer places a legal hold on a case's conversation and exports the case to RSMF,
whose manifest verifies. The worker is the real one (`run_once`), run by the test between steps.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from atalaia.db.models import LegalHold
from atalaia.jobs.worker import run_once
from atalaia.runtime import Runtime
from tests.conftest import ArchiveSetup
from tests.export_jobs_story import PASSWORD, Story, build_story, manifest_problems
from tests.rsmf_check import container_problems, open_rsmf
from tests.rsmf_check import manifest_problems as rsmf_problems

pytestmark = pytest.mark.browser


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    return build_story(archive_setup)


def run_worker(runtime: Runtime) -> None:
    while run_once(runtime, worker="browser-test"):
        pass


def sign_in(page: Any, live_server: str, name: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(f"{name}@exemplo.com.br")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}/")


def saved(download: Any, folder: Path) -> zipfile.ZipFile:
    path = folder / download.suggested_filename
    download.save_as(str(path))
    return zipfile.ZipFile(path)


def test_the_dpo_answers_an_access_request_and_downloads_the_zip(
    story: Story, live_server: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(accept_downloads=True)
    sign_in(page, live_server, "ana")
    page.get_by_role("link", name="Titulares (LGPD)").click()
    page.get_by_label("Telefone do titular (acesso)").fill("+55 21 98888-7777")
    page.get_by_label("Motivo ou protocolo do pedido de acesso").fill("Protocolo 2024/17, recebido por e-mail")
    page.get_by_role("button", name="Verificar pedido de acesso").click()
    assert page.locator("#previa-mensagens").inner_text() != "0"
    page.get_by_role("button", name="Confirmar pedido de acesso").click()
    page.wait_for_url("**/governance/requests?feito=access")
    assert "na fila" in page.locator("table.list").inner_text()

    run_worker(story.setup.runtime)
    page.goto(f"{live_server}/governance/requests")
    assert "atendido" in page.locator("table.list").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Baixar ZIP do titular").click()
    archive = saved(info.value, tmp_path)

    assert manifest_problems(archive) == []
    assert "Pode mandar a proposta" in archive.read("messages.jsonl").decode()
    assert info.value.suggested_filename.startswith("atalaia-titular-")


def test_the_compliance_officer_holds_a_case_and_exports_it_to_rsmf(
    story: Story, live_server: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(accept_downloads=True)
    sign_in(page, live_server, "ana")
    page.get_by_role("link", name="Retenções legais").click()
    page.get_by_label("Reter").select_option("conversation")
    page.get_by_label("Alvo").fill(str(story.maria_chat))
    page.get_by_label("Motivo (processo, pedido, investigação)").fill("Reclamação trabalhista 0001234-56.2024")
    page.get_by_role("button", name="Colocar em retenção legal").click()
    page.wait_for_url("**/governance/holds?feito=added")
    assert page.get_by_role("status").inner_text() == "Retenção legal em vigor."
    with story.setup.runtime.sessions() as session:
        hold = session.execute(select(LegalHold)).scalar_one()
    assert (hold.scope, hold.conversation_id, hold.owner) == ("conversation", story.maria_chat, "ana@exemplo.com.br")

    page.goto(f"{live_server}/alerts/{story.case}")
    page.get_by_label("Formato da exportação").select_option("rsmf")
    page.get_by_role("button", name="Exportar").click()
    page.wait_for_url("**/exports?feito=*")
    run_worker(story.setup.runtime)
    page.goto(f"{live_server}/exports")
    assert "pronta" in page.locator("table.list").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Baixar").click()
    archive = saved(info.value, tmp_path)

    assert manifest_problems(archive) == []
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["selection"]["alert_id"] == story.case
    assert manifest["export_format"] == "rsmf"
    (name,) = [n for n in archive.namelist() if n.endswith(".rsmf")]
    package = open_rsmf(archive.read(name))
    assert container_problems(package.message) == []
    assert rsmf_problems(package.manifest, set(package.archive.namelist()) - {"rsmf_manifest.json"}) == []
    digest = hashlib.sha256(Path(tmp_path / info.value.suggested_filename).read_bytes()).hexdigest()
    assert digest[:16] in page.locator("table.list").inner_text()  # the page shows what was downloaded
