"""Ana searches the archive from the console; managers only ever find, and count, their own team."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from atalaia.db.models import AuditEntry
from atalaia.web.console import search_page
from tests.web.conftest import Story, sign_in
from tests.web.search_story import HOSTILE, SearchStory, build_search_story

PROPOSTA = {"hostil", "preco", "apagada", "fornecedor", "anexo", "secreta"}  # every message saying "proposta"
VENDAS = PROPOSTA - {"secreta"}


@pytest.fixture
def searchable(story: Story) -> SearchStory:
    return build_search_story(story)


def results(s: SearchStory, q: str, **params: str) -> set[str]:
    page = s.story.client.get("/search", params={"q": q, **params})
    assert page.status_code == 200, page.text
    return s.found_in_page(page.text)


def searches(s: SearchStory, actor: str) -> list[AuditEntry]:
    with s.story.setup.runtime.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "search", AuditEntry.actor == actor)
        return list(session.execute(query.order_by(AuditEntry.seq)).scalars())


def test_ana_finds_words_typed_without_accents_or_capitals(searchable: SearchStory) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")

    page = searchable.story.client.get("/search", params={"q": "acao"})

    assert searchable.found_in_page(page.text) == {"acao"}
    assert "<mark>ação</mark>" in page.text
    assert "reunioes" in results(searchable, "REUNIOES")
    assert "1–1 de 1 resultado" in page.text


def test_phrases_exclusions_and_prefixes_work_as_the_hint_says(searchable: SearchStory) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")

    phrase = results(searchable, '"reunião de vendas"')
    assert "frase" in phrase
    assert "avulsas" not in phrase  # the same words, not side by side
    assert results(searchable, "proposta -hostil") == PROPOSTA - {"hostil"}
    assert results(searchable, 'proposta -"do fornecedor"') == PROPOSTA - {"fornecedor"}
    assert results(searchable, "propo*") == PROPOSTA


def test_each_filter_narrows_the_results(searchable: SearchStory) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")
    vendas_line = str(searchable.story.setup.line.id)
    cases: list[tuple[dict[str, str], set[str]]] = [
        ({"line": str(searchable.suporte_line)}, {"secreta"}),
        ({"line": vendas_line}, VENDAS),
        ({"team": "Suporte"}, {"secreta"}),
        ({"employee": "bruno@exemplo.com.br"}, VENDAS),
        ({"contact": "+55 11 97777-6666"}, {"fornecedor"}),
        ({"direction": "outbound"}, {"preco"}),
        ({"from": "2024-03-02"}, {"anexo"}),
        ({"to": "2024-03-01"}, PROPOSTA - {"anexo"}),
        ({"kind": "document"}, {"anexo"}),
        ({"has_attachment": "1"}, {"anexo"}),
        ({"has_attachment": "0"}, PROPOSTA - {"anexo"}),
        ({"has_alert": "1"}, {"preco"}),
        ({"has_alert": "0"}, PROPOSTA - {"preco"}),
        ({"deleted": "1"}, {"apagada"}),
        ({"edited": "1"}, {"preco"}),
        (
            {"edited": "0", "deleted": "0", "line": vendas_line, "direction": "inbound"},
            {"hostil", "fornecedor", "anexo"},
        ),
    ]
    for params, expected in cases:
        assert results(searchable, "proposta", **params) == expected, params


def test_a_hostile_message_and_a_hostile_query_stay_text(searchable: SearchStory) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")

    page = searchable.story.client.get("/search", params={"q": "hostil"}).text
    echoed = searchable.story.client.get("/search", params={"q": '"><script>alert(2)</script>'}).text

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; proposta <mark>hostil</mark>" in page
    assert HOSTILE not in page
    assert "<script>" not in echoed
    assert "&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in echoed


def test_an_edited_deleted_or_alerted_hit_says_so(searchable: SearchStory) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")

    old_price = searchable.story.client.get("/search", params={"q": "900"}).text
    deleted = searchable.story.client.get("/search", params={"q": "esquece"}).text

    assert searchable.found_in_page(old_price) == {"preco"}
    assert "no texto original, antes da edição" in old_price
    assert '<span class="tag">editada</span>' in old_price
    assert '<span class="tag alert">alerta</span>' in old_price
    assert '<span class="tag alert">apagada</span>' in deleted


def test_bruno_never_sees_nor_counts_suporte(searchable: SearchStory) -> None:
    client = searchable.story.client
    sign_in(client, "bruno@exemplo.com.br")

    page = client.get("/search", params={"q": "proposta"}).text
    nothing = client.get("/search", params={"q": "confidencial"}).text
    by_line = client.get("/search", params={"q": "proposta", "line": str(searchable.suporte_line)})
    by_team = client.get("/search", params={"q": "proposta", "team": "Suporte"})
    by_number = client.get("/search", params={"q": "proposta", "line": "+5511977770000"})

    assert searchable.found_in_page(page) == VENDAS
    assert "de 5 resultados" in page
    assert "Nenhum resultado" in nothing
    assert "Proposta confidencial" not in nothing
    assert "+5511977770000" not in page  # not even among the lines to filter on
    for refused, message in [(by_line, "linha não encontrada"), (by_team, "equipe não encontrada"),
                             (by_number, "linha não encontrada")]:  # fmt: skip
        assert (refused.status_code, message in refused.text) == (400, True)
    assert "Proposta confidencial" not in by_line.text
    assert all(entry.detail["total"] <= len(VENDAS) for entry in searches(searchable, "bruno@exemplo.com.br"))


def test_carla_finds_only_suporte_and_davi_the_auditor_finds_everything(searchable: SearchStory) -> None:
    client = searchable.story.client
    sign_in(client, "carla@exemplo.com.br")
    carla = client.get("/search", params={"q": "proposta"}).text
    client.cookies.clear()
    sign_in(client, "davi@exemplo.com.br")
    davi = client.get("/search", params={"q": "proposta"}).text

    assert searchable.found_in_page(carla) == {"secreta"}
    assert "1–1 de 1 resultado" in carla
    assert searchable.found_in_page(davi) == PROPOSTA
    assert [entry.detail["total"] for entry in searches(searchable, "davi@exemplo.com.br")] == [6]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"proposta'}, "aspas sem par"),
        ({"q": "x" * 10_000}, "o máximo é 1000"),
        ({"q": '- * " " ^ ( )'}, "nenhuma palavra"),
        ({"q": "-proposta"}, "só tem exclusões"),
        ({"q": "a*"}, "curto demais"),
        ({"q": "proposta", "from": "ontem"}, "Data inválida em “De”"),
        ({"q": "proposta", "from": "2024-03-05", "to": "2024-03-01"}, "posterior ao fim"),
        ({"q": "proposta", "page": "abc"}, "Página inválida"),
        ({"q": "proposta", "has_alert": "talvez"}, "Valor inválido em “Alerta”"),
        ({"q": "proposta", "direction": "sideways"}, "Direção desconhecida"),
        ({"q": "proposta", "kind": "<b>"}, "Tipo de mensagem desconhecido: &lt;b&gt;"),
        ({"q": "proposta", "contact": "\x00²"}, "contato não encontrado"),
        ({"q": "proposta", "employee": "ninguem@exemplo.com.br"}, "colaborador não encontrado"),
    ],
)
def test_a_search_that_cannot_run_is_explained_in_place(
    searchable: SearchStory, params: dict[str, str], message: str
) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")

    page = searchable.story.client.get("/search", params=params)

    assert page.status_code == 400
    assert message in page.text
    assert 'role="alert"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert '<form method="get" action="/search"' in page.text  # the form is back, to fix the query
    assert searches(searchable, "ana@exemplo.com.br") == []  # nothing read, nothing audited


@pytest.mark.parametrize(
    "q", ["NEAR(proposta fornecedor)", "body:proposta", "proposta' OR 1=1; --", "\x00proposta", "🙂 proposta"]
)
def test_engine_syntax_is_just_text(searchable: SearchStory, q: str) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")

    page = searchable.story.client.get("/search", params={"q": q})

    assert page.status_code == 200
    assert "resultado" in page.text


def test_every_search_is_audited_with_its_filters(searchable: SearchStory) -> None:
    sign_in(searchable.story.client, "ana@exemplo.com.br")
    searchable.story.client.get("/search", params={"q": "acao", "direction": "inbound", "has_alert": "0"})
    sign_in(searchable.story.client, "bruno@exemplo.com.br")
    searchable.story.client.get("/search", params={"q": "proposta"})

    (ana,) = searches(searchable, "ana@exemplo.com.br")
    (bruno,) = searches(searchable, "bruno@exemplo.com.br")
    assert ana.detail == {"query": "acao", "total": 1, "limit": 20, "offset": 0,
                          "filters": {"direction": "inbound", "scoped": True, "has_alert": False}}  # fmt: skip
    assert (ana.user_id is not None, ana.ip) == (True, "testclient")
    assert bruno.detail["filters"] == {"visible_line_ids": [searchable.story.setup.line.id]}
    assert bruno.detail["total"] == len(VENDAS)


def test_results_come_in_pages_that_keep_the_filters(searchable: SearchStory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_page, "PAGE_SIZE", 2)
    client = searchable.story.client
    sign_in(client, "ana@exemplo.com.br")

    first = client.get("/search", params={"q": "proposta", "line": str(searchable.story.setup.line.id)}).text
    next_link = re.search(r'href="([^"]+)" rel="next"', first)
    assert next_link
    second = client.get(next_link.group(1).replace("&amp;", "&")).text
    last = client.get("/search", params={"q": "proposta", "line": str(searchable.story.setup.line.id), "page": "3"})

    assert "1–2 de 5 resultados" in first
    assert 'rel="prev"' not in first
    assert "3–4 de 5 resultados" in second
    assert 'rel="prev"' in second
    assert "5–5 de 5 resultados" in last.text
    assert 'rel="next"' not in last.text
    pages = [searchable.found_in_page(html) for html in (first, second, last.text)]
    assert set().union(*pages) == VENDAS


def test_a_hit_links_to_its_message_in_the_transcript(searchable: SearchStory) -> None:
    client = searchable.story.client
    sign_in(client, "ana@exemplo.com.br")

    page = client.get("/search", params={"q": "fornecedor"}).text
    link = re.search(r'href="(/conversations/\d+)#m(\d+)"', page)
    assert link
    transcript = client.get(link.group(1))

    assert int(link.group(2)) == searchable.ids["fornecedor"]
    assert transcript.status_code == 200
    assert f'<li id="m{link.group(2)}"' in transcript.text


def test_the_form_alone_searches_nothing_and_needs_a_session(searchable: SearchStory) -> None:
    client = searchable.story.client
    assert client.get("/search", params={"q": "proposta"}, follow_redirects=False).headers["location"] == "/login"
    sign_in(client, "ana@exemplo.com.br")

    empty = client.get("/search")
    filters_only = client.get("/search", params={"q": "  ", "direction": "inbound"})

    assert empty.status_code == 200
    assert '<label for="q">' in empty.text
    assert 'role="search"' in empty.text
    assert 'href="/search">Busca</a>' in empty.text
    assert "Digite ao menos uma palavra" in filters_only.text
    assert searches(searchable, "ana@exemplo.com.br") == []
