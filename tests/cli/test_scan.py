"""`atalaia scan`: the JSON Lines contract that scripts and auditors rely on, and its errors."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from atalaia.cli.main import app

SPEC_POLICIES = Path(__file__).parents[1] / "unit" / "policies" / "spec_example.yml"


def scan(*args: str, expect: int = 0, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(app, ["scan", "--policies", str(SPEC_POLICIES), *args], input=stdin)
    assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def lines(result: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def write_jsonl(path: Path, *rows: object) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def test_a_text_scan_prints_the_contract_shape() -> None:
    (line,) = lines(scan("--text", "Meu CPF é 123.456.789-09", "--json"))
    assert line == {
        "id": None,
        "hits": [
            {
                "policy": "dados-pessoais",
                "rule": "dados-pessoais#1",
                "detector": "cpf",
                "match": "123.456.789-09",
                "start": 10,
                "end": 24,
                "severity": "high",
                "category": "risk",
                "source": "text",
                "detail": None,
            }
        ],
    }


def test_output_keeps_accents_unescaped_and_offsets_in_the_original_text() -> None:
    text = "Ação: PROPÍNA à vista"
    (line,) = lines(scan("--text", text, "--json"))
    (hit,) = line["hits"]
    assert hit["match"] == "PROPÍNA" == text[hit["start"] : hit["end"]]
    assert "PROPÍNA" in scan("--text", text, "--json").stdout  # ensure_ascii=False


def test_direction_and_timestamp_options_for_a_text() -> None:
    assert lines(scan("--text", "cpf 123.456.789-09", "--direction", "inbound", "--json")) == [{"id": None, "hits": []}]
    (line,) = lines(scan("--text", "oi", "--timestamp", "2025-12-25T10:00:00-03:00", "--json"))
    assert [(h["detector"], h["detail"]) for h in line["hits"]] == [("outside_hours", "holiday: Natal")]


def test_an_input_file_gives_one_line_per_message_in_order(tmp_path: Path) -> None:
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/workbook.xml", "<x/>")
    encoded = base64.b64encode(xlsx.getvalue()).decode()
    source = write_jsonl(
        tmp_path / "msgs.jsonl",
        {"id": "a1", "text": "cpf 123.456.789-09", "direction": "outbound", "timestamp": "2025-03-12T10:00:00"},
        {"id": 2, "text": "cpf 123.456.789-09", "direction": "inbound", "timestamp": 1741820400},
        "",
        {"id": 3, "text": "segue", "attachment": {"file_name": "x.pdf", "content_base64": encoded}},
        {"id": 4, "text": None, "attachment": {"text": "CNPJ 11.222.333/0001-81"}, "direction": "outbound"},
        {"id": None, "text": "quero desconto", "direction": "inbound", "contact": "internal"},
    )  # fmt: skip
    output = lines(scan("--input", str(source), "--json"))
    assert [line["id"] for line in output] == ["a1", 2, 3, 4, None]
    assert [[h["detector"] for h in line["hits"]] for line in output] == [
        ["cpf"],
        ["outside_hours"],  # 1741820400 is 20:00 in São Paulo; inbound, so no personal-data hit
        ["file_type"],
        ["cnpj"],
        [],  # the discount policy looks only at external contacts
    ]
    assert output[3]["hits"][0]["source"] == "attachment_text"


def test_standard_input_works_too() -> None:
    result = scan("--input", "-", "--json", stdin='{"id": 1, "text": "propina"}\n')
    assert [h["match"] for h in lines(result)[0]["hits"]] == ["propina"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "msgs.jsonl:2: invalid JSON"),
        ("[1, 2]", "msgs.jsonl:2: expected a JSON object"),
        ('{"id": 2, "text": 5}', "msgs.jsonl:2: 'text' must be text"),
        ('{"id": 2, "direction": "up"}', "msgs.jsonl:2: 'direction' must be inbound|outbound"),
        ('{"id": 2, "timestamp": "ontem"}', "msgs.jsonl:2: 'timestamp' 'ontem' is not ISO 8601"),
        ('{"id": 2, "attachment": {"content_base64": "###"}}', "msgs.jsonl:2: 'attachment.content_base64'"),
    ],
)
def test_a_malformed_line_stops_with_status_2_after_the_good_lines(tmp_path: Path, bad: str, message: str) -> None:
    source = write_jsonl(tmp_path / "msgs.jsonl", {"id": 1, "text": "propina"}, bad, {"id": 3, "text": "propina"})
    result = scan("--input", str(source), "--json", expect=2)
    assert [line["id"] for line in lines(result)] == [1]
    assert message in result.stderr
    assert result.stderr.startswith("erro: ")


def test_a_bad_policy_file_names_its_line(tmp_path: Path) -> None:
    policies = tmp_path / "policies.yml"
    policies.write_text("policies:\n  - id: conduta\n    rules:\n      - detect: cpff\n")
    result = CliRunner().invoke(app, ["scan", "--policies", str(policies), "--text", "x", "--json"])
    assert result.exit_code == 2
    assert "policies.yml:4: rule 1 of 'conduta': unknown detector 'cpff'" in result.stderr


@pytest.mark.parametrize("args", [[], ["--text", "x", "--input", "y.jsonl"]])
def test_exactly_one_input_is_required(args: list[str]) -> None:
    assert "exactly one of --text or --input" in scan(*args, expect=2).stderr


def test_a_missing_input_file_is_an_error() -> None:
    assert "cannot read" in scan("--input", "/nonexistent.jsonl", expect=2).stderr


def test_without_json_it_prints_a_readable_summary() -> None:
    result = scan("--text", "Meu CPF é 123.456.789-09, propina")
    assert result.stdout.splitlines() == [
        "text: 2 hits",
        '  high     dados-pessoais / dados-pessoais#1  cpf  "123.456.789-09" @ 10-24',
        '  critical conduta / conduta#1  keywords  "propina" @ 26-33',
        "1 message scanned, 1 with hits, 2 hits",
    ]


def test_a_hit_of_a_threshold_rule_is_reported_and_says_so(tmp_path: Path) -> None:
    policies = tmp_path / "limiar.yml"
    policies.write_text(
        "policies:\n  - id: repetido\n    rules:\n"
        "      - {id: cpf, detect: cpf, threshold: {count: 3, window: 24h, per: employee}}\n"
        "      - {id: email, detect: email}\n"
    )
    text = "cpf 123.456.789-09 e ana@exemplo.com.br"
    result = CliRunner().invoke(app, ["scan", "--policies", str(policies), "--text", text, "--json"])
    (line,) = lines(result)
    cpf, email = line["hits"]
    assert cpf["threshold"] == {"count": 3, "window": "1d", "window_seconds": 86400, "per": "employee"}
    assert (cpf["match"], cpf["start"], cpf["end"]) == ("123.456.789-09", 4, 18)  # reported as before
    assert "threshold" not in email  # the contract's keys only, where no threshold applies

    readable = CliRunner().invoke(app, ["scan", "--policies", str(policies), "--text", text]).stdout
    assert "[threshold: alert after 3 in 1d per employee]" in readable
