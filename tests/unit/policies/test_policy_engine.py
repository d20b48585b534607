"""The engine: a compiled policy set scanning whole messages, the way the pipeline calls it."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from atalaia.domain.enums import Direction
from atalaia.domain.policy import (
    Category,
    Detector,
    HitSource,
    KeywordOptions,
    Policy,
    RegexOptions,
    Rule,
    ScanAttachment,
    ScanInput,
    Severity,
)
from atalaia.policies import compile_policies, load_policy_file
from atalaia.policies.detectors import regex as regex_detector

SPEC = compile_policies(load_policy_file(Path(__file__).with_name("spec_example.yml")))


def summary(message: ScanInput) -> list[tuple[str, str, str, str]]:
    return [(h.policy, h.rule, h.detector.value, h.match) for h in SPEC.scan(message)]


def test_an_employee_sending_a_customer_cpf_hits_the_personal_data_policy() -> None:
    text = "Segue o CPF do cliente: 123.456.789-09"
    (hit,) = SPEC.scan(ScanInput(text=text, direction=Direction.OUTBOUND))
    assert (hit.policy, hit.rule, hit.detector, hit.severity) == (
        "dados-pessoais",
        "dados-pessoais#1",
        Detector.CPF,
        Severity.HIGH,
    )
    assert text[hit.start : hit.end] == hit.match == "123.456.789-09"


def test_a_customer_sending_their_own_cpf_is_out_of_that_policy_scope() -> None:
    assert summary(ScanInput(text="meu cpf 123.456.789-09", direction=Direction.INBOUND)) == []


def test_a_message_without_direction_matches_any_direction_scope() -> None:
    assert summary(ScanInput(text="meu cpf 123.456.789-09")) == [
        ("dados-pessoais", "dados-pessoais#1", "cpf", "123.456.789-09")
    ]


def test_hits_come_in_text_order_across_policies() -> None:
    text = "PIX pessoal? Não, propina por fora, CPF 529.982.247-25"
    assert summary(ScanInput(text=text, direction=Direction.OUTBOUND)) == [
        ("conduta", "conduta#2", "regex", "PIX pessoal"),
        ("conduta", "conduta#1", "keywords", "propina"),
        ("conduta", "conduta#1", "keywords", "por fora"),
        ("dados-pessoais", "dados-pessoais#1", "cpf", "529.982.247-25"),
    ]


def test_offsets_survive_accents_emoji_and_double_spaces() -> None:
    text = "😀 Ação:  PROPÍNA  e   caixa  dois 👍"
    hits = SPEC.scan(ScanInput(text=text))
    assert [text[h.start : h.end] for h in hits] == ["PROPÍNA", "caixa  dois"]
    assert all(h.match == text[h.start : h.end] for h in hits)


def test_an_external_customer_asking_for_a_discount_is_an_opportunity() -> None:
    message = ScanInput(text="Consigo um descontinho?", direction=Direction.INBOUND)
    assert summary(message) == []  # prefix "desconto" does not start "descontinho"
    (hit,) = SPEC.scan(ScanInput(text="Tem DESCONTOS para pagamento à vista?", direction=Direction.INBOUND))
    assert (hit.policy, hit.match, hit.category) == ("negociacao", "DESCONTOS", Category.OPPORTUNITY)


def test_attachment_text_is_scanned_with_its_own_offsets() -> None:
    attachment = ScanAttachment(file_name="contrato.pdf", text="CPF do titular: 123.456.789-09")
    (hit,) = SPEC.scan(ScanInput(text="segue o contrato", attachment=attachment))
    assert (hit.source, hit.match, hit.start, hit.end) == (HitSource.ATTACHMENT_TEXT, "123.456.789-09", 16, 30)


def test_a_spreadsheet_attachment_hits_the_file_type_policy_with_an_empty_span() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/workbook.xml", "<x/>")
    attachment = ScanAttachment(file_name="fotos.pdf", content=buffer.getvalue())
    (hit,) = SPEC.scan(ScanInput(text="", attachment=attachment))
    assert (hit.policy, hit.detector, hit.match, hit.start, hit.end) == (
        "arquivos-sensiveis",
        Detector.FILE_TYPE,
        "fotos.pdf",
        0,
        0,
    )
    assert hit.source is HitSource.ATTACHMENT
    assert hit.detail == "type xlsx (real type xlsx, declared pdf)"


def test_a_late_message_hits_the_after_hours_policy() -> None:
    (hit,) = SPEC.scan(ScanInput(text="ok", timestamp=datetime(2025, 3, 12, 22, 15)))
    assert (hit.policy, hit.detector, hit.match, hit.detail) == (
        "fora-do-horario",
        Detector.OUTSIDE_HOURS,
        "2025-03-12T22:15:00-03:00",
        "wed 22:15",
    )
    assert SPEC.scan(ScanInput(text="ok", timestamp=datetime(2025, 3, 12, 10, 0))) == []
    assert SPEC.scan(ScanInput(text="ok")) == []  # no time, no judgement


def test_an_allowlisted_phrase_cancels_hits_inside_it() -> None:
    rules = (
        Rule(id="kw", detector=Detector.KEYWORDS, options=KeywordOptions(terms=("propina",)), allow=("Propina Zero",)),
        Rule(id="cpf", detector=Detector.CPF, allow=("529.982.247-25",)),
    )
    engine = compile_policies([Policy(id="p", rules=rules)])
    text = "campanha propina zero; propina não; cpfs 52998224725 e 123.456.789-09"
    assert [h.match for h in engine.scan_text(text)] == ["propina", "123.456.789-09"]


def test_a_rule_severity_overrides_the_policy() -> None:
    rules = (Rule(id="cpf", detector=Detector.CPF, severity=Severity.CRITICAL), Rule(id="e", detector=Detector.EMAIL))
    engine = compile_policies([Policy(id="p", rules=rules, severity=Severity.LOW)])
    hits = engine.scan_text("123.456.789-09 a@empresa.com.br")
    assert [h.severity for h in hits] == [Severity.CRITICAL, Severity.LOW]


def test_one_detector_serves_many_rules_and_disabled_policies_are_skipped() -> None:
    policies = [
        Policy(id="a", rules=(Rule(id="1", detector=Detector.CPF),)),
        Policy(id="b", rules=(Rule(id="2", detector=Detector.CPF), Rule(id="3", detector=Detector.PIX_KEY))),
        Policy(id="c", rules=(Rule(id="4", detector=Detector.CPF),), enabled=False),
    ]
    hits = compile_policies(policies).scan_text("pix: 123.456.789-09")
    assert [(h.policy, h.rule) for h in hits] == [("a", "1"), ("b", "2"), ("b", "3")]


def test_every_builtin_text_detector_runs_through_the_engine() -> None:
    names = ["cpf", "cnpj", "credit_card", "email", "phone", "pix_key", "bank_account"]
    engine = compile_policies([Policy(id="p", rules=tuple(Rule(id=n, detector=Detector(n)) for n in names))])
    text = (
        "cpf 123.456.789-09, cnpj 12.ABC.345/01DE-35, cartão 2221 0000 0000 0009, "
        "email ana@empresa.com.br, tel (21) 99999-8888, chave 123e4567-e89b-42d3-a456-426614174000, "
        "ag 1234 cc 12345-6"
    )
    assert sorted({h.detector.value for h in engine.scan_text(text)}) == sorted(names)


@pytest.mark.skipif(not regex_detector.HAS_TIMEOUT, reason="needs the `regex` module for timeouts")
def test_a_regex_that_times_out_warns_and_reports_nothing() -> None:
    warnings: list[str] = []
    rule = Rule(id="slow", detector=Detector.REGEX, options=RegexOptions(pattern=r"^(?:a|aa|aaa)+$"))
    engine = compile_policies([Policy(id="p", rules=(rule,))], on_warning=warnings.append)
    assert engine.scan_text("a" * 5000 + "!") == []
    assert len(warnings) == 1
    assert "'slow'" in warnings[0]


def test_an_empty_policy_set_finds_nothing() -> None:
    assert compile_policies([]).scan_text("123.456.789-09") == []
