"""The demo company: the org chart the demo service loads, the same for the same seed."""

from __future__ import annotations

import re
from collections import Counter

import phonenumbers

from atalaia.demo import ContactRole, DemoPlan, build_plan
from atalaia.domain.enums import ConversationKind, Provider


def test_the_same_seed_builds_the_same_company_and_another_seed_another(plan: DemoPlan) -> None:
    again = build_plan(seed=plan.seed)
    other = build_plan(seed=plan.seed + 1)

    assert [(line.number, line.employee) for line in again.lines] == [
        (line.number, line.employee) for line in plan.lines
    ]
    assert [c.ref for c in again.contacts] == [c.ref for c in plan.contacts]
    assert [line.number for line in other.lines] != [line.number for line in plan.lines]


def test_it_has_three_teams_and_twelve_lines_mostly_on_the_cloud_api(plan: DemoPlan) -> None:
    assert [t.name for t in plan.teams] == ["Vendas", "Suporte", "Financeiro"]
    assert len(plan.lines) == 12
    providers = Counter(line.provider for line in plan.lines)
    assert providers[Provider.CLOUD] >= 7
    assert providers[Provider.EVOLUTION] >= 2
    assert providers[Provider.WAHA] == 1
    assert {line.team for line in plan.lines} == {"Vendas", "Suporte", "Financeiro"}
    assert [line.index for line in plan.lines] == list(range(12))


def test_cloud_lines_have_a_phone_number_id_and_gateways_an_instance(plan: DemoPlan) -> None:
    for line in plan.lines:
        if line.provider is Provider.CLOUD:
            assert line.phone_number_id
            assert re.fullmatch(r"\d{15}", line.phone_number_id)
            assert line.instance is None
        else:
            assert line.phone_number_id is None
            assert line.instance
            assert re.fullmatch(r"[a-z0-9-]+", line.instance)
    ids = [line.phone_number_id for line in plan.lines if line.phone_number_id]
    assert len(set(ids)) == len(ids)


def test_one_line_works_from_manaus_and_the_rest_from_sao_paulo(plan: DemoPlan) -> None:
    zones = Counter(line.timezone for line in plan.lines)
    assert zones == {"America/Sao_Paulo": 11, "America/Manaus": 1}


def test_every_number_is_a_valid_brazilian_mobile_and_unique(plan: DemoPlan) -> None:
    managers = [f"+{team.manager.wa_id}" for team in plan.teams]
    outsiders = [c.phone for c in plan.contacts if c.role is not ContactRole.COLLEAGUE]
    numbers = [line.number for line in plan.lines] + managers + outsiders
    assert len(set(numbers)) == len(numbers)
    # colleagues are the other lines and the managers, seen as contacts
    colleagues = {c.phone for c in plan.contacts if c.role is ContactRole.COLLEAGUE}
    assert colleagues == {line.number for line in plan.lines} | set(managers)
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == "BR"
        assert number == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_employees_have_company_e_mails_and_managers_too(plan: DemoPlan) -> None:
    people = [line.employee for line in plan.lines] + [team.manager for team in plan.teams]
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9.]+@exemplo\.com\.br", e) for e in emails)
    assert all(line.employee.team == line.team for line in plan.lines)


def test_it_has_hundreds_of_customers_and_some_suppliers_keyed_by_whatsapp_id(plan: DemoPlan) -> None:
    assert 250 <= len(plan.customers) <= 500
    assert 20 <= len(plan.suppliers) <= 80
    assert sum(1 for c in plan.customers if c.company) > 50
    for contact in plan.contacts:
        assert contact.ref.key == f"wa:{contact.wa_id}"
        assert contact.ref.phone == f"+{contact.wa_id}"
        assert contact.conversation.key == contact.ref.key
        assert contact.conversation.kind is ConversationKind.DIRECT
    assert [c.index for c in plan.contacts] == list(range(len(plan.contacts)))
    assert all(line.contacts for line in plan.lines)
    assert all(c.role is ContactRole.PERSONAL for line in plan.lines for c in line.personal)


def test_groups_sit_on_gateway_lines_with_a_group_per_team_and_one_with_suppliers(plan: DemoPlan) -> None:
    subjects = [g.subject for g in plan.groups]
    assert {"Vendas - Equipe", "Suporte - Equipe", "Financeiro - Equipe", "Fornecedores - Compras"} <= set(subjects)
    for group in plan.groups:
        assert re.fullmatch(r"group:120363\d{12}@g\.us", group.key)
        assert plan.lines[group.line_index].provider.is_gateway
        assert group.conversation.kind is ConversationKind.GROUP
        assert group.conversation.subject == group.subject
        assert len(group.members) >= 3
        assert group in plan.lines[group.line_index].groups
    suppliers = next(g for g in plan.groups if g.subject == "Fornecedores - Compras")
    assert sum(1 for m in suppliers.members if m.role is ContactRole.SUPPLIER) >= 3
