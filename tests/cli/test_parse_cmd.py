"""`atalaia parse FILE [--tz ZONE] [--locale ...] --json`: the contract scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from atalaia.cli.main import app
from atalaia.connectors.chat_export import read_export

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "chat_export"
PT_BR = SAMPLES / "Conversa do WhatsApp com Vendas SP.txt"
CONTRACT_KEYS = ["timestamp", "author", "text", "kind", "attachment", "edited"]


def _parse(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["parse", *map(str, args)])


def _lines(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_it_prints_one_contract_object_per_message() -> None:
    messages = _lines(_parse(PT_BR, "--json"))
    assert len(messages) == 19
    assert all(list(m) == CONTRACT_KEYS for m in messages)
    assert messages[4] == {
        "timestamp": "2025-10-03T09:45:00",
        "author": "Ana Souza",
        "text": "Bom dia, equipe!",
        "kind": "text",
        "attachment": None,
        "edited": False,
    }
    assert {m["kind"] for m in messages} == {"text", "media", "deleted", "system"}


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_the_json_lines_are_exactly_json_dumps_of_each_message(path: Path) -> None:
    result = _parse(path, "--json")
    with read_export(path) as reader:
        expected = [json.dumps(m.as_json(), ensure_ascii=False) for m in reader.messages()]
    assert result.stdout.splitlines() == expected
    assert result.stderr == ""


def test_non_ascii_text_is_printed_as_is() -> None:
    result = _parse(PT_BR, "--json")
    assert "reunião" in result.stdout
    assert "\\u00e3" not in result.stdout


def test_it_reads_a_zip_with_media(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Vendas.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(SAMPLES / "ios_pt_BR.txt", "_chat.txt")
        zf.writestr("00000012-PHOTO-2024-03-01-14-05-40.jpg", b"\xff\xd8")
    messages = _lines(_parse(path, "--json", "--tz", "America/Sao_Paulo"))
    assert any(m["attachment"] == "00000012-PHOTO-2024-03-01-14-05-40.jpg" for m in messages)


def test_tz_does_not_change_the_printed_wall_clock() -> None:
    default = _lines(_parse(PT_BR, "--json"))
    tokyo = _lines(_parse(PT_BR, "--json", "--tz", "Asia/Tokyo"))
    assert default == tokyo


def test_an_explicit_locale_decides_an_undecided_date_order(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("3/1/24, 10:00 - Ana: oi\n", encoding="utf-8")
    assert _lines(_parse(path, "--json", "--locale", "en-US"))[0]["timestamp"] == "2024-03-01T10:00:00"
    result = _parse(path, "--json")
    assert _lines(result)[0]["timestamp"] == "2024-01-03T10:00:00"
    assert "aviso: a ordem das datas" in result.stderr


def test_a_truncated_message_says_so(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("03/10/2025 09:45 - Ana: " + "x" * (2 << 20) + "\n", encoding="utf-8")
    result = _parse(path, "--json")
    (message,) = _lines(result)
    assert message["truncated"] is True
    assert "aviso:" in result.stderr


def test_without_json_it_prints_readable_lines() -> None:
    result = _parse(PT_BR)
    assert result.exit_code == 0
    assert "03/10/2025 09:45:00  Ana Souza: Bom dia, equipe!" in result.stdout
    assert "[mídia: IMG-20251013-WA0003.jpg] Foto da vitrine nova" in result.stdout
    assert "[mensagem apagada]" in result.stdout
    assert "Chego às 15h (editada)" in result.stdout
    assert "19 mensagens" in result.stderr


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "latin1": "03/10/2025 09:45 - José: olá\n".encode("latin-1"),
        "not_a_chat": b"just some notes\n",
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_bytes(data)
    for name, members in {
        "traversal": {"../x.txt": b"03/10/2025 09:45 - A: b\n"},
        "no_chat": {"IMG-1.jpg": b"x"},
        "bomb": {"_chat.txt": b"0" * (30 << 20)},
    }.items():
        paths[name] = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(paths[name], "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member, data in members.items():
                zf.writestr(member, data)
    paths["missing"] = tmp_path / "missing.txt"
    return paths


def test_bad_input_ends_with_one_error_line_and_status_2(tmp_path: Path) -> None:
    for name, path in _bad_inputs(tmp_path).items():
        result = _parse(path, "--json")
        assert result.exit_code == 2, name
        assert result.stdout == "", name
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (name, lines)
        assert lines[0].startswith("erro: "), name


@pytest.mark.parametrize(("option", "value"), [("--locale", "xx-YY"), ("--tz", "Mars/Olympus")])
def test_bad_options_end_with_one_error_line_and_status_2(option: str, value: str) -> None:
    result = _parse(PT_BR, "--json", option, value)
    assert result.exit_code == 2
    assert result.stderr.startswith("erro: ")
    assert result.stdout == ""


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(bytes(range(256)) * 4)
    done = subprocess.run(
        [sys.executable, "-m", "atalaia", "parse", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("erro: ")
    assert "Traceback" not in done.stderr
