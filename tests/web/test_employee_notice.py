"""The templated notice to an alert's employee: a real local SMTP server, the tenant's template, the refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import CaseEvent, Employee
from atalaia.runtime import Runtime
from atalaia.services.auth import issue_api_token
from atalaia.services.compliance.notice_templates import DEFAULT_BODY, NoticeTemplate, render
from atalaia.services.people import create_user
from tests.compliance_story import CPFS
from tests.smtp_server import Mailbox, running_smtp
from tests.web.alert_desk import PASSWORD, REASON, Desk, open_desk, sign_in

EDUARDA = "eduarda@exemplo.com.br"


@pytest.fixture
def desk(runtime: Runtime) -> Iterator[Desk]:
    with open_desk(runtime) as opened:
        yield opened


@pytest.fixture
def box(desk: Desk) -> Iterator[Mailbox]:
    with running_smtp() as mailbox:
        desk.story.runtime.settings.smtp_url = SecretStr(mailbox.url)
        yield mailbox


def reveal(desk: Desk, who: str = "ana") -> None:
    done = desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/reveal", headers=desk.bearer(who), json={"reason": REASON}
    )
    assert done.status_code == 200


def send(desk: Desk, who: str = "ana", alert_id: int | None = None) -> object:
    return desk.client.post(f"/api/v1/alerts/{alert_id or desk.vendas_alert}/employee-notice", headers=desk.bearer(who))


def notice_events(desk: Desk) -> list[dict[str, object]]:
    with desk.story.runtime.sessions() as session:
        rows = session.execute(select(CaseEvent.detail).where(CaseEvent.kind == "notice").order_by(CaseEvent.id))
        return [dict(d or {}) for d in rows.scalars()]


def test_the_notice_reaches_the_employee_without_any_message_content(desk: Desk, box: Mailbox) -> None:
    reveal(desk)

    sent = send(desk)

    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    assert sent.json()["template_version"] == 0
    message = box.to(EDUARDA)
    raw = next(r for rcpts, _, r in box.received if EDUARDA in rcpts)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Olá, Eduarda Lima." in text
    assert '"Dados pessoais <enviados>"' in text
    assert "Dados pessoais &lt;enviados&gt;" in html  # escaped in the HTML part
    assert f"alerta nº {desk.vendas_alert}" in text
    assert "ana@exemplo.com.br" in text
    assert message["Reply-To"] == "ana@exemplo.com.br"
    for secret in (CPFS[0], CPFS[0].replace(".", "").replace("-", ""), "Segue o CPF", "Bom dia, Maria"):
        assert secret.encode() not in raw
        assert secret not in text
    assert notice_events(desk) == [
        {"status": "sent", "template_version": 0, "employee_id": notice_events(desk)[0]["employee_id"]}
    ]
    assert "Eduarda" not in str(notice_events(desk))  # managers read the history under the pseudonym
    assert ("alert_notice", "ok", str(desk.vendas_alert)) in desk.audit("ana@exemplo.com.br")


def test_refusals_say_why_and_send_nothing(desk: Desk, box: Mailbox) -> None:
    not_revealed = send(desk)
    bruno = send(desk, "bruno")
    davi = send(desk, "davi")
    carla_revealed_nothing = send(desk, "carla")

    assert not_revealed.status_code == 409
    assert "revele o colaborador" in not_revealed.json()["error"]
    assert bruno.status_code == 403
    assert davi.status_code == 403
    assert carla_revealed_nothing.status_code == 403
    reveal(desk)
    with transaction(desk.story.runtime.sessions) as session:
        session.execute(update(Employee).where(Employee.email == EDUARDA).values(email=""))
    no_email = send(desk)
    assert no_email.status_code == 409
    assert "não tem e-mail" in no_email.json()["error"]
    assert box.received == []
    assert notice_events(desk) == []


def test_an_smtp_refusal_is_recorded_as_failed(desk: Desk) -> None:
    with running_smtp(Mailbox(refuse={EDUARDA})) as box:
        desk.story.runtime.settings.smtp_url = SecretStr(box.url)
        reveal(desk)
        sent = send(desk)

    assert sent.status_code == 502
    assert sent.json()["status"] == "failed"
    events = notice_events(desk)
    assert [e["status"] for e in events] == ["failed"]
    assert EDUARDA not in str(events)


def test_template_injection_is_inert() -> None:
    hostile = NoticeTemplate(
        version=3,
        subject="Aviso {colaborador}\r\nBcc: todos@exemplo.com.br",
        body="{{ ''.__class__.__mro__ }} {0.__init__} {politica} ${empresa} {% import os %} {colaborador}",
    )

    out = render(hostile, {"colaborador": "{politica}", "politica": "<b>Conduta</b>", "empresa": "ACME"})

    assert out.text == "{{ ''.__class__.__mro__ }} {0.__init__} <b>Conduta</b> $ACME {% import os %} {politica}"
    assert "\n" not in out.subject
    assert "\r" not in out.subject
    assert "<class" not in out.text


def test_admins_edit_the_template_with_a_preview_and_notices_use_the_new_version(desk: Desk, box: Mailbox) -> None:
    with transaction(desk.story.runtime.sessions) as session:
        create_user(session, tenant_id=desk.story.tenant.id, email="root@exemplo.com.br", role="admin",
                    password=PASSWORD)  # fmt: skip
    token = sign_in(desk.client, "root")
    url = "/admin/employee-notice"
    assert "Maria da Silva" not in desk.client.get(url).text
    assert DEFAULT_BODY.splitlines()[0] in desk.client.get(url).text

    hostile = {"csrf_token": token, "subject": "Aviso", "body": "{{ ''.__class__ }} {segredo}", "action": "save"}
    injected = desk.client.post(url, data=hostile)
    forged = desk.client.post(url, data={"csrf_token": "x", "subject": "A", "body": "B", "action": "save"})
    draft = {"subject": "Aviso: {politica}", "body": "Oi {colaborador}, <b>veja</b> {politica}.", "action": "preview"}
    previewed = desk.client.post(url, data={"csrf_token": token, **draft})
    saved = desk.client.post(url, data={"csrf_token": token, "subject": "Aviso: {politica}",
                                        "body": "Oi {colaborador}, fale com {contato}.", "action": "save"},
                             follow_redirects=False)  # fmt: skip

    assert injected.status_code == 422
    assert "campo desconhecido: {segredo}" in injected.text
    assert forged.status_code == 403
    assert previewed.status_code == 200
    assert "Oi Maria da Silva, &lt;b&gt;veja&lt;/b&gt; Dados pessoais." in previewed.text
    assert saved.status_code == 303
    sign_in(desk.client, "ana")
    assert desk.client.get(url).status_code == 403  # compliance sends, administrators edit
    reveal(desk)
    assert send(desk).json()["template_version"] == 1
    message = box.to(EDUARDA)
    assert message["Subject"] == "Aviso: Dados pessoais <enviados>"
    assert message.get_body(("plain",)).get_content().strip() == "Oi Eduarda Lima, fale com ana@exemplo.com.br."  # type: ignore[union-attr]


def test_the_console_sends_after_a_reveal(desk: Desk, box: Mailbox) -> None:
    token = sign_in(desk.client, "ana")
    url = f"/alerts/{desk.vendas_alert}"

    early = desk.client.post(f"{url}/employee-notice", data={"csrf_token": token})
    desk.client.post(f"{url}/reveal", data={"csrf_token": token, "reason": REASON})
    forged = desk.client.post(f"{url}/employee-notice", data={"csrf_token": "x"})
    sent = desk.client.post(f"{url}/employee-notice", data={"csrf_token": token})

    assert early.status_code == 409
    assert "revele o colaborador" in early.text
    assert forged.status_code == 403
    assert sent.status_code == 200
    assert "Aviso enviado ao colaborador." in sent.text
    assert "aviso ao colaborador" in sent.text
    assert len(box.received) == 1


def test_the_template_is_read_by_anyone_and_versioned_by_administrators_through_the_api(desk: Desk) -> None:
    url = "/api/v1/employee-notice-template"
    with transaction(desk.story.runtime.sessions) as session:
        root = create_user(session, tenant_id=desk.story.tenant.id, email="root@exemplo.com.br", role="admin",
                           name="Root").user  # fmt: skip
        root_token = issue_api_token(session, user=root, name="testes")
    admin = {"Authorization": f"Bearer {root_token}"}

    default = desk.client.get(url, headers=desk.bearer("davi")).json()
    refused = desk.client.put(url, headers=desk.bearer("ana"), json={"subject": "A", "body": "B"})
    unknown = desk.client.put(url, headers=admin, json={"subject": "Aviso", "body": "{{ ''.__class__ }} {segredo}"})
    broken = desk.client.put(url, headers=admin, json={"subject": "Aviso\r\nBcc: x@y", "body": "B"})
    saved = desk.client.put(url, headers=admin, json={"subject": "Aviso: {politica}", "body": "Olá, {colaborador}."})
    anonymous = desk.client.get(url)

    assert (default["version"], default["body"]) == (0, DEFAULT_BODY)
    assert "colaborador" in default["fields"]
    assert refused.status_code == 403  # compliance reads, only administrators save
    assert unknown.status_code == 422
    assert "segredo" in unknown.json()["error"]
    assert broken.status_code == 200
    assert broken.json()["subject"] == "Aviso Bcc: x@y"  # the line break never reaches a header
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["subject"]) == (2, "Aviso: {politica}")
    assert anonymous.status_code == 401
    assert desk.client.get(url, headers=desk.bearer("carla")).json()["version"] == 2
