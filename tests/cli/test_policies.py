"""`atalaia policies import|list|backfill`: one version per distinct text, line-numbered errors, backfill."""

from __future__ import annotations

from pathlib import Path

from atalaia.runtime import Runtime
from tests.cli.conftest import Invoke, json_of
from tests.compliance_story import CPFS, POLICIES, build_story, said


def test_importing_the_same_file_twice_keeps_one_version(atalaia: Invoke, runtime: Runtime, tmp_path: Path) -> None:
    build_story(runtime, policies=None)
    path = tmp_path / "politicas.yml"
    path.write_text(POLICIES, encoding="utf-8")

    first = json_of(atalaia("policies", "import", str(path), "--json"))
    again = json_of(atalaia("policies", "import", str(path), "--json"))
    listed = json_of(atalaia("policies", "list", "--json"))

    assert (first["version"], first["changed"], first["rules"]) == (1, True, 6)
    assert first["policies"] == ["dados-pessoais", "conduta", "negociacao", "suporte", "planilhas"]
    assert (again["version"], again["changed"]) == (1, False)
    [version] = listed["versions"]
    assert (version["version"], version["active"], version["sha256"]) == (1, True, first["sha256"])
    assert "* v1" in atalaia("policies", "list").stdout


def test_an_invalid_file_is_refused_with_its_line_number(atalaia: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "politicas.yml"
    path.write_text("policies:\n  - id: conduta\n    rules:\n      - detect: propina\n", encoding="utf-8")

    result = atalaia("policies", "import", str(path), "--json", expect=2)

    assert f"erro: {path}:4: rule 1 of 'conduta': unknown detector 'propina'" in result.stderr
    assert "Traceback" not in result.output
    assert json_of(atalaia("policies", "list", "--json")) == {"versions": []}


def test_backfill_runs_the_active_policies_over_the_archive_once(
    atalaia: Invoke, runtime: Runtime, tmp_path: Path
) -> None:
    story = build_story(runtime, policies=None)
    story.archive([said("wamid.1", f"CPF {CPFS[0]}"), said("wamid.2", "isso é propina", minutes=1)])
    assert story.alerts() == []  # archived before any policy existed
    path = tmp_path / "politicas.yml"
    path.write_text(POLICIES, encoding="utf-8")
    atalaia("policies", "import", str(path))

    first = json_of(atalaia("policies", "backfill", "--json"))
    again = json_of(atalaia("policies", "backfill", "--json"))

    assert (first["messages"], first["hits"], first["new_alerts"]) == (2, 2, 2)
    assert (again["hits"], again["new_alerts"]) == (0, 0)
    assert json_of(atalaia("policies", "backfill", "--after", str(first["last_message_id"]), "--json"))["messages"] == 0
    assert sorted(a.policy for a in story.alerts()) == ["conduta", "dados-pessoais"]


def test_backfill_without_policies_says_what_to_do(atalaia: Invoke) -> None:
    assert "atalaia policies import" in atalaia("policies", "backfill", expect=2).stderr
