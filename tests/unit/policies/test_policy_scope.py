"""Scopes: direction, contacts, lines and teams; a fact the message lacks never excludes it."""

from __future__ import annotations

import pytest

from atalaia.domain.enums import Direction
from atalaia.domain.policy import ContactKind, Detector, Policy, Rule, ScanInput, Scope, line_key, scope_admits
from atalaia.policies import compile_policies

SALES_OUTBOUND = Scope(
    direction=Direction.OUTBOUND,
    lines=frozenset({line_key("+55 21 99999-0000")}),
    teams=frozenset({"Vendas"}),
    contacts=ContactKind.EXTERNAL,
)


@pytest.mark.parametrize(
    ("message", "admitted"),
    [
        (ScanInput(), True),  # knows nothing: every scope admits it
        (ScanInput(direction=Direction.OUTBOUND, line="+5521999990000", teams=frozenset({"Vendas"})), True),
        (ScanInput(direction=Direction.INBOUND), False),
        (ScanInput(contact=ContactKind.INTERNAL), False),
        (ScanInput(contact=ContactKind.EXTERNAL), True),
        (ScanInput(line="(21) 99999-0000"), False),  # no country code: a different spelling
        (ScanInput(line="55 21 99999 0000"), True),
        (ScanInput(line="+5511988880000"), False),
        (ScanInput(teams=frozenset({"Suporte"})), False),
        (ScanInput(teams=frozenset({"Suporte", "Vendas"})), True),
    ],
)
def test_scope_admits(message: ScanInput, admitted: bool) -> None:
    assert scope_admits(SALES_OUTBOUND, message) is admitted


def test_an_empty_scope_admits_everything() -> None:
    assert scope_admits(Scope(), ScanInput(direction=Direction.INBOUND, contact=ContactKind.INTERNAL))


def test_line_keys() -> None:
    assert line_key("+55 (21) 99999-0000") == "5521999990000"
    assert line_key("linha-vendas-2") == "linha-vendas-2"


def test_the_engine_applies_scopes_per_policy() -> None:
    policies = [
        Policy(id="out", rules=(Rule(id="1", detector=Detector.CPF),), scope=Scope(direction=Direction.OUTBOUND)),
        Policy(id="in", rules=(Rule(id="2", detector=Detector.CPF),), scope=Scope(direction=Direction.INBOUND)),
    ]
    engine = compile_policies(policies)
    text = "123.456.789-09"
    assert [h.policy for h in engine.scan(ScanInput(text=text, direction=Direction.INBOUND))] == ["in"]
    assert [h.policy for h in engine.scan(ScanInput(text=text))] == ["out", "in"]
