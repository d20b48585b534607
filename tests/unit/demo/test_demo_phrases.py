"""Scripts: the notation parses as documented and every placeholder has a value."""

from __future__ import annotations

import random
from datetime import date

import pytest

from atalaia.demo import DemoPlan, phrases
from atalaia.demo.scripts import Scenario, parse_step
from atalaia.demo.values import SessionValues, money

TABLES: dict[str, tuple[Scenario, ...]] = {
    name: value
    for name, value in vars(phrases).items()
    if isinstance(value, tuple) and value and isinstance(value[0], Scenario)
}


def test_the_notation_reads_who_flags_media_and_alternatives() -> None:
    step = parse_step("c?>![doc=proposta] Segue | Olha aí")
    assert (step.who, step.optional, step.reply, step.revoke) == ("c", True, True, True)
    assert step.media == "doc=proposta"
    assert step.texts == ("Segue", "Olha aí")
    assert not step.templated
    forwarded = parse_step("gF Repassem {dia}")
    assert forwarded.forwarded
    assert forwarded.frequently_forwarded
    assert forwarded.templated
    assert parse_step("e[ptt]").texts == ()
    with pytest.raises(ValueError, match="not a script step"):
        parse_step("x hello")


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_template_of_every_script_can_be_filled(plan: DemoPlan, table: str) -> None:
    line = plan.lines[0]
    for scenario in TABLES[table]:
        for step in scenario.steps:
            for text in step.texts:
                values = SessionValues(
                    rng=random.Random(1), plan=plan, line=line, contact=line.contacts[0], day=date(2024, 3, 1), hour=10
                )
                assert "{" not in text.format_map(values), (scenario.name, text)


def test_fillers_personal_data_and_documents_can_be_filled(plan: DemoPlan) -> None:
    line = plan.lines[10]
    templates = [*phrases.PII_IN, *phrases.PII_OUT, *phrases.FILLER_IN, *phrases.FILLER_OUT, *phrases.NEGOTIATION_IN]
    for name in phrases.DOCUMENTS:
        values = SessionValues(rng=random.Random(2), plan=plan, line=line, contact=None, day=date(2024, 3, 1), hour=15)
        file_name, mime, content = values.document(name, when=(2024, 3, 1, 15, 0, 0))
        assert file_name.endswith((".pdf", ".xlsx"))
        assert mime
        assert content
    for text in templates:
        values = SessionValues(rng=random.Random(3), plan=plan, line=line, contact=None, day=date(2024, 3, 1), hour=20)
        assert "{" not in text.format_map(values)


def test_a_conversation_quotes_one_price_throughout(plan: DemoPlan) -> None:
    line = plan.lines[0]
    values = SessionValues(
        rng=random.Random(4), plan=plan, line=line, contact=line.contacts[0], day=date(2024, 3, 1), hour=9
    )
    first = "{produto} por R$ {valor}".format_map(values)
    assert "{produto} por R$ {valor}".format_map(values) == first
    assert values["saudacao"] == "Bom dia"
    with pytest.raises(KeyError):
        "{nada}".format_map(values)


def test_money_is_written_the_brazilian_way() -> None:
    assert money(1249.9) == "1.249,90"
    assert money(0.5) == "0,50"
