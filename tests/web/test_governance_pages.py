"""The console's governance pages: legal holds, the LGPD register with access and erasure, and /exports.

Ana (the DPO) places and releases holds, answers an access request (confirmed, queued, run by the
worker, downloaded) and an erasure request (refused while a hold covers Maria's chat, done after
its release); Davi (auditor) reads without forms; managers are turned away; forms without the
CSRF token change nothing; hostile text is shown escaped.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from atalaia.db.models import ExportJob, LegalHold, Message, SubjectRequest
from tests.export_jobs_story import manifest_problems, unzip
from tests.web.export_desk import Desk, desk

__all__ = ["desk"]
HOSTILE = "<script>alert('x')</script> Processo \u202e123"


def holds(desk: Desk) -> list[LegalHold]:
    with desk.story.setup.runtime.sessions() as session:
        return list(session.execute(select(LegalHold).order_by(LegalHold.id)).scalars())


def test_ana_places_a_hold_from_the_console_and_releases_it(desk: Desk) -> None:
    csrf = desk.sign_in("ana")
    form = {"csrf_token": csrf, "scope": "phone", "target": "+55 21 98888-7777", "reason": HOSTILE, "until": ""}
    placed = desk.client.post("/governance/holds", data=form, follow_redirects=False)
    assert (placed.status_code, placed.headers["location"]) == (303, "/governance/holds?feito=added")

    page = desk.client.get("/governance/holds?feito=added").text
    assert "Retenção legal em vigor." in page
    assert "+5521988887777" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    (hold,) = holds(desk)
    assert (hold.scope, hold.owner, hold.reason) == ("phone", "ana@exemplo.com.br", HOSTILE)

    release = {"csrf_token": csrf, "reason": "Acordo homologado"}
    released = desk.client.post(f"/governance/holds/{hold.id}/release", data=release, follow_redirects=False)
    assert released.status_code == 303
    assert "Retenção legal liberada." in desk.client.get(released.headers["location"]).text
    assert holds(desk)[0].release_reason == "Acordo homologado"
    assert len(desk.story.audit("read_holds")) >= 2


def test_a_refused_hold_form_says_why_and_keeps_what_was_typed(desk: Desk) -> None:
    csrf = desk.sign_in("ana")
    cases = [
        ({"scope": "conversation", "target": "abc", "reason": "motivo"}, "número de conversa inválido"),
        ({"scope": "conversation", "target": "999999", "reason": "motivo"}, "conversa não encontrada"),
        ({"scope": "phone", "target": "+5521988887777", "reason": " "}, "Informe o motivo"),
        ({"scope": "tudo", "target": "x", "reason": "motivo"}, "escolha o que reter"),
        ({"scope": "phone", "target": "+5521988887777", "reason": "datas", "starts": "31/12/2030"}, "Início"),
    ]
    for form, message in cases:
        answer = desk.client.post("/governance/holds", data={"csrf_token": csrf, **form})
        assert answer.status_code in (400, 404, 422), (form, answer.status_code)
        assert message in answer.text, form
    assert holds(desk) == []


def test_the_auditor_reads_holds_and_requests_without_forms_and_managers_are_turned_away(desk: Desk) -> None:
    desk.sign_in("davi")
    for path in ("/governance/holds", "/governance/requests"):
        page = desk.client.get(path)
        assert page.status_code == 200
        assert 'method="post" action="/governance' not in page.text
    csrf = desk.sign_in("davi")
    form = {"csrf_token": csrf, "scope": "phone", "target": "+5521988887777", "reason": "x"}
    assert desk.client.post("/governance/holds", data=form).status_code == 403
    desk.sign_in("bruno")
    assert "Retenções legais" not in desk.client.get("/").text
    for path in ("/governance/holds", "/governance/requests"):
        assert desk.client.get(path).status_code == 403
    assert holds(desk) == []


def test_forms_without_the_csrf_token_change_nothing(desk: Desk) -> None:
    desk.sign_in("ana")
    posts = [
        ("/governance/holds", {"scope": "phone", "target": "+5521988887777", "reason": "x"}),
        ("/governance/requests/access", {"phone": "+5521988887777", "reason": "x", "confirm": "1"}),
        ("/governance/requests/erasure/confirm", {"phone": "+5521988887777", "reason": "x"}),
        ("/exports", {"selection_kind": "case", "selection_value": str(desk.story.case), "format": "rsmf"}),
    ]
    for path, form in posts:
        for token in (None, "forjado"):
            data = form if token is None else {**form, "csrf_token": token}
            assert desk.client.post(path, data=data).status_code == 403, (path, token)
    with desk.story.setup.runtime.sessions() as session:
        assert session.execute(select(SubjectRequest)).first() is None
        assert session.execute(select(ExportJob)).first() is None
        assert session.execute(select(Message.text).where(Message.id == desk.story.ids["m1"])).scalar_one() != (
            "[apagado a pedido do titular (LGPD)]"
        )
    assert holds(desk) == []


def test_ana_answers_an_access_request_and_downloads_the_zip(desk: Desk) -> None:
    csrf = desk.sign_in("ana")
    form = {"csrf_token": csrf, "phone": "+55 21 98888-7777", "reason": "Protocolo 2024/17"}
    preview = desk.client.post("/governance/requests/access", data=form)
    assert preview.status_code == 200
    assert "Confirmar pedido de acesso" in preview.text
    assert re.search(r'id="previa-mensagens">\d+<', preview.text)
    with desk.story.setup.runtime.sessions() as session:
        assert session.execute(select(SubjectRequest)).first() is None  # nothing done before confirming

    confirmed = desk.client.post("/governance/requests/access", data={**form, "confirm": "1"}, follow_redirects=False)
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, "/governance/requests?feito=access")
    waiting = desk.client.get("/governance/requests?feito=access").text
    assert 'http-equiv="refresh"' in waiting
    assert "+55*******7777" in waiting
    desk.run_worker()

    page = desk.client.get("/governance/requests").text
    link = re.search(r'href="(/exports/\d+/download)"', page)
    assert link, page
    assert 'http-equiv="refresh"' not in page
    file = desk.client.get(link.group(1))
    assert file.status_code == 200
    assert manifest_problems(unzip(file.content)) == []
    assert "atendido" in page


def test_an_unknown_number_is_refused_with_the_reason_and_the_lookup_audited(desk: Desk) -> None:
    csrf = desk.sign_in("ana")
    for kind in ("access", "erasure"):
        answer = desk.client.post(f"/governance/requests/{kind}",
                                  data={"csrf_token": csrf, "phone": "+5531900000000", "reason": "pedido"})  # fmt: skip
        assert answer.status_code == 404
        assert "nenhum contato com o número +55*******0000" in answer.text
        bad = desk.client.post(f"/governance/requests/{kind}",
                               data={"csrf_token": csrf, "phone": "<b>x</b>", "reason": "pedido"})  # fmt: skip
        assert bad.status_code == 422
        assert "<b>x</b>" not in bad.text
    assert [e.outcome for e in desk.story.audit("subject_lookup")] == ["failed", "failed"]


def test_an_erasure_is_refused_while_a_hold_covers_it_and_done_after_the_release(desk: Desk) -> None:
    csrf = desk.sign_in("ana")
    hold_form = {"csrf_token": csrf, "scope": "conversation", "target": str(desk.story.maria_chat), "reason": "P 1"}
    desk.client.post("/governance/holds", data=hold_form)
    form = {"csrf_token": csrf, "phone": "+5521988887777", "reason": "Pedido do titular por e-mail"}
    preview = desk.client.post("/governance/requests/erasure", data=form)
    assert "Confirmar apagamento" in preview.text
    held = re.search(r'id="previa-retidas">(\d+)<', preview.text)
    assert held
    assert int(held.group(1)) > 0

    refused = desk.client.post("/governance/requests/erasure/confirm", data=form)
    assert refused.status_code == 200, refused.text
    assert re.search(r'id="apagadas">0<', refused.text)
    assert re.search(rf'id="mantidas">{held.group(1)}<', refused.text)
    assert 'id="motivo-recusa"' in refused.text
    assert "recusado" in refused.text
    with desk.story.setup.runtime.sessions() as session:
        assert session.execute(select(Message.text).where(Message.id == desk.story.ids["m1"])).scalar_one() == (
            "Olá, bom dia! Pode mandar a proposta?"
        )

    (hold,) = holds(desk)
    desk.client.post(f"/governance/holds/{hold.id}/release", data={"csrf_token": csrf, "reason": "Encerrado"})
    done = desk.client.post("/governance/requests/erasure/confirm", data=form)
    assert re.search(rf'id="apagadas">{held.group(1)}<', done.text)
    assert 'id="motivo-recusa"' not in done.text
    with desk.story.setup.runtime.sessions() as session:
        assert session.execute(select(Message.text).where(Message.id == desk.story.ids["m1"])).scalar_one() == (
            "[apagado a pedido do titular (LGPD)]"
        )
        statuses = [r.status for r in session.execute(select(SubjectRequest).order_by(SubjectRequest.id)).scalars()]
    assert statuses == ["refused", "done"]


def test_bruno_exports_a_case_from_its_page_and_carla_cannot(desk: Desk) -> None:
    desk.sign_in("bruno")
    case_page = desk.client.get(f"/alerts/{desk.story.case}").text
    assert 'name="selection_kind" value="case"' in case_page
    conversation_page = desk.client.get(f"/conversations/{desk.story.maria_chat}").text
    assert 'name="selection_kind" value="conversation"' in conversation_page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', case_page)
    assert csrf
    form = {"csrf_token": csrf.group(1), "selection_kind": "case", "selection_value": str(desk.story.case),
            "format": "rsmf"}  # fmt: skip
    asked = desk.client.post("/exports", data=form, follow_redirects=False)
    assert asked.status_code == 303
    listing = desk.client.get(asked.headers["location"]).text
    assert "na fila" in listing
    assert 'http-equiv="refresh"' in listing
    desk.run_worker()
    listing = desk.client.get("/exports").text
    assert "pronta" in listing
    link = re.search(r'href="(/exports/\d+/download)"', listing)
    assert link
    assert manifest_problems(unzip(desk.client.get(link.group(1)).content)) == []

    carla_csrf = desk.sign_in("carla")
    refused = desk.client.post("/exports", data={**form, "csrf_token": carla_csrf})
    assert refused.status_code == 404
    assert "caso não encontrado" in refused.text
    assert desk.client.get(link.group(1)).status_code == 404
    assert "Nenhuma exportação ainda." in desk.client.get("/exports").text
    hostile = desk.client.post("/exports", data={"csrf_token": carla_csrf, "selection_kind": "query",
                                                 "selection_value": HOSTILE, "format": "rsmf"})  # fmt: skip
    assert hostile.status_code == 403
    assert "<script>alert" not in hostile.text
