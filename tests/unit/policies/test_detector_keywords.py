"""Keyword lists: one automaton, folded text, word/prefix/substring, proximity, evasion."""

from __future__ import annotations

import pytest

from atalaia.domain.policy import KeywordMatch
from atalaia.policies.detectors.keywords import KeywordMatcher, KeywordRule


def found(rule: KeywordRule, text: str) -> list[str]:
    return [text[s:e] for s, e in KeywordMatcher([rule]).find(text).get(rule.key, [])]


CONDUCT = KeywordRule(key=1, terms=("propina", "caixa dois", "por fora"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aceitou a PROPÍNA?", ["PROPÍNA"]),
        ("foi no caixa dois", ["caixa dois"]),
        ("pagaram por  fora", ["por  fora"]),  # two spaces
        ("caixa\ndois", ["caixa\ndois"]),
        ("*propina*", ["propina"]),  # WhatsApp bold: * is not part of a word
        ("_propina_", ["propina"]),
        ("propinas", []),  # whole words only
        ("apropinado", []),
        ("p r o p i n a", []),  # evasion is off for this rule
    ],
)
def test_word_matching_folds_case_accents_and_spaces(text: str, expected: list[str]) -> None:
    assert found(CONDUCT, text) == expected


def test_prefix_matching_runs_to_the_end_of_the_word() -> None:
    rule = KeywordRule(key=2, terms=("desconto", "cancelar o contrato"), match=KeywordMatch.PREFIX)
    assert found(rule, "Quero DESCONTOS e cancelar o contratos") == ["DESCONTOS", "cancelar o contratos"]
    assert found(rule, "sem odesconto") == []


def test_substring_matching_ignores_word_boundaries() -> None:
    rule = KeywordRule(key=3, terms=("pina",), match=KeywordMatch.SUBSTRING)
    assert found(rule, "propina") == ["pina"]


@pytest.mark.parametrize(
    "text",
    ["p.r.o.p.i.n.a", "pr0p1na", "p r o p i n a", "P-R-O-P-I-N-A", "pro.pi.na", "pr0-p1na", "p r o p i n a e"],
)
def test_evasion_finds_split_and_leetspeak_terms(text: str) -> None:
    rule = KeywordRule(key=4, terms=("propina",), evasion=True)
    assert len(found(rule, text)) == 1


def test_evasion_rejoins_multi_word_terms() -> None:
    rule = KeywordRule(key=5, terms=("caixa dois",), evasion=True)
    assert found(rule, "c-a-i-x-a d-o-i-s ou caixa-dois") == ["c-a-i-x-a d-o-i-s", "caixa-dois"]


def test_evasion_reports_each_occurrence_once() -> None:
    rule = KeywordRule(key=6, terms=("propina",), evasion=True)
    assert found(rule, "propina") == ["propina"]


def test_proximity_needs_every_term_within_n_words() -> None:
    rule = KeywordRule(key=7, terms=("transferir", "conta pessoal"), within=3)
    assert found(rule, "vou transferir para a sua conta pessoal hoje") == ["transferir para a sua conta pessoal"]
    assert found(rule, "transferir a b c d conta pessoal") == []
    assert found(rule, "conta pessoal, vou transferir") == ["conta pessoal, vou transferir"]
    assert found(rule, "só transferir") == []


def test_thousands_of_terms_share_one_automaton() -> None:
    rules = [KeywordRule(key=i, terms=(f"termo{i:05d}",)) for i in range(5000)]
    matcher = KeywordMatcher(rules)
    assert matcher.find("o termo04999 e o termo00001") == {1: [(17, 27)], 4999: [(2, 12)]}


def test_the_same_term_in_two_rules_reports_to_both() -> None:
    matcher = KeywordMatcher(
        [KeywordRule(key=1, terms=("propina",)), KeywordRule(key=2, terms=("propina",), match=KeywordMatch.PREFIX)]
    )
    assert matcher.find("propinas") == {2: [(0, 8)]}
    assert matcher.find("propina") == {1: [(0, 7)], 2: [(0, 7)]}


def test_an_emoji_term_switches_to_exact_folding() -> None:
    matcher = KeywordMatcher([KeywordRule(key=1, terms=("💰💰",), match=KeywordMatch.SUBSTRING)])
    assert matcher.exact
    assert matcher.find("manda 💰💰 hoje, 👍👍") == {1: [(6, 8)]}


def test_an_empty_term_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        KeywordMatcher([KeywordRule(key=1, terms=(" ",))])
