"""`/admin/audit`: administrators and auditors read the audit log, filter it, and check its chain."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry
from atalaia.services import audit
from atalaia.web.templating import VIEWER_ZONE
from tests.web.conftest import Story, sign_in
from tests.web.totp_story import ADMIN, add_admin, audit_actions

DAVI = "davi@exemplo.com.br"


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("email", ["ana@exemplo.com.br", "bruno@exemplo.com.br"])
def test_compliance_and_managers_do_not_open_the_audit_log(story: Story, email: str) -> None:
    sign_in(story.client, email)
    assert story.client.get("/admin/audit").status_code == 403
    assert 'href="/admin/audit"' not in story.client.get("/").text


@pytest.mark.parametrize("email", [DAVI, ADMIN])
def test_auditors_and_administrators_read_it_and_the_read_is_audited(story: Story, email: str) -> None:
    add_admin(story)
    sign_in(story.client, email)

    page = story.client.get("/admin/audit")

    assert page.status_code == 200
    assert 'href="/admin/audit"' in story.client.get("/").text
    rows = _rows(page.text)
    assert rows[0][2:4] == [email, "login"]  # newest first
    assert audit_actions(story)[-1][0] == "audit_log_viewed"


def test_filters_by_action_actor_and_date(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    sign_in(story.client, DAVI)
    client = story.client

    logins = _rows(client.get("/admin/audit", params={"action": "login"}).text)
    assert {row[3] for row in logins} == {"login"}
    assert {row[2] for row in logins} == {"ana@exemplo.com.br", DAVI}
    ana = _rows(client.get("/admin/audit", params={"actor": "ANA@"}).text)
    assert ana
    assert {row[2] for row in ana} == {"ana@exemplo.com.br"}
    today = datetime.now(VIEWER_ZONE).date()
    assert _rows(client.get("/admin/audit", params={"from": str(today), "to": str(today)}).text)[0][3] != ""
    tomorrow = _rows(client.get("/admin/audit", params={"from": str(today + timedelta(days=1))}).text)
    assert tomorrow == [["Nenhum registro com esses filtros."]]
    bad = client.get("/admin/audit", params={"from": "31/12/2024"})
    assert bad.status_code == 400
    assert "AAAA-MM-DD" in bad.text
    recorded = [d for a, _, d in audit_actions(story) if a == "audit_log_viewed"]
    assert {"action": "login", "offset": 0} in recorded


def test_pages_go_back_in_time(story: Story) -> None:
    runtime, tenant = story.setup.runtime, story.setup.tenant
    with transaction(runtime.sessions) as session:
        for n in range(60):
            audit.record(session, tenant_id=tenant.id, actor="system", action="filler", detail={"n": n})
    sign_in(story.client, DAVI)

    first = _rows(story.client.get("/admin/audit", params={"action": "filler"}).text)
    page = story.client.get("/admin/audit", params={"action": "filler", "page": 2})
    second = _rows(page.text)

    assert len(first) == 50
    assert len(second) == 10
    assert first[0][7] == "n: 59"
    assert second[-1][7] == "n: 0"
    assert "Mais recentes" in page.text
    assert "Mais antigos" not in page.text


def test_the_chain_check_reports_an_intact_log_and_then_a_tampered_one(story: Story) -> None:
    sign_in(story.client, DAVI)
    assert "Verificar a cadeia agora" in story.client.get("/admin/audit").text

    intact = story.client.get("/admin/audit", params={"verify": "1"})
    assert "Cadeia íntegra" in intact.text
    with transaction(story.setup.runtime.sessions) as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="alguem-apagou-o-rastro"))
    tampered = story.client.get("/admin/audit", params={"verify": "1"})

    assert tampered.status_code == 200
    assert "Cadeia com 1 problema(s)" in tampered.text
    assert "audit:2 (modified)" in tampered.text
    with story.setup.runtime.sessions() as session:
        checks = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "audit_chain_verified")).all()
    assert [row[0]["intact"] for row in checks] == [True, False]


def test_audit_details_are_escaped(story: Story) -> None:
    with transaction(story.setup.runtime.sessions) as session:
        audit.record(
            session,
            tenant_id=story.setup.tenant.id,
            actor="<b>x</b>",
            action="filler",
            detail={"q": "<script>alert(1)</script>"},
            ip="1.2.3.4",
        )
    sign_in(story.client, DAVI)

    page = story.client.get("/admin/audit", params={"action": "filler"})

    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<b>x</b>" not in page.text
