"""The policies page: list, a policy's YAML, edit with errors shown in place, test on sample text."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from atalaia.db.models import AuditEntry, Message, PolicyVersion
from atalaia.services.compliance.policies import default_policy_text
from tests.web.conftest import Story, page_csrf, sign_in

CPF = "123.456.789-09"


def versions(story: Story) -> list[tuple[int, bool]]:
    with story.setup.runtime.sessions() as session:
        rows = session.execute(select(PolicyVersion.version, PolicyVersion.active).order_by(PolicyVersion.version))
        return [(v, a) for v, a in rows]


def save(story: Story, text: str, token: str | None = None) -> object:
    csrf = token if token is not None else page_csrf(story.client)
    return story.client.post("/policies/edit", data={"yaml_text": text, "csrf_token": csrf}, follow_redirects=False)


def test_a_valid_edit_creates_a_version_and_is_listed_and_audited(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    assert story.client.get("/policies/edit").status_code == 200

    response = save(story, default_policy_text())

    assert response.status_code == 303  # type: ignore[attr-defined]
    assert versions(story) == [(1, True)]
    listing = story.client.get("/policies?done=saved").text
    assert "Nova versão salva." in listing
    assert 'href="/policies/dados-pessoais"' in listing
    assert "Versão em vigor: 1." in listing
    one = story.client.get("/policies/dados-pessoais").text
    assert "id: dados-pessoais" in one
    assert "id: conduta" not in one  # only this policy's slice of the file
    with story.setup.runtime.sessions() as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.actor == "ana@exemplo.com.br")).scalars()
        assert "policies_imported" in list(actions)

    edited = default_policy_text().replace("severity: high", "severity: critical", 1)
    assert save(story, edited).status_code == 303  # type: ignore[attr-defined]
    assert versions(story) == [(1, False), (2, True)]


def test_invalid_yaml_is_shown_in_place_with_its_line_and_nothing_is_saved(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    save(story, default_policy_text())
    broken = default_policy_text().replace("detect: cnpj", "detect: telepatia", 1)
    bad_line = broken.splitlines().index("        detect: telepatia") + 1

    response = save(story, broken)

    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert f"Linha {bad_line}:" in page
    assert "telepatia" in page
    assert 'aria-invalid="true"' in page
    assert "detect: telepatia" in page  # the draft is kept in the textarea, not lost
    assert versions(story) == [(1, True)]

    unparsable = save(story, "policies:\n  - id: [unclosed\n")
    assert unparsable.status_code == 422  # type: ignore[attr-defined]
    assert re.search(r"Linha \d+:", unparsable.text)  # type: ignore[attr-defined]
    assert versions(story) == [(1, True)]


def test_readers_read_and_only_editors_edit(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    save(story, default_policy_text())
    story.client.post("/logout", data={"csrf_token": page_csrf(story.client)})

    for reader in ("davi@exemplo.com.br", "bruno@exemplo.com.br"):
        sign_in(story.client, reader)
        assert story.client.get("/policies").status_code == 200
        assert story.client.get("/policies/conduta").status_code == 200
        assert story.client.get("/policies/edit").status_code == 403
        assert save(story, "policies: []\n").status_code == 403  # type: ignore[attr-defined]
        story.client.post("/logout", data={"csrf_token": page_csrf(story.client)})
    assert versions(story) == [(1, True)]
    assert story.client.get("/policies", follow_redirects=False).status_code in (303, 307)


def test_saving_without_the_csrf_token_is_refused(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")

    response = save(story, default_policy_text(), token="forjado")

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert versions(story) == []


def test_the_tester_highlights_hits_escapes_hostile_text_and_stores_nothing(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    save(story, default_policy_text())
    with story.setup.runtime.sessions() as session:
        before = session.execute(select(func.count()).select_from(Message)).scalar_one()
    hostile = f'<script>alert("x")</script><img src=x onerror=alert(1)> meu cpf é {CPF}'

    response = story.client.post(
        "/policies/test", data={"sample": hostile, "direction": "outbound", "csrf_token": page_csrf(story.client)}
    )

    assert response.status_code == 200
    page = response.text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert" in page
    assert f"<mark>{CPF}</mark>" in page
    assert re.search(r"<td>dados-pessoais</td><td>cpf</td><td>cpf</td>", page)
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == before
        detail = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "policies_tested")).scalar_one()
    assert detail["hits"] >= 1
    assert CPF not in str(detail)

    clean = story.client.post("/policies/test", data={"sample": "bom dia", "csrf_token": page_csrf(story.client)})
    assert "Nenhuma regra disparou." in clean.text
    empty = story.client.post("/policies/test", data={"sample": "   ", "csrf_token": page_csrf(story.client)})
    assert empty.status_code == 422
    bad = story.client.post(
        "/policies/test", data={"sample": "x", "direction": "lateral", "csrf_token": page_csrf(story.client)}
    )
    assert bad.status_code == 422
    assert "direção inválida" in bad.text
