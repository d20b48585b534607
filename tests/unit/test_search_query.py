"""The search language and its escaping: no database, just what a person may type."""

from __future__ import annotations

import pytest

from atalaia.search import SearchQueryError, parse_query
from atalaia.search._highlight import find_spans, snippet
from atalaia.search._query import MAX_QUERY_CHARS, Term
from atalaia.search._sqlite_fts5 import match_expression, quote
from atalaia.search._text import fold, normalise_ending, plain_words, stem_key, stems_of


def terms(query: str) -> list[tuple[tuple[str, ...], bool, bool, bool]]:
    return [(t.words, t.phrase, t.prefix, t.negated) for t in parse_query(query).terms]


def test_words_phrases_exclusions_and_prefixes() -> None:
    assert terms('contrato "reunião de vendas" -cancelado propo*') == [
        (("contrato",), False, False, False),
        (("reunião", "de", "vendas"), True, False, False),
        (("cancelado",), False, False, True),
        (("propo",), False, True, False),
    ]
    assert terms('proposta -"por fora"') == [(("proposta",), False, False, False), (("por", "fora"), True, False, True)]


def test_operators_of_the_engines_are_plain_text() -> None:
    assert terms("NEAR(a b)") == [(("NEAR", "a"), False, False, False), (("b",), False, False, False)]
    assert terms("body:segredo") == [(("body", "segredo"), False, False, False)]
    assert terms("^segredo OR x") == [
        (("segredo",), False, False, False),
        (("OR",), False, False, False),
        (("x",), False, False, False),
    ]
    assert terms("segredo'; DROP TABLE messages; --") == [
        (("segredo",), False, False, False),
        (("DROP",), False, False, False),
        (("TABLE",), False, False, False),
        (("messages",), False, False, False),
    ]
    assert terms("a-b e-mail") == [(("a", "b"), False, False, False), (("e", "mail"), False, False, False)]


def test_lone_operators_and_control_characters_are_dropped() -> None:
    assert terms("segredo - * ^ ( ) : \x00 \u200b") == [(("segredo",), False, False, False)]
    assert terms("a\x00b") == [(("a",), False, False, False), (("b",), False, False, False)]


@pytest.mark.parametrize(
    ("query", "explains"),
    [
        ('"reunião', "aspas sem par"),
        ('a "b" "c', "aspas sem par"),
        ("", "nenhuma palavra"),
        ("   ", "nenhuma palavra"),
        ('- * ^ ( ) : \' -- ""', "nenhuma palavra"),
        ("-contrato", "exclusões"),
        ('-"por fora" -x', "exclusões"),
        ("a*", "prefixo"),
        ("x" * (MAX_QUERY_CHARS + 1), "máximo"),
        (" ".join(["palavra"] * 21), "máximo é 20"),
        ('"' + " ".join(["w"] * 65) + '"', "palavras demais"),
    ],
)
def test_unusable_queries_are_refused_in_portuguese(query: str, explains: str) -> None:
    with pytest.raises(SearchQueryError, match=explains) as refused:
        parse_query(query)
    assert refused.value.status == 400


def test_fts5_strings_double_their_quotes() -> None:
    assert quote('a"b') == '"a""b"'
    expression = match_expression(parse_query('contrato "a b" -x pro*'))
    assert expression == (
        '(({body} : "contrato" OR {stems} : "contrat") AND ({body} : "a b" OR {stems} : "a b") '
        'AND ({body} : "pro" *)) NOT ({body} : "x" OR {stems} : "x")'
    )


def test_every_typed_character_stays_inside_fts5_quotes() -> None:
    hostile = "x\" OR 1 NOT {body} : NEAR(a b, 2) ^c d* 'e' \"f"
    expression = match_expression(parse_query(hostile))
    outside = "".join(part for i, part in enumerate(expression.split('"')) if i % 2 == 0)
    assert set(outside) <= set("(){}: *ANDORTbodystems")


# Folding and stems ----------------------------------------------------------------------------


def test_folding_removes_accents_and_case() -> None:
    assert fold("AÇÃO") == "acao"
    assert fold("Reuniões") == "reunioes"
    assert plain_words("boleto.pdf, R$ 1.500,00 e ana@empresa.com.br") == "boleto pdf R 1 500 00 e ana empresa com br"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("proposta", "propostas"),
        ("reunião", "reuniões"),
        ("ação", "ações"),
        ("notificação", "notificações"),
        ("reunião", "reuniao"),
        ("reuniões", "reunioes"),
        ("ações", "acoes"),
        ("notificações", "notificacoes"),
        ("NOTIFICAÇÃO", "notificacao"),
        ("pão", "pães"),
        ("mão", "mãos"),
    ],
)
def test_singular_plural_and_unaccented_forms_share_a_stem(one: str, other: str) -> None:
    assert stem_key(one) == stem_key(other)


def test_ao_plurals_are_joined_before_stemming() -> None:
    assert normalise_ending("reuniões") == "reunião"
    assert normalise_ending("alemães") == "alemão"
    assert normalise_ending("cidadãos") == "cidadão"
    assert normalise_ending("acoes") == "ação"
    assert normalise_ending("casa") == "casa"
    assert stem_key("proposta") != stem_key("reunião")


def test_the_stem_column_has_one_stem_per_word_in_order() -> None:
    assert stems_of("As reuniões de VENDAS") == "as reunia de vend"


# Highlighting ------------------------------------------------------------------------------------


def test_spans_point_at_the_words_as_written() -> None:
    text = "A Proposta e as REUNIÕES; propostas!"
    spans = find_spans(text, parse_query("proposta reuniao").positive)
    assert [text[s:e] for s, e in spans] == ["Proposta", "REUNIÕES", "propostas"]


def test_a_prefix_marks_words_that_start_with_it() -> None:
    text = "contrato, contratos e encontro"
    spans = find_spans(text, [Term(text="contrat", words=("contrat",), prefix=True)])
    assert [text[s:e] for s, e in spans] == ["contrato", "contratos"]


def test_a_snippet_is_cut_around_the_first_match() -> None:
    text = "palavra " * 40 + "o segredo está aqui " + "fim " * 60
    spans = find_spans(text, parse_query("segredo").positive)
    cut = snippet(text, spans)
    assert cut.startswith("…palavra ")
    assert "o [segredo] está aqui" in cut
    assert cut.endswith("…")
    assert len(cut) < 200
    assert snippet("curto", []) == "curto"
