"""The onboarding pages over the real app, on both databases.

Personas of tests/web/conftest.py, plus:
- gil: the administrator, who writes the rules and invites people.
- elisa: a new salesperson, who never signs in; she only has the link from her e-mail.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Acceptance, AuditEntry, UsageRuleVersion
from atalaia.services.people import create_user
from tests.onboarding_story import ELISA, parts, token_in, use_smtp
from tests.smtp_server import running_smtp
from tests.web.conftest import PASSWORD, Story, page_csrf, sign_in

GIL = "gil@exemplo.com.br"
HOSTILE_RULES = """# Regras

<script>alert('rules')</script>
<img src=x onerror=alert(1)>
![foto](http://evil.example/x.png" onerror="alert(2))
[clique](javascript:alert(3)) [dados](data:text/html;base64,PHNjcmlwdD4=) [site](https://empresa.com.br)
<a href="javascript:alert(4)">link cru</a>
"""


@pytest.fixture
def admin_story(story: Story) -> Story:
    runtime = story.setup.runtime
    with transaction(runtime.sessions) as session:
        create_user(session, tenant_id=story.setup.tenant.id, email=GIL, role="admin", password=PASSWORD)
    return story


def _invite(client: TestClient, **fields: str) -> str:
    sign_in(client, GIL)
    data = {"csrf_token": page_csrf(client), "email": ELISA, "name": "Elisa Vendas", "team": "Vendas", **fields}
    page = client.post("/admin/invitations", data=data)
    assert page.status_code == 200, page.text
    return page.text


def _link_on(page: str) -> str:
    match = re.search(r'id="invitation-link">http://[^/]+(/onboarding/onb_[A-Za-z0-9_-]+)<', page)
    assert match, page
    return match.group(1)


def _accept(client: TestClient, path: str, *, agree: str = "sim") -> object:
    page = client.get(path)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert csrf
    assert version
    return client.post(path, data={"csrf_token": csrf.group(1), "version": version.group(1), "agree": agree},
                       headers={"user-agent": "Teste/1.0"})  # fmt: skip


def test_an_invitation_by_the_console_reaches_the_mailbox(admin_story: Story) -> None:
    with running_smtp() as box:
        use_smtp(admin_story.setup.runtime, box)
        page = _invite(admin_story.client)
        assert "está sendo enviado" in page
        assert 'id="invitation-link"' not in page
    message = box.to(ELISA)
    text, html = parts(message)
    assert "Elisa Vendas" in text
    assert "Elisa Vendas" in html
    path = f"/onboarding/{token_in(message)}"
    assert admin_story.client.get(path).status_code == 200
    listing = admin_story.client.get("/admin/invitations").text
    assert "e-mail enviado" in listing


def test_without_smtp_the_admin_sees_the_link_once_and_elisa_accepts_without_signing_in(admin_story: Story) -> None:
    path = _link_on(_invite(admin_story.client))
    assert "invitation-link" not in admin_story.client.get("/admin/invitations").text
    elisa = TestClient(admin_story.client.app)  # a separate browser: no console session at all
    page = elisa.get(path)
    assert page.status_code == 200
    assert "Olá, Elisa Vendas" in page.text
    assert "Regras de uso do WhatsApp corporativo" in page.text
    done = _accept(elisa, path)
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert "Aceite registrado" in done.text  # type: ignore[attr-defined]
    again = elisa.get(path)
    assert again.status_code == 410
    assert "já foi usado" in again.text
    with admin_story.setup.runtime.sessions() as session:
        row = session.execute(select(Acceptance)).scalar_one()
        assert row.user_agent == "Teste/1.0"
        assert row.ip == "testclient"
    report = admin_story.client.get("/admin/acceptances").text
    assert "aceitou a versão em vigor" in report
    assert ELISA in report


def test_the_accept_form_needs_its_csrf_value_and_the_checkbox(admin_story: Story) -> None:
    path = _link_on(_invite(admin_story.client))
    elisa = TestClient(admin_story.client.app)
    elisa.get(path)
    forged = elisa.post(path, data={"csrf_token": "forjado", "version": "1", "agree": "sim"})
    assert forged.status_code == 403
    unchecked = _accept(elisa, path, agree="")
    assert unchecked.status_code == 422  # type: ignore[attr-defined]
    assert "Marque a caixa" in unchecked.text  # type: ignore[attr-defined]
    with admin_story.setup.runtime.sessions() as session:
        assert session.execute(select(Acceptance)).first() is None
    assert _accept(elisa, path).status_code == 200  # type: ignore[attr-defined]  # the link was not spent


@pytest.mark.parametrize("token", ["onb_" + "A" * 43, "x", "onb_" + "A" * 500, "%00", "onb_%2e%2e%2f"])
def test_a_made_up_link_answers_not_valid_and_reveals_nothing(admin_story: Story, token: str) -> None:
    page = TestClient(admin_story.client.app).get(f"/onboarding/{token}")
    assert page.status_code == 404
    assert "não é válido" in page.text
    assert admin_story.setup.tenant.name not in page.text


def test_too_many_bad_links_from_one_address_are_throttled(admin_story: Story) -> None:
    path = _link_on(_invite(admin_story.client))
    guesser = TestClient(admin_story.client.app)
    for _ in range(20):
        assert guesser.get("/onboarding/onb_" + "B" * 43).status_code == 404
    assert guesser.get(path).status_code == 429  # even a real link, from this address, for a while
    with admin_story.setup.runtime.sessions() as session:  # nothing was accepted
        assert session.execute(select(Acceptance)).first() is None


def test_hostile_markdown_never_reaches_the_employee_as_html(admin_story: Story) -> None:
    client = admin_story.client
    sign_in(client, GIL)
    published = client.post("/admin/usage-rules", data={"csrf_token": page_csrf(client), "body": HOSTILE_RULES,
                                                         "action": "publish"}, follow_redirects=False)  # fmt: skip
    assert published.status_code == 303
    path = _link_on(_invite(client))
    page = TestClient(client.app).get(path).text
    rules = page[page.index('<article class="card rules"') : page.index("</article>")]
    assert "<script" not in rules
    assert "<img" not in rules
    assert '<a href="javascript' not in rules
    assert not re.search(r'href="(?!https://empresa\.com\.br)', rules)  # the one safe link is the only link
    assert "&lt;script&gt;" in rules  # shown as text
    assert 'href="https://empresa.com.br" rel="noopener noreferrer nofollow"' in rules


def test_preview_shows_the_rendering_and_publishes_nothing(admin_story: Story) -> None:
    client = admin_story.client
    sign_in(client, GIL)
    page = client.post("/admin/usage-rules", data={"csrf_token": page_csrf(client), "body": "# Novo\n\n**sim**",
                                                   "action": "preview"})  # fmt: skip
    assert page.status_code == 200
    assert "<h1>Novo</h1>" in page.text
    assert "<strong>sim</strong>" in page.text
    with admin_story.setup.runtime.sessions() as session:
        assert session.execute(select(UsageRuleVersion.version)).scalars().all() == [1]


def test_publishing_needs_the_csrf_token_and_an_administrator(admin_story: Story) -> None:
    client = admin_story.client
    sign_in(client, GIL)
    assert client.post("/admin/usage-rules", data={"body": "x", "action": "publish"}).status_code == 403
    sign_in(client, "ana@exemplo.com.br")  # compliance: reads the report, does not write the rules
    token = page_csrf(client)
    assert client.post("/admin/usage-rules", data={"csrf_token": token, "body": "x",
                                                   "action": "publish"}).status_code == 403  # fmt: skip
    assert client.post("/admin/invitations", data={"csrf_token": token, "email": ELISA,
                                                   "name": "Elisa"}).status_code == 403  # fmt: skip
    for path in ("/admin/usage-rules", "/admin/usage-rules/1", "/admin/invitations"):
        assert client.get(path).status_code == 403
    assert client.get("/admin/acceptances").status_code == 200
    with admin_story.setup.runtime.sessions() as session:
        assert session.execute(select(UsageRuleVersion.version)).scalars().all() == [1]


def test_a_manager_sees_only_the_acceptances_of_their_team(admin_story: Story) -> None:
    _invite(admin_story.client, team="Suporte", email="sara@exemplo.com.br", name="Sara Suporte")
    client = admin_story.client
    sign_in(client, "carla@exemplo.com.br")  # manages Suporte
    page = client.get("/admin/acceptances").text
    assert "sara@exemplo.com.br" in page
    assert "bruno@exemplo.com.br" not in page
    sign_in(client, "bruno@exemplo.com.br")  # manages Vendas: the line's employee, not Sara
    page = client.get("/admin/acceptances").text
    assert "bruno@exemplo.com.br" in page
    assert "sara@exemplo.com.br" not in page
    with admin_story.setup.runtime.sessions() as session:
        reads = session.execute(select(AuditEntry).where(AuditEntry.action == "acceptances_read")).scalars().all()
        assert {r.actor for r in reads} >= {"carla@exemplo.com.br", "bruno@exemplo.com.br"}


def test_the_csv_export_defuses_formulas(admin_story: Story) -> None:
    _invite(admin_story.client, name='=HYPERLINK("http://evil","x")', email="formula@exemplo.com.br")
    answer = admin_story.client.get("/admin/acceptances.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["email", "nome", "equipe"]
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["formula@exemplo.com.br"] == '\'=HYPERLINK("http://evil","x")'


def test_a_refused_invitation_leaves_nothing_half_written(admin_story: Story) -> None:
    page = _invite(admin_story.client, line="+5511977770000")  # the Suporte line: free, so this one works
    assert "+5511977770000" in page
    refused = admin_story.client.post("/admin/invitations", data={
        "csrf_token": page_csrf(admin_story.client), "email": "outra@exemplo.com.br", "name": "Outra",
        "team": "Equipe Nova", "line": "+5511977770000"})  # fmt: skip
    assert refused.status_code == 409
    assert "atribuída a outra pessoa" in refused.text
    listing = admin_story.client.get("/admin/invitations").text
    assert "outra@exemplo.com.br" not in listing
    assert "Equipe Nova" not in listing
