"""LGPD subject export: exactly the subject's data, nothing of anyone else's, decrypted, hashed, audited."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from atalaia.archive.directory import sync_address_book
from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry
from atalaia.domain.enums import Direction, MessageKind
from atalaia.domain.events import MessageEvent
from atalaia.errors import InvalidInput, NotFound
from atalaia.services.subject_export import SubjectExportRequest, SubjectExportResult, export_subject
from atalaia.services.subject_export.identity import number_variants
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, T0, group, inbound
from tests.subject_story import (
    EDITED,
    HOSTILE,
    JOAO,
    JOAO_SECRET,
    ORIGINAL,
    PDF_BYTES,
    PRIVATE_COMMENT,
    archive_subject_story,
    conversation_ids,
    group_conversation,
)

TEXT_MEMBERS = (".json", ".jsonl", ".html", ".txt")


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> dict[str, int]:
    return archive_subject_story(archive_setup)


def _export(setup: ArchiveSetup, out: Path, phone: str = "+55 21 98888-7777") -> SubjectExportResult:
    request = SubjectExportRequest(phone=phone, out=out)
    return export_subject(setup.runtime, tenant=setup.tenant, request=request)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _messages(members: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in members["messages.jsonl"].decode().splitlines()]
    return {row["provider_message_id"]: row for row in rows}


def test_the_zip_holds_the_subjects_data_and_nothing_of_another_customer(
    archive_setup: ArchiveSetup, story: dict[str, int], tmp_path: Path
) -> None:
    result = _export(archive_setup, tmp_path / "maria.zip")
    members = _members(result.path)
    messages = _messages(members)

    assert set(messages) == {"m1", "m2", "m3", "m4", "l1", "g2"}  # not j1, nor g1 (João's) or g3 (the line's)
    assert result.counts["messages"] == 6
    assert messages["m2"]["text"] == ORIGINAL
    assert messages["m2"]["latest_text"] == EDITED
    assert [r["emoji"] for r in messages["m2"]["reactions"]] == ["👍"]
    assert [s["status"] for s in messages["m2"]["statuses"]] == ["read"]
    assert messages["m4"]["deleted"] is True
    assert messages["m4"]["text"] == "foto"  # deleted for everyone, its text kept
    assert messages["g2"]["reactions"] == []  # João's reaction is João's
    assert messages["m2"]["author"]["name"] == "Organização padrão (+5521999990000)"  # the line, not the employee

    conversations = json.loads(members["conversations.json"])
    scopes = {row["id"]: row["scope"] for row in conversations}
    ids = conversation_ids(archive_setup)
    assert scopes == {ids["m1"]: "all", ids["l1"]: "all", group_conversation(archive_setup): "own_messages"}
    assert ids["j1"] not in scopes

    contacts = json.loads(members["contacts.json"])
    assert {c["key"] for c in contacts} == {"wa:5521988887777", "lid:20918273645512"}

    notices = json.loads(members["notices.json"])
    assert len(notices) == 1
    assert notices[0]["delivery"] == [{"status": "delivered", "at": "2024-03-01T14:31:00Z"}]

    alerts = {alert["policy"]: alert for alert in json.loads(members["alerts.json"])}
    assert set(alerts) == {"dados", "conduta"}
    assert [hit["message_id"] for hit in alerts["conduta"]["hits"]] == [story["g2"]]  # only her own hit
    assert set(alerts["conduta"]) >= {"policy", "severity", "status"}

    reactions = json.loads(members["reactions.json"])
    assert [(r["message_id"], r["emoji"]) for r in reactions] == [(story["g1"], "👀")]
    assert (result.counts["notices"], result.counts["alerts"], result.counts["reactions"]) == (1, 2, 1)

    for name, data in members.items():
        if name.endswith(TEXT_MEMBERS):
            text = data.decode("utf-8")
            for foreign in ("João", "5511977776666", JOAO_SECRET, "mensagem do João", PRIVATE_COMMENT,
                            "bruno@exemplo.com.br", "Bruno Vendas", "mensagem da empresa no grupo", "😡"):  # fmt: skip
                assert foreign not in text, (name, foreign)


def test_attachments_are_decrypted_and_the_manifest_verifies(
    archive_setup: ArchiveSetup, story: dict[str, int], tmp_path: Path
) -> None:
    result = _export(archive_setup, tmp_path / "maria.zip")
    members = _members(result.path)
    manifest = json.loads(members["manifest.json"])

    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert members[f"attachments/{digest}.pdf"] == PDF_BYTES
    assert result.counts["attachments"] == 1
    assert [m["file_name"] for m in manifest["missing_attachments"]] == ["foto.jpg"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(members) - {"manifest.json"}
    for name, entry in listed.items():
        assert hashlib.sha256(members[name]).hexdigest() == entry["sha256"], name
        assert len(members[name]) == entry["size"]
    assert list(members)[:3] == ["LEIA-ME.txt", "manifest.json", "relatorio.html"]
    assert manifest["kind"] == "lgpd_subject_export"
    assert manifest["checkpoint"] == result.checkpoint.as_dict()
    assert result.manifest_sha256 == hashlib.sha256(members["manifest.json"]).hexdigest()
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert "LGPD" in members["LEIA-ME.txt"].decode()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".maria.zip")]  # no staging left behind

    with archive_setup.runtime.sessions() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "subject_export")).scalar_one()
    assert (entry.outcome, entry.object_id) == ("ok", "+5521988887777")
    assert entry.detail is not None
    assert entry.detail["sha256"] == result.sha256
    assert entry.detail["messages"] == 6


def test_hostile_text_is_kept_as_text(archive_setup: ArchiveSetup, story: dict[str, int], tmp_path: Path) -> None:
    members = _members(_export(archive_setup, tmp_path / "maria.zip").path)

    assert _messages(members)["m1"]["text"] == HOSTILE  # exactly as archived
    html = members["relatorio.html"].decode()
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "default-src 'none'" in html


def test_the_ninth_digit_and_wa_id_forms_find_the_same_person(
    archive_setup: ArchiveSetup, story: dict[str, int], tmp_path: Path
) -> None:
    assert number_variants("+55 (21) 98888-7777") == ("5521988887777", "552188887777")
    assert number_variants("21988887777")[0] == "5521988887777"
    assert number_variants("5521988887777@s.whatsapp.net") == ("5521988887777", "552188887777")
    older = _export(archive_setup, tmp_path / "sem-nove.zip", phone="+55 21 8888-7777")
    assert older.counts["messages"] == 6


def test_an_unknown_phone_is_an_audited_error_and_leaves_nothing(
    archive_setup: ArchiveSetup, story: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match="nenhum contato"):
        _export(archive_setup, tmp_path / "ninguem.zip", phone="+55 11 91234-5678")

    assert list(tmp_path.iterdir()) == [p for p in tmp_path.iterdir() if not p.name.startswith(".ninguem")]
    assert not (tmp_path / "ninguem.zip").exists()
    with archive_setup.runtime.sessions() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "subject_export")).scalar_one()
    assert entry.outcome == "failed"


@pytest.mark.parametrize("phone", ["abc", "123", "+55 21 9888@lid"])
def test_a_malformed_phone_is_refused(archive_setup: ArchiveSetup, tmp_path: Path, phone: str) -> None:
    with pytest.raises(InvalidInput, match="telefone inválido"):
        _export(archive_setup, tmp_path / "x.zip", phone=phone)


def test_an_existing_or_unwritable_out_is_refused_before_anything_is_read(
    archive_setup: ArchiveSetup, story: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "ja-existe.zip"
    existing.write_bytes(b"nao mexa")
    with pytest.raises(InvalidInput, match="já existe"):
        _export(archive_setup, existing)
    assert existing.read_bytes() == b"nao mexa"

    with pytest.raises(InvalidInput, match="não existe"):
        _export(archive_setup, tmp_path / "nao" / "ha" / "pasta.zip")

    monkeypatch.setattr(os, "access", lambda *_args: False)  # as root, permissions would not stop us
    with pytest.raises(InvalidInput, match="sem permissão de escrita"):
        _export(archive_setup, tmp_path / "x.zip")
    with archive_setup.runtime.sessions() as session:
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "subject_export")).first() is None


def test_a_long_history_is_read_in_batches_and_stays_complete(
    archive_setup: ArchiveSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("atalaia.exports.reading.BATCH", 7)  # many pages from a small story
    monkeypatch.setattr("atalaia.services.subject_export.scope.ID_BATCH", 5)
    events = []
    for n in range(40):
        author = MARIA if n % 2 else JOAO
        events.append(MessageEvent(f"h{n}", group(), Direction.INBOUND, MessageKind.TEXT,
                                   T0 + timedelta(minutes=n // 3), text=f"grupo {n}", author=author))  # fmt: skip
        events.append(inbound(f"d{n}", f"direta {n}", minutes=n // 3))
    archive_setup.archive(events)

    members = _members(_export(archive_setup, tmp_path / "longa.zip").path)
    messages = _messages(members)

    expected = {f"h{n}" for n in range(40) if n % 2} | {f"d{n}" for n in range(40)}
    assert set(messages) == expected
    lines = members["messages.jsonl"].decode().splitlines()
    assert len(lines) == len(expected)  # each once
    order = [json.loads(line)["provider_message_id"] for line in lines]
    group_order = [pid for pid in order if pid.startswith("h")]
    assert group_order == sorted(group_order, key=lambda pid: (int(pid[1:]) // 3, int(pid[1:])))


def test_a_contact_known_only_from_the_address_book_still_gets_its_record(
    archive_setup: ArchiveSetup, tmp_path: Path
) -> None:
    with transaction(archive_setup.runtime.sessions) as session:
        sync_address_book(session, tenant_id=archive_setup.tenant.id, refs=[MARIA], now=T0)

    result = _export(archive_setup, tmp_path / "agenda.zip")
    members = _members(result.path)

    assert (result.counts["messages"], result.counts["contacts"], result.counts["conversations"]) == (0, 1, 0)
    assert members["messages.jsonl"] == b""
    assert json.loads(members["contacts.json"])[0]["profile_name"] == "Maria Cliente"
