"""`atalaia subject export --phone ... --out ... --json`: the SPEC contract, and its errors on the command line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.subject_story import archive_subject_story

KEYS = {"path", "messages", "attachments", "conversations", "notices", "alerts", "contacts", "reactions",
        "missing_attachments", "sha256", "manifest_sha256", "checkpoint"}  # fmt: skip


def test_json_output_is_one_line_with_the_contract(
    atalaia: Invoke, archive_setup: ArchiveSetup, tmp_path: Path
) -> None:
    archive_subject_story(archive_setup)
    out = tmp_path / "maria.zip"

    result = atalaia("subject", "export", "--phone", "+5521988887777", "--out", str(out), "--json")

    lines = result.stdout.splitlines()
    assert len(lines) == 1  # no progress bar, no chatter
    payload = json.loads(lines[0])
    assert set(payload) == KEYS
    assert payload["path"] == str(out)
    assert (payload["messages"], payload["attachments"], payload["conversations"]) == (6, 1, 3)
    assert (payload["notices"], payload["alerts"]) == (1, 2)
    assert zipfile.ZipFile(out).testzip() is None


def test_the_human_output_names_the_zip_and_its_hash(
    atalaia: Invoke, archive_setup: ArchiveSetup, tmp_path: Path
) -> None:
    archive_subject_story(archive_setup)
    out = tmp_path / "maria.zip"

    result = atalaia("subject", "export", "--phone", "21 98888-7777", "--out", str(out))

    assert "6 mensagem(ns)" in result.stdout
    assert str(out) in result.stdout
    assert "SHA-256 do ZIP" in result.stdout


def test_an_unknown_phone_exits_2_with_a_clear_message(
    atalaia: Invoke, archive_setup: ArchiveSetup, tmp_path: Path
) -> None:
    archive_subject_story(archive_setup)

    result = atalaia("subject", "export", "--phone", "+5511912345678", "--out", str(tmp_path / "x.zip"), "--json",
                     expect=2)  # fmt: skip

    assert result.stdout == ""
    assert "erro: nenhum contato com o telefone +5511912345678" in result.stderr
    assert not (tmp_path / "x.zip").exists()


def test_an_existing_out_exits_2_and_is_left_alone(
    atalaia: Invoke, archive_setup: ArchiveSetup, tmp_path: Path
) -> None:
    archive_subject_story(archive_setup)
    out = tmp_path / "existente.zip"
    out.write_text("x")

    result = atalaia("subject", "export", "--phone", "+5521988887777", "--out", str(out), expect=2)

    assert "já existe" in result.stderr
    assert out.read_text() == "x"
    assert json_of(atalaia("verify", "--json"))["ok"] is True
