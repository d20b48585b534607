"""The engine's shortcuts change its speed, never its hits: keyword gate, no-data texts, one pass over numbers."""

from __future__ import annotations

import pytest

from atalaia.domain.policy import Detector, KeywordMatch, KeywordOptions, Policy, Rule
from atalaia.policies import compile_policies
from atalaia.policies._builtin import NAMES, detect_builtin
from atalaia.policies.detectors.bank_account import find_bank_accounts
from atalaia.policies.detectors.cnpj import find_cnpj
from atalaia.policies.detectors.cpf import find_cpf
from atalaia.policies.detectors.credit_card import find_credit_cards
from atalaia.policies.detectors.email import find_emails
from atalaia.policies.detectors.keywords import KeywordMatcher, KeywordRule
from atalaia.policies.detectors.phone import find_phones
from atalaia.policies.detectors.pix_key import find_pix_keys

TERMS = ("propina", "nota fria", "por fora", "caixa dois")
ONE_BY_ONE = {
    "cpf": find_cpf,
    "cnpj": find_cnpj,
    "credit_card": find_credit_cards,
    "phone": find_phones,
    "email": find_emails,
    "pix_key": find_pix_keys,
    "bank_account": find_bank_accounts,
}


def matcher(*rules: KeywordRule) -> KeywordMatcher:
    return KeywordMatcher(rules or (KeywordRule(key=0, terms=TERMS),))


@pytest.mark.parametrize(
    "text",
    [
        "a PROPINA de sempre",
        "pro\u00adpina escondida",  # a soft hyphen is deleted by the fold, so the gate must see one word
        "😀 propina 😀",  # not Latin-1: the gate cannot tell from the text, the view decides
        "emitiu nota  fria",  # repeated spaces
        "*propina*",
        "Própína",
    ],
)
def test_the_gate_never_hides_a_term(text: str) -> None:
    words = matcher()
    assert words.may_match(text)
    assert words.find(text) != {}


def test_the_gate_says_no_when_no_word_of_a_term_is_there() -> None:
    words = matcher()
    assert not words.may_match("nota fiscal por favor")  # "nota" and "por" alone gate nothing
    assert words.find("nota fiscal por favor") == {}


def test_prefix_and_evasion_rules_switch_the_gate_off() -> None:
    prefix = matcher(KeywordRule(key=0, terms=("descont",), match=KeywordMatch.PREFIX))
    evasive = matcher(KeywordRule(key=0, terms=("propina",), evasion=True))
    assert prefix.may_match("nada aqui")
    assert evasive.may_match("nada aqui")
    assert evasive.find("p.r.o.p.i.n.a") == {0: [(0, 13)]}


def test_a_text_that_cannot_hold_personal_data_is_one_shared_empty_answer() -> None:
    assert dict(detect_builtin("Bom dia, 1 pedido", NAMES)) == {}
    assert dict(detect_builtin("ana@exemplo.com.br", NAMES))["email"] == [(0, 18)]


@pytest.mark.parametrize(
    "text",
    [
        "CPF 529.982.247-25 e cartão 4111 1111 1111 1111, tel (21) 99999-8888",
        "pix 52998224725 ou 11.222.333/0001-81, banco itaú ag 1234 conta 12345-6",
        "chave 3f2b8c1e-9a4d-4c2b-8e1f-0a1b2c3d4e5f e cel 21987654321",
        "cartões 5555 5555 5555 4444 / 3714 496353 98431 e o 2221000000000009",
        "nada 12/03/2024 às 14:30, R$ 1.234,00, pedido 123456789012345",
    ],
)
def test_the_one_pass_over_numbers_finds_what_each_detector_finds_alone(text: str) -> None:
    together = detect_builtin(text, NAMES)
    for name, find in ONE_BY_ONE.items():
        assert list(together[name]) == find(text), name
        assert list(detect_builtin(text, frozenset({name})).get(name, [])) == find(text), name


def test_the_engine_without_keyword_hits_still_finds_bank_accounts() -> None:
    rules = (
        Rule(id="kw", detector=Detector.KEYWORDS, options=KeywordOptions(terms=TERMS)),
        Rule(id="conta", detector=Detector.BANK_ACCOUNT),
    )
    engine = compile_policies([Policy(id="p", rules=rules)])
    [hit] = engine.scan_text("deposita na conta 12345-6")
    assert (hit.rule, hit.match) == ("conta", "12345-6")
