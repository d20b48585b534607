"""Evidence files on a case, through the console and the API, on SQLite and PostgreSQL.

Real libmagic, the real encrypted blob store on disk, the real app; hostile names and files.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from atalaia.db.models import AuditEntry, CaseEvent, CaseEvidence
from atalaia.runtime import Runtime
from atalaia.services.compliance.case_evidence import clean_file_name
from tests.web.alert_desk import Desk, open_desk, sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 200
MARKER = b"prova-sigilosa-do-caso-0001"


@pytest.fixture
def desk(runtime: Runtime) -> Iterator[Desk]:
    with open_desk(runtime) as opened:
        yield opened


def upload(desk: Desk, who: str, alert_id: int, name: str, content: bytes, mime: str = "application/pdf") -> object:
    return desk.client.post(
        f"/api/v1/alerts/{alert_id}/evidence", headers=desk.bearer(who), files={"file": (name, content, mime)}
    )


def rows(desk: Desk) -> list[CaseEvidence]:
    with desk.story.runtime.sessions() as session:
        return list(session.execute(select(CaseEvidence).order_by(CaseEvidence.id)).scalars())


def kinds(desk: Desk, alert_id: int) -> list[str]:
    with desk.story.runtime.sessions() as session:
        return list(
            session.execute(
                select(CaseEvent.kind).where(CaseEvent.alert_id == alert_id).order_by(CaseEvent.id)
            ).scalars()
        )


def test_round_trip_encrypted_at_rest_listed_with_digest_and_audited(desk: Desk) -> None:
    content = PDF + MARKER
    sent = upload(desk, "ana", desk.vendas_alert, "relatório março.pdf", content)

    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["file_name"] == "relatório março.pdf"
    assert body["real_type"] == "pdf"
    assert body["type_mismatch"] is False
    import hashlib

    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    stored = [p for p in Path(desk.story.runtime.settings.resolved_blob_dir).rglob("*") if p.is_file()]
    evidence_blobs = [p for p in stored if "/evidence/" in p.as_posix()]
    assert len(evidence_blobs) == 1
    assert MARKER not in evidence_blobs[0].read_bytes()  # sealed at rest

    got = desk.client.get(f"/api/v1/alerts/{desk.vendas_alert}/evidence/{body['id']}", headers=desk.bearer("davi"))
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert quote("relatório março.pdf", safe="") in got.headers["content-disposition"]
    assert ("alert_evidence_read", "ok", str(body["id"])) in desk.audit("davi@exemplo.com.br")
    assert ("alert_evidence", "ok", str(desk.vendas_alert)) in desk.audit("ana@exemplo.com.br")

    sign_in(desk.client, "bruno")
    page = desk.client.get(f"/alerts/{desk.vendas_alert}")
    assert "relatório março.pdf" in page.text
    assert body["sha256"] in page.text  # in the list and in the history
    assert "evidência anexada" in page.text
    console = desk.client.get(f"/alerts/{desk.vendas_alert}/evidence/{body['id']}")
    assert console.content == content
    assert ("alert_evidence_read", "ok", str(body["id"])) in desk.audit("bruno@exemplo.com.br")


def test_files_over_the_limit_get_413_and_nothing_is_stored(desk: Desk) -> None:
    desk.story.runtime.settings.max_evidence_bytes = 4096

    just_over = upload(desk, "ana", desk.vendas_alert, "a.pdf", PDF + b"x" * 4096)
    far_over = upload(desk, "ana", desk.vendas_alert, "b.pdf", PDF + b"x" * 200_000)
    fits = upload(desk, "ana", desk.vendas_alert, "c.pdf", PDF + b"x" * 1000)

    assert just_over.status_code == 413
    assert far_over.status_code == 413  # refused on its Content-Length, before the body is read
    assert fits.status_code == 201
    assert [r.file_name for r in rows(desk)] == ["c.pdf"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../x", "x"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/etc/passwd", "passwd"),
        ("nota\x00.pdf", "nota.pdf"),
        ("fatura\u202efdp.exe", "faturafdp.exe"),  # a right-to-left override hiding ".exe"
        ("..", "arquivo"),
        ("", "arquivo"),
        ('a<b>:"|?*.pdf', "a_b______.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(raw: str, clean: str) -> None:
    assert clean_file_name(raw) == clean


def test_hostile_names_never_reach_the_disk_or_the_page_as_given(desk: Desk) -> None:
    traversal = upload(desk, "ana", desk.vendas_alert, "../../x.pdf", PDF)
    boundary = "fronteira123"
    raw = (
        (  # built by hand: clients percent-encode a NUL in a file name, an attacker does not
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="nota\x00<script>.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    nul = desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/evidence",
        headers={**desk.bearer("ana"), "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=raw,
    )

    assert traversal.status_code == 201, traversal.text
    assert traversal.json()["file_name"] == "x.pdf"
    assert nul.status_code == 201, nul.text
    assert nul.json()["file_name"] == "nota_script_.pdf"
    home = Path(desk.story.runtime.settings.home)
    assert not (home.parent / "x.pdf").exists()
    assert not (Path(desk.story.runtime.settings.resolved_blob_dir).parent / "x.pdf").exists()
    with desk.story.runtime.sessions() as session:
        details = session.execute(select(CaseEvent.detail).where(CaseEvent.kind == "evidence")).scalars().all()
    assert all(d and d.get("name_cleaned") for d in details)


def test_a_lying_extension_is_kept_and_noted(desk: Desk) -> None:
    sent = upload(desk, "ana", desk.vendas_alert, "foto.jpg", PDF, mime="image/jpeg")

    assert sent.status_code == 201
    assert sent.json()["real_type"] == "pdf"
    assert sent.json()["declared_type"] == "jpeg"
    assert sent.json()["type_mismatch"] is True
    sign_in(desk.client, "ana")
    assert "extensão não confere" in desk.client.get(f"/alerts/{desk.vendas_alert}").text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("relatorio.pdf", ELF),  # an executable behind a harmless name
        ("programa.exe", b"MZ\x90\x00" + b"\x00" * 300),
        ("limpar.txt", b"#!/bin/sh\nrm -rf /\n"),  # a script, by its shebang
        ("macro.ps1", b"Write-Host 'oi'\n"),  # a script by its extension
    ],
)
def test_executables_and_scripts_are_refused(desk: Desk, name: str, content: bytes) -> None:
    sent = upload(desk, "ana", desk.vendas_alert, name, content, mime="application/octet-stream")

    assert sent.status_code == 422, sent.text
    assert "executáveis ou scripts" in sent.json()["error"]
    assert rows(desk) == []


def test_a_zip_bomb_is_stored_as_inert_bytes_never_inflated(desk: Desk) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"\x00" * (64 * 1024 * 1024))  # 64 MiB of zeros in ~64 KiB
    bomb = buffer.getvalue()
    assert len(bomb) < 200_000

    sent = upload(desk, "ana", desk.vendas_alert, "42.zip", bomb, mime="application/zip")

    assert sent.status_code == 201, sent.text
    assert sent.json()["real_type"] == "zip"
    assert sent.json()["size"] == len(bomb)


def test_empty_and_missing_files_are_refused(desk: Desk) -> None:
    empty = upload(desk, "ana", desk.vendas_alert, "vazio.pdf", b"")
    missing = desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/evidence", headers=desk.bearer("ana"), data={"x": "1"}
    )

    assert empty.status_code == 422
    assert missing.status_code == 422
    assert rows(desk) == []


def test_permissions_managers_of_other_teams_auditors_and_admins(desk: Desk) -> None:
    carla = upload(desk, "carla", desk.vendas_alert, "a.pdf", PDF)
    davi = upload(desk, "davi", desk.vendas_alert, "a.pdf", PDF)
    bruno = upload(desk, "bruno", desk.vendas_alert, "a.pdf", PDF)

    assert carla.status_code == 404  # another team's alert answers like a missing one
    assert ("alert_evidence_add", "denied", str(desk.vendas_alert)) in desk.audit("carla@exemplo.com.br")
    assert davi.status_code == 403
    assert bruno.status_code == 201
    evidence_id = bruno.json()["id"]
    carla_reads = desk.client.get(
        f"/api/v1/alerts/{desk.vendas_alert}/evidence/{evidence_id}", headers=desk.bearer("carla")
    )
    assert carla_reads.status_code == 404
    assert ("alert_evidence_read", "denied", str(desk.vendas_alert)) in desk.audit("carla@exemplo.com.br")
    other_case = desk.client.get(
        f"/api/v1/alerts/{desk.suporte_alert}/evidence/{evidence_id}", headers=desk.bearer("ana")
    )
    assert other_case.status_code == 404  # an evidence id is only found under its own case
    davi_withdraws = desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/evidence/{evidence_id}/withdraw",
        headers=desk.bearer("davi"),
        json={"reason": "não é relevante"},
    )
    assert davi_withdraws.status_code == 403
    assert [r.file_name for r in rows(desk)] == ["a.pdf"]


def test_withdrawing_keeps_the_file_and_its_history(desk: Desk) -> None:
    evidence_id = upload(desk, "ana", desk.vendas_alert, "a.pdf", PDF).json()["id"]
    url = f"/api/v1/alerts/{desk.vendas_alert}/evidence/{evidence_id}/withdraw"

    no_reason = desk.client.post(url, headers=desk.bearer("ana"), json={"reason": "  "})
    done = desk.client.post(url, headers=desk.bearer("ana"), json={"reason": "arquivo do cliente errado"})
    again = desk.client.post(url, headers=desk.bearer("ana"), json={"reason": "de novo"})

    assert no_reason.status_code == 422
    assert done.status_code == 200
    assert done.json()["withdrawn_reason"] == "arquivo do cliente errado"
    assert again.status_code == 409
    assert kinds(desk, desk.vendas_alert)[-2:] == ["evidence", "evidence_withdrawn"]
    still = desk.client.get(f"/api/v1/alerts/{desk.vendas_alert}/evidence/{evidence_id}", headers=desk.bearer("ana"))
    assert still.content == PDF
    listed = desk.client.get(f"/api/v1/alerts/{desk.vendas_alert}/evidence", headers=desk.bearer("davi"))
    assert [f["withdrawn_by"] for f in listed.json()["files"]] == ["ana@exemplo.com.br"]


def test_a_resolved_case_takes_no_new_evidence(desk: Desk) -> None:
    resolved = desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/resolve",
        headers=desk.bearer("ana"),
        json={"resolution": "confirmed", "reason": "CPF enviado sem necessidade"},
    )
    assert resolved.status_code == 200

    sent = upload(desk, "ana", desk.vendas_alert, "a.pdf", PDF)

    assert sent.status_code == 409
    assert "reabra" in sent.json()["error"]


def test_the_console_form_needs_its_csrf_token(desk: Desk) -> None:
    token = sign_in(desk.client, "ana")
    url = f"/alerts/{desk.vendas_alert}/evidence"
    files = {"file": ("a.pdf", PDF, "application/pdf")}

    forged = desk.client.post(url, files=files, data={"csrf_token": "forjado"}, follow_redirects=False)
    missing = desk.client.post(url, files=files, follow_redirects=False)
    real = desk.client.post(url, files=files, data={"csrf_token": token}, follow_redirects=False)

    assert forged.status_code == 403
    assert missing.status_code == 403
    assert real.status_code == 303
    assert len(rows(desk)) == 1
    page = desk.client.get(real.headers["location"])
    assert "Evidência anexada ao caso." in page.text
    refused = desk.client.post(
        url, files={"file": ("x.sh", b"#!/bin/sh\necho\n", "text/plain")}, data={"csrf_token": token}
    )
    assert refused.status_code == 422
    assert "executáveis ou scripts" in refused.text
    with desk.story.runtime.sessions() as session:
        assert session.execute(select(AuditEntry.id).where(AuditEntry.action == "alert_evidence")).all()
