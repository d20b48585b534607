"""Policies as code: one stored version per distinct text, exactly one active, invalid files refused whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, PolicyVersion
from atalaia.errors import InvalidInput
from atalaia.policies import load_policies
from atalaia.runtime import Runtime
from atalaia.services.compliance import active_policy_set, import_policies, list_versions
from atalaia.services.compliance.policies import default_policy_text
from tests.compliance_story import POLICIES, build_story

OTHER = "policies:\n  - id: conduta\n    rules:\n      - {detect: keywords, terms: [propina]}\n"


def versions(runtime: Runtime, tenant_id: int) -> list[tuple[int, bool]]:
    with runtime.sessions() as session:
        return [(v.version, v.active) for v in list_versions(session, tenant_id=tenant_id)]


def test_a_policy_version_is_stored_once_per_distinct_text(runtime: Runtime) -> None:
    story = build_story(runtime, policies=None)
    tenant_id = story.tenant.id

    def load(text: str) -> tuple[int, bool, bool]:
        with transaction(runtime.sessions) as session:
            result = import_policies(session, tenant_id=tenant_id, yaml_text=text, actor="ana@exemplo.com.br")
        return result.version, result.changed, result.reactivated

    assert load(POLICIES) == (1, True, False)
    assert load(POLICIES) == (1, False, False)  # the same text again: nothing new
    assert load(OTHER) == (2, True, False)
    assert load(POLICIES) == (1, True, True)  # back to the first text: reactivated, not copied
    assert versions(runtime, tenant_id) == [(1, True), (2, False)]
    with runtime.sessions() as session:
        actions = session.execute(
            select(AuditEntry.action).where(AuditEntry.action.like("policies_%")).order_by(AuditEntry.seq)
        ).scalars()
        assert list(actions) == ["policies_imported", "policies_imported", "policies_activated"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "policies:\n  - id: x\n    rules:\n      - detect: cpff\n",
            "politicas.yml:4: rule 1 of 'x': unknown detector",
        ),
        ("policies:\n  - id: x\n    rules: [\n", "politicas.yml:4: invalid YAML"),
        ("policies:\n  - id: x\n    severity: urgente\n    rules:\n      - detect: cpf\n", "politicas.yml:3:"),
    ],
)
def test_an_invalid_file_names_its_line_and_stores_nothing(runtime: Runtime, text: str, message: str) -> None:
    story = build_story(runtime, policies=None)

    with pytest.raises(InvalidInput) as error, transaction(runtime.sessions) as session:
        import_policies(session, tenant_id=story.tenant.id, yaml_text=text, actor="cli", source="politicas.yml")

    assert error.value.message.startswith(message), error.value.message
    with runtime.sessions() as session:
        assert session.execute(select(func.count()).select_from(PolicyVersion)).scalar_one() == 0


def test_an_invalid_file_leaves_the_active_version_in_place(runtime: Runtime) -> None:
    story = build_story(runtime)
    with pytest.raises(InvalidInput), transaction(runtime.sessions) as session:
        import_policies(session, tenant_id=story.tenant.id, yaml_text="policies: 3\n", actor="cli")
    assert versions(runtime, story.tenant.id) == [(1, True)]


def test_the_active_set_is_compiled_once_per_text(runtime: Runtime) -> None:
    story = build_story(runtime)
    with runtime.sessions() as session:
        first = active_policy_set(session, story.tenant.id)
        second = active_policy_set(session, story.tenant.id)
    assert first is not None
    assert second is not None
    assert first.engine is second.engine
    assert set(first.policies) == {"dados-pessoais", "conduta", "negociacao", "suporte", "planilhas"}


def test_the_default_pack_is_valid_and_covers_the_six_themes() -> None:
    policies = load_policies(default_policy_text(), source="default_policies.yml")
    assert [p.id for p in policies] == [
        "dados-pessoais",
        "conduta",
        "assedio",
        "arquivos-sensiveis",
        "fora-do-horario",
        "negociacao",
    ]
    assert {p.category.value for p in policies} == {"risk", "opportunity"}
