"""`atalaia export ... --json`: the contract scripts and auditors rely on, its audit entry and its errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry
from atalaia.services.lines import add_line
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup
from tests.export_story import add_case, archive_story, conversation_of

REQUIRED = {"path", "events", "attachments", "manifest_sha256", "checkpoint"}


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> dict[str, int]:
    return archive_story(archive_setup)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"  # tmp_path also holds the database
    folder.mkdir()
    return folder


def test_json_output_is_the_contract_and_nothing_else(
    atalaia: Invoke, archive_setup: ArchiveSetup, story: dict[str, int], base: Path
) -> None:
    conversation = conversation_of(archive_setup, story["m1"])
    result = atalaia("export", "--conversation", str(conversation), "--format", "rsmf", "--out", str(base / "rsmf"),
                     "--json")  # fmt: skip

    lines = result.stdout.splitlines()
    assert len(lines) == 1  # no progress bar, no chatter
    payload = json.loads(lines[0])
    assert set(payload) >= REQUIRED
    assert set(payload) - REQUIRED <= {"format", "conversations", "missing_attachments"}
    assert payload["path"] == str(base / "rsmf")
    assert (payload["events"], payload["attachments"], payload["missing_attachments"]) == (13, 1, 1)
    manifest = (base / "rsmf" / "manifest.json").read_bytes()
    assert payload["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    checkpoint = payload["checkpoint"]
    assert isinstance(checkpoint["seq"], int)
    assert len(checkpoint["head_hash"]) == 64
    assert checkpoint == json.loads(manifest)["checkpoint"]


@pytest.mark.parametrize("export_format", ["jsonl", "csv", "pdf"])
def test_every_format_exports_a_line(
    atalaia: Invoke, archive_setup: ArchiveSetup, story: dict[str, int], base: Path, export_format: str
) -> None:
    payload = json_of(
        atalaia("export", "--line", "+55 21 99999-0000", "--format", export_format, "--out", str(base / "x"), "--json")
    )

    assert (payload["events"], payload["conversations"]) == (15, 2)
    assert (base / "x" / "manifest.json").is_file()


def test_the_export_is_audited(atalaia: Invoke, archive_setup: ArchiveSetup, story: dict[str, int], base: Path) -> None:
    alert = add_case(archive_setup, conversation_of(archive_setup, story["g1"]))
    payload = json_of(atalaia("export", "--case", str(alert), "--format", "jsonl", "--out", str(base / "c"), "--json"))

    with archive_setup.runtime.sessions() as session:
        (entry,) = session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalars()
    assert (entry.actor, entry.object_type, entry.object_id) == ("cli", "case", str(alert))
    assert entry.detail is not None
    assert entry.detail["manifest_sha256"] == payload["manifest_sha256"]
    assert entry.detail["events"] == payload["events"] == 2


def test_a_terminal_gets_a_summary(atalaia: Invoke, story: dict[str, int], base: Path) -> None:
    result = atalaia("export", "--query", "desconto", "--format", "csv", "--out", str(base / "q"))

    assert "2 mensagem(ns) de 1 conversa(s)" in result.stdout
    assert "manifest.json SHA-256:" in result.stdout


def test_bad_selections_and_outputs_are_clear_errors(
    atalaia: Invoke, archive_setup: ArchiveSetup, story: dict[str, int], base: Path
) -> None:
    out = str(base / "out")
    cases = [
        (["--conversation", "999"], "conversa não encontrada: 999"),
        (["--line", "+5511900000000"], "linha não encontrada"),
        (["--case", "42"], "caso não encontrado: 42"),
        (["--query", "inexistente"], "nada a exportar: a busca inexistente"),
        (["--line", "+5511988880000"], "nada a exportar: a linha +5511988880000"),
        ([], "exatamente um"),
        (["--conversation", "1", "--case", "1"], "exatamente um"),
    ]
    with transaction(archive_setup.runtime.sessions) as session:
        add_line(session, tenant_id=archive_setup.tenant.id, number="+5511988880000", provider="export")
    for selection, message in cases:
        result = atalaia("export", *selection, "--format", "jsonl", "--out", out, "--json", expect=2)
        assert message in result.stderr, (selection, result.stderr)
        assert result.stdout == ""
    bad_format = atalaia("export", "--conversation", "1", "--format", "docx", "--out", out, expect=2)
    assert "formato desconhecido" in bad_format.stderr
    (base / "file.txt").write_text("x")
    for target, message in ((base / "file.txt", "não é uma pasta"), (base / "file.txt" / "out", "não existe")):
        result = atalaia("export", "--conversation", "1", "--format", "csv", "--out", str(target), expect=2)
        assert message in result.stderr
    assert sorted(p.name for p in base.iterdir()) == ["file.txt"]
