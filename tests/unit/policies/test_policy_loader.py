"""Policy files: the SPEC example loads as is; every mistake names its line and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from atalaia.domain.enums import Direction
from atalaia.domain.policy import (
    Category,
    ContactKind,
    Detector,
    FileTypeOptions,
    HoursOptions,
    KeywordMatch,
    KeywordOptions,
    RegexOptions,
    Severity,
    Threshold,
)
from atalaia.policies import PolicyError, load_policies, load_policy_file

SPEC_EXAMPLE = Path(__file__).with_name("spec_example.yml")


def test_the_spec_example_loads_as_is() -> None:
    policies = load_policy_file(SPEC_EXAMPLE)
    assert [p.id for p in policies] == [
        "dados-pessoais",
        "conduta",
        "arquivos-sensiveis",
        "fora-do-horario",
        "negociacao",
    ]
    personal, conduct, files, hours, deals = policies
    assert personal.name == "Dados pessoais de clientes enviados pelo colaborador"
    assert personal.severity is Severity.HIGH
    assert personal.scope.direction is Direction.OUTBOUND
    assert [r.detector for r in personal.rules] == [Detector.CPF, Detector.CNPJ, Detector.CREDIT_CARD]
    assert [r.id for r in personal.rules] == ["dados-pessoais#1", "dados-pessoais#2", "dados-pessoais#3"]
    assert conduct.rules[0].options == KeywordOptions(terms=("propina", "caixa dois", "por fora"))
    assert conduct.rules[1].options == RegexOptions(pattern=r"\bpix\s+pessoal\b")
    assert files.rules[0].options == FileTypeOptions(types=frozenset({"xlsx", "csv", "zip", "sql"}))
    hours_options = hours.rules[0].options
    assert isinstance(hours_options, HoursOptions)
    assert hours_options.timezone == "America/Sao_Paulo"
    assert hours_options.hours.days[0] == ((480, 1080),)
    assert hours_options.hours.days[5] == ()
    assert deals.category is Category.OPPORTUNITY
    assert deals.scope.contacts is ContactKind.EXTERNAL
    assert isinstance(deals.rules[0].options, KeywordOptions)
    assert deals.rules[0].options.match is KeywordMatch.PREFIX


def test_every_optional_field() -> None:
    (policy,) = load_policies(
        """
policies:
  - id: tudo
    name: Tudo
    description: cada campo
    severity: low
    enabled: true
    actions: [alert]
    scope: {direction: any, lines: ["+55 (21) 99999-0000", linha-2], teams: Vendas, contacts: internal}
    rules:
      - id: palavras
        detect: keywords
        terms: [no, "on", sim]
        match: substring
        within: 4
        evasion: yes
        severity: critical
        allow: [no problem]
        threshold: {count: 5, window: 10m}
      - detect: regex
        pattern: '[A-Z]{3}'
        case_sensitive: true
      - detect: file_type
        mismatch: true
      - detect: outside_hours
        hours: {seg-sex: ["08:00-12:00", "13:00-18:00"], sab: closed}
        timezone: America/Manaus
        holidays: false
        extra_holidays: [2025-12-24]
"""
    )
    assert policy.scope.direction is None
    assert policy.scope.lines == frozenset({"5521999990000", "linha-2"})
    assert policy.scope.teams == frozenset({"Vendas"})
    words, pattern, files, hours = policy.rules
    assert words.id == "palavras"
    assert words.options == KeywordOptions(
        terms=("no", "on", "sim"), match=KeywordMatch.SUBSTRING, within=4, evasion=True
    )  # YAML 1.1 would have made booleans of "no" and "on"
    assert words.severity is Severity.CRITICAL
    assert words.allow == ("no problem",)
    assert words.threshold == Threshold(count=5, window=timedelta(minutes=10))
    assert pattern.options == RegexOptions(pattern="[A-Z]{3}", case_sensitive=True)
    assert files.options == FileTypeOptions(mismatch=True)
    assert files.id == "tudo#3"
    assert isinstance(hours.options, HoursOptions)
    assert hours.options.holidays is False
    assert hours.source_line == 25


def rules(*lines: str) -> str:
    """A policy `p` whose rules are `lines`, each one list item (line 4 onwards)."""
    return "policies:\n  - id: p\n    rules:\n" + "".join(f"      - {line}\n" for line in lines)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "policies:\n  - id: conduta\n    rules:\n      - {detect: keywords, terms: [x]}\n      - detect: cpff\n",
            "policies.yml:5: rule 2 of 'conduta': unknown detector 'cpff' (known: bank_account, cnpj, cpf,",
        ),
        (
            "policies:\n  - id: p\n    sevrity: high\n    rules: [{detect: cpf}]\n",
            "policies.yml:3: policy 'p': unknown key 'sevrity'",
        ),
        (
            "policies:\n  - id: p\n    severity: huge\n    rules: [{detect: cpf}]\n",
            "policies.yml:3: policy 'p': 'severity': unknown value 'huge'",
        ),
        ("policies:\n  - name: x\n    rules: [{detect: cpf}]\n", "policies.yml:2: policy 1: missing 'id'"),
        ("policies:\n  - id: p\n", "policies.yml:2: policy 'p': missing 'rules'"),
        ("policies:\n  - id: p\n    rules: []\n", "policies.yml:3: policy 'p': 'rules' is empty"),
        (rules("detect: keywords"), "policies.yml:4: rule 1 of 'p': missing 'terms'"),
        (rules("{detect: cpf, terms: [x]}"), "policies.yml:4: rule 1 of 'p': unknown key 'terms'"),
        (rules("{detect: regex, pattern: '(a+)+$'}"), "policies.yml:4: rule 1 of 'p': nested repetition"),
        (rules("{detect: regex, pattern: '('}"), "policies.yml:4: rule 1 of 'p': invalid pattern"),
        (
            rules("{detect: keywords, terms: [a], match: fuzzy}"),
            "rule 1 of 'p': 'match': unknown value 'fuzzy' (known: word, prefix, substring)",
        ),
        (rules("{detect: keywords, terms: [a], within: 3}"), "'within' needs at least two different terms"),
        (rules("{detect: keywords, terms: [a, b], within: -1}"), "expected a whole number >= 0"),
        (rules("{detect: keywords, terms: [a], evasion: maybe}"), "expected true or false"),
        (rules("{detect: keywords, terms: ['  ']}"), "empty term"),
        (rules("{detect: outside_hours, hours: {mon: '9-5'}}"), "bad hours '9-5'"),
        (
            rules("{detect: outside_hours, hours: {mon: '09:00-17:00'}, timezone: Mars/Base}"),
            "unknown time zone 'Mars/Base'",
        ),
        (rules("{detect: cpf, threshold: {count: 0, window: 10m}}"), "threshold 'count': expected a whole number >= 1"),
        (rules("{detect: cpf, threshold: {count: 2, window: soon}}"), "bad window 'soon'"),
        (rules("{detect: cpf, threshold: {count: 2}}"), "needs 'count' and 'window'"),
        (rules("{detect: file_type}"), "give 'types'"),
        (rules("{detect: cpf, allow: '  '}"), "'allow': expected a list"),
        (rules("{id: a, detect: cpf}", "{id: a, detect: cnpj}"), "rule id 'a' used twice"),
        (rules("{id: 'p#2', detect: cpf}"), "'#' is reserved"),
        (
            "policies:\n  - id: p\n    scope: {direction: sideways}\n    rules: [{detect: cpf}]\n",
            "scope 'direction': unknown value 'sideways' (known: inbound, outbound)",
        ),
        (
            "policies:\n  - id: p\n    rules: [{detect: cpf}]\n  - id: p\n    rules: [{detect: cpf}]\n",
            "policies.yml:4: policy id 'p' already used at line 2",
        ),
        ("policies:\n  - id: p\n    id: q\n    rules: [{detect: cpf}]\n", "'id' given twice"),
        ("policies:\n  - id: 'no spaces allowed'\n    rules: [{detect: cpf}]\n", "is not an id"),
        ("rules: []\n", "policies.yml:1: the file: unknown key 'rules' (known: policies, version)"),
        ("", "policies.yml: the file is empty"),
        ("policies: [\n", "policies.yml:2: invalid YAML"),
    ],
)
def test_mistakes_name_the_line_and_the_field(body: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policies(body, source="policies.yml")
    assert message in str(caught.value)


def test_arbitrary_tags_are_never_constructed() -> None:
    with pytest.raises(PolicyError, match="expected a text value"):
        load_policies("policies:\n  - id: !!python/object/apply:os.system ['echo pwned']\n    rules: [{detect: cpf}]\n")


def test_aliases_cannot_blow_up() -> None:
    terms = ", ".join(["a"] * 1000)
    body = f"policies:\n  - id: p\n    rules:\n      - &r {{detect: keywords, terms: [{terms}]}}\n"
    body += "      - *r\n" * 300  # 300,000 nodes from a 4 kB file
    with pytest.raises(PolicyError, match="more than 200000 YAML nodes"):
        load_policies(body)


def test_a_missing_file_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="cannot read the file"):
        load_policy_file("/nonexistent/policies.yml")
