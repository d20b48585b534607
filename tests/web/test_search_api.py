"""`GET /api/v1/search` with bearer tokens: the console's search, scope, audit and explanations, as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from atalaia.db.models import AuditEntry
from tests.web.conftest import Story
from tests.web.search_story import HOSTILE, SearchStory, build_search_story

PROPOSTA = {"hostil", "preco", "apagada", "fornecedor", "anexo", "secreta"}
VENDAS = PROPOSTA - {"secreta"}


@pytest.fixture
def searchable(story: Story) -> SearchStory:
    return build_search_story(story)


def api(s: SearchStory, who: str, params: dict[str, Any], *, status: int = 200) -> Any:
    response = s.story.client.get(
        "/api/v1/search", params=params, headers={"Authorization": f"Bearer {s.story.tokens[who]}"}
    )
    assert response.status_code == status, response.text
    return response.json()


def found(s: SearchStory, who: str, q: str, **params: Any) -> set[str]:
    payload = api(s, who, {"q": q, **params})
    assert payload["total"] == len(payload["hits"])  # every story search fits one page
    return s.names([hit["message_id"] for hit in payload["hits"]])


def test_words_phrases_exclusions_and_prefixes(searchable: SearchStory) -> None:
    assert found(searchable, "ana", "acao") == {"acao"}
    assert "reunioes" in found(searchable, "ana", "REUNIOES")
    phrase = found(searchable, "ana", '"reunião de vendas"')
    assert "frase" in phrase
    assert "avulsas" not in phrase
    assert found(searchable, "ana", "proposta -hostil") == PROPOSTA - {"hostil"}
    assert found(searchable, "ana", "propo*") == PROPOSTA


def test_each_filter_narrows_the_results(searchable: SearchStory) -> None:
    vendas_line = searchable.story.setup.line
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"line": [searchable.suporte_line]}, {"secreta"}),
        ({"line": [vendas_line.number, str(searchable.suporte_line)]}, PROPOSTA),
        ({"team": "vendas"}, VENDAS),
        ({"employee": "BRUNO@exemplo.com.br"}, VENDAS),
        ({"contact": "+5511977776666"}, {"fornecedor"}),
        ({"direction": "outbound"}, {"preco"}),
        ({"from": "2024-03-02"}, {"anexo"}),
        ({"to": "2024-03-01"}, PROPOSTA - {"anexo"}),
        ({"kind": ["document", "image"]}, {"anexo"}),
        ({"conversation": searchable.conversations["fornecedor"]}, {"fornecedor"}),
        ({"has_attachment": "true"}, {"anexo"}),
        ({"has_alert": "true"}, {"preco"}),
        ({"has_alert": "false"}, PROPOSTA - {"preco"}),
        ({"deleted": "true"}, {"apagada"}),
        ({"edited": "false", "deleted": "false"}, PROPOSTA - {"preco", "apagada"}),
    ]
    for params, expected in cases:
        assert found(searchable, "ana", "proposta", **params) == expected, params


def test_a_hit_carries_its_snippet_spans_and_the_link_to_its_message(searchable: SearchStory) -> None:
    (hit,) = api(searchable, "ana", {"q": "hostil"})["hits"]

    assert hit["snippet"] == HOSTILE  # data, not markup: escaping is the client's job
    assert [hit["snippet"][start:end] for start, end in hit["snippet_highlights"]] == ["hostil"]
    assert hit["url"] == f"/conversations/{hit['conversation_id']}#m{hit['message_id']}"
    assert (hit["conversation"], hit["line"], hit["direction"], hit["matched_in"]) == (
        "Maria Cliente",
        searchable.story.setup.line.number,
        "inbound",
        "text",
    )
    (edited,) = api(searchable, "ana", {"q": "900"})["hits"]
    assert (edited["edited"], edited["has_alert"], edited["matched_in"], edited["text"]) == (
        True,
        True,
        "original",
        "Preço final da proposta: R$ 950",
    )


def test_managers_find_and_count_only_their_teams(searchable: SearchStory) -> None:
    bruno = api(searchable, "bruno", {"q": "proposta"})
    carla = api(searchable, "carla", {"q": "proposta"})
    refused = api(searchable, "bruno", {"q": "proposta", "line": str(searchable.suporte_line)}, status=400)

    assert (bruno["total"], searchable.names([h["message_id"] for h in bruno["hits"]])) == (5, VENDAS)
    assert (carla["total"], searchable.names([h["message_id"] for h in carla["hits"]])) == (1, {"secreta"})
    assert api(searchable, "bruno", {"q": "confidencial"}) == {
        "query": "confidencial",
        "total": 0,
        "limit": 20,
        "offset": 0,
        "hits": [],
    }
    assert refused == {"ok": False, "error": f"linha não encontrada: '{searchable.suporte_line}'", "status": 400}
    assert api(searchable, "carla", {"q": "proposta", "team": "Vendas"}, status=400)["error"].startswith("equipe")
    assert api(searchable, "carla", {"q": "proposta", "contact": "+5511977776666"}, status=400)["error"].startswith(
        "contato não encontrado"
    )


def test_the_auditor_searches_everything(searchable: SearchStory) -> None:
    assert found(searchable, "davi", "proposta") == PROPOSTA


def test_pages_by_limit_and_offset(searchable: SearchStory) -> None:
    first = api(searchable, "ana", {"q": "proposta", "limit": 4})
    rest = api(searchable, "ana", {"q": "proposta", "limit": 4, "offset": 4})

    assert (first["total"], len(first["hits"]), rest["total"], len(rest["hits"])) == (6, 4, 6, 2)
    assert searchable.names([h["message_id"] for h in first["hits"] + rest["hits"]]) == PROPOSTA


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"proposta'}, "aspas sem par"),
        ({"q": "x" * 10_000}, "o máximo é 1000"),
        ({"q": '- * " " ^ ( )'}, "nenhuma palavra"),
        ({"q": "-proposta"}, "só tem exclusões"),
        ({"q": "proposta", "from": "ontem"}, "Data inválida em from"),
        ({"q": "proposta", "limit": 0}, "limite"),
        ({"q": "proposta", "offset": 10_001}, "deslocamento"),
        ({"q": "proposta", "kind": "foto"}, "Tipo de mensagem desconhecido"),
        ({"q": "proposta", "line": "\x00"}, "linha não encontrada"),
    ],
)
def test_a_search_that_cannot_run_answers_400_in_portuguese(
    searchable: SearchStory, params: dict[str, Any], message: str
) -> None:
    payload = api(searchable, "ana", params, status=400)

    assert (payload["ok"], payload["status"]) == (False, 400)
    assert message in payload["error"]
    with searchable.story.setup.runtime.sessions() as session:
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "search")).first() is None


def test_engine_syntax_and_bad_types_never_fail_the_server(searchable: SearchStory) -> None:
    for q in ["NEAR(proposta fornecedor)", "body:proposta", "proposta' OR 1=1; --", "\x00proposta"]:
        assert api(searchable, "ana", {"q": q})["query"] == q
    assert api(searchable, "ana", {"q": "proposta", "conversation": 10**30}, status=422)["status"] == 422
    assert api(searchable, "ana", {"q": "proposta", "has_alert": "talvez"}, status=422)["ok"] is False
    assert api(searchable, "ana", {}, status=422)["error"] == "dados inválidos: q"


def test_a_token_is_required_and_every_search_is_audited(searchable: SearchStory) -> None:
    anonymous = searchable.story.client.get("/api/v1/search", params={"q": "proposta"})
    api(searchable, "carla", {"q": "proposta", "has_attachment": "false"})

    assert anonymous.status_code == 401
    with searchable.story.setup.runtime.sessions() as session:
        (entry,) = session.execute(select(AuditEntry).where(AuditEntry.action == "search")).scalars()
    assert entry.actor == "carla@exemplo.com.br"
    assert entry.detail == {
        "query": "proposta",
        "total": 1,
        "limit": 20,
        "offset": 0,
        "filters": {"has_attachment": False, "visible_line_ids": [searchable.suporte_line]},
    }


def test_the_endpoint_is_described_in_openapi(searchable: SearchStory) -> None:
    spec = searchable.story.client.get("/openapi.json").json()

    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "line", "team", "from", "to", "has_alert", "limit"}
    assert "400" in operation["responses"]
