"""`atalaia alerts list|show|resolve|precision|webhook`: the queue and its cases from the command line."""

from __future__ import annotations

from atalaia.runtime import Runtime
from tests.cli.conftest import Invoke, json_of
from tests.compliance_story import CPFS, Story, build_story, said


def story_with_alerts(runtime: Runtime) -> Story:
    story = build_story(runtime)
    story.archive([said("wamid.1", f"CPF {CPFS[0]} e {CPFS[1]}"), said("wamid.2", "isso é propina", minutes=1)])
    return story


def test_the_queue_lists_open_alerts_with_pseudonyms(atalaia: Invoke, runtime: Runtime) -> None:
    story_with_alerts(runtime)

    listed = json_of(atalaia("alerts", "list", "--status", "open", "--json"))

    assert listed["total"] == 2
    by_policy = {a["policy"]: a for a in listed["alerts"]}
    assert set(by_policy) == {"dados-pessoais", "conduta"}
    cpf = by_policy["dados-pessoais"]
    assert (cpf["hits"], cpf["status"], cpf["line"], cpf["team"]) == (2, "open", "+5521999990000", "Vendas")
    assert cpf["employee"].startswith("Colaborador #")
    assert "Eduarda" not in atalaia("alerts", "list").stdout


def test_resolving_an_alert_closes_its_case_and_cannot_be_repeated(atalaia: Invoke, runtime: Runtime) -> None:
    story = story_with_alerts(runtime)
    alert_id = story.alerts("dados-pessoais")[0].id

    resolved = json_of(
        atalaia(
            "alerts",
            "resolve",
            str(alert_id),
            "--as",
            "false_positive",
            "--reason",
            "CPF da própria colaboradora",
            "--json",
        )
    )
    again = atalaia("alerts", "resolve", str(alert_id), "--as", "confirmed", "--reason", "x", expect=2)
    shown = json_of(atalaia("alerts", "show", str(alert_id), "--json"))

    assert (resolved["id"], resolved["status"], resolved["resolution"]) == (alert_id, "resolved", "false_positive")
    assert "resolvido" in again.stderr
    assert shown["history"][-1]["detail"]["reason"] == "CPF da própria colaboradora"
    assert {h["match"] for h in shown["hit_list"]} == {"***.982.247-**", "***.444.777-**"}
    assert json_of(atalaia("alerts", "list", "--status", "open", "--json"))["total"] == 1
    assert "talvez" in atalaia("alerts", "resolve", str(alert_id), "--as", "talvez", "--reason", "x", expect=2).stderr
    assert (
        "não encontrado" in atalaia("alerts", "resolve", "999", "--as", "confirmed", "--reason", "x", expect=2).stderr
    )


def test_precision_per_rule_follows_the_resolutions(atalaia: Invoke, runtime: Runtime) -> None:
    story = story_with_alerts(runtime)
    atalaia("alerts", "resolve", str(story.alerts("conduta")[0].id), "--as", "confirmed", "--reason", "apurado")

    rules = {(r["policy"], r["rule"]): r for r in json_of(atalaia("alerts", "precision", "--json"))["rules"]}

    assert rules[("conduta", "propina")] == {
        "policy": "conduta",
        "rule": "propina",
        "confirmed": 1,
        "false_positive": 0,
        "unresolved": 0,
        "precision": 1.0,
    }
    assert rules[("dados-pessoais", "cpf")]["precision"] is None


def test_a_webhook_is_configured_and_its_secret_shown_once(atalaia: Invoke, runtime: Runtime) -> None:
    build_story(runtime, policies=None)

    created = json_of(atalaia("alerts", "webhook", "--url", "https://exemplo.com.br/atalaia", "--json"))
    rotated = json_of(atalaia("alerts", "webhook", "--url", "https://exemplo.com.br/atalaia", "--json"))

    assert created["secret"].startswith("whsec_")
    assert (rotated["id"], rotated["url"]) == (created["id"], "https://exemplo.com.br/atalaia")
    assert rotated["secret"] != created["secret"]
    assert "URL de webhook inválida" in atalaia("alerts", "webhook", "--url", "ftp://x", expect=2).stderr
