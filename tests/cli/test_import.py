"""`atalaia import`: the contract, idempotent re-imports, overlapping exports, media, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from atalaia.db.models import Attachment, Conversation, Message
from atalaia.runtime import Runtime
from tests.cli.conftest import Invoke, json_of

FIRST = (
    "01/03/2024 14:00 - As mensagens e as ligações são protegidas com a criptografia de ponta a ponta.\n"
    "01/03/2024 14:05 - Maria Cliente: Bom dia! Vocês têm o notebook em estoque?\n"
    "01/03/2024 14:06 - Bruno Vendas: Temos sim, Maria.\n"
    "Segue a proposta:\n"
    "01/03/2024 14:07 - Bruno Vendas: proposta.pdf (arquivo anexado)\n"
    "01/03/2024 14:09 - Maria Cliente: Mensagem apagada\n"
)
LATER = FIRST + (
    "02/03/2024 09:00 - Maria Cliente: Fechado! <Mensagem editada>\n02/03/2024 09:01 - Bruno Vendas: Ótimo, obrigado!\n"
)


@pytest.fixture
def export_line(atalaia: Invoke) -> str:
    atalaia("lines", "add", "--number", "+5521999990000", "--provider", "export", "--employee",
            "bruno@exemplo.com.br", "--employee-name", "Bruno Vendas", "--json")  # fmt: skip
    return "+5521999990000"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_export_is_archived_with_the_owner_outbound_and_reimported_as_nothing_new(
    atalaia: Invoke, export_line: str, tmp_path: Path, runtime: Runtime
) -> None:
    path = write(tmp_path, "Conversa do WhatsApp com Maria Cliente.txt", FIRST)

    first = json_of(atalaia("import", str(path), "--line", export_line, "--me", "Bruno Vendas", "--json"))
    again = json_of(atalaia("import", str(path), "--line", export_line, "--me", "Bruno Vendas", "--json"))

    assert first["messages"] == 5
    assert (first["new"], first["duplicates"]) == (5, 0)
    assert (again["new"], again["duplicates"]) == (0, 5)
    assert again["conversation_id"] == first["conversation_id"]
    with runtime.sessions() as session:
        rows = session.execute(select(Message.direction, Message.kind, Message.text).order_by(Message.sent_at)).all()
    assert [r.direction for r in rows] == ["inbound", "inbound", "outbound", "outbound", "inbound"]
    assert rows[2].text == "Temos sim, Maria.\nSegue a proposta:"
    assert [r.kind for r in rows][-1] == "deleted"


def test_an_overlapping_later_export_adds_only_the_new_messages(
    atalaia: Invoke, export_line: str, tmp_path: Path
) -> None:
    atalaia("import", str(write(tmp_path, "a.txt", FIRST)), "--line", export_line, "--me", "Bruno Vendas", "--json")

    later = json_of(
        atalaia("import", str(write(tmp_path, "b.txt", LATER)), "--line", export_line, "--me", "Bruno Vendas", "--json")
    )
    assert (later["messages"], later["new"], later["duplicates"]) == (7, 2, 5)


def test_the_assigned_employee_is_the_default_owner(
    atalaia: Invoke, export_line: str, tmp_path: Path, runtime: Runtime
) -> None:
    atalaia("import", str(write(tmp_path, "a.txt", FIRST)), "--line", export_line, "--json")

    with runtime.sessions() as session:
        outbound = session.execute(select(Message.author_name).where(Message.direction == "outbound")).scalars().all()
    assert set(outbound) == {"Bruno Vendas"}


def test_a_zip_with_media_stores_the_file_encrypted_and_linked(
    atalaia: Invoke, export_line: str, tmp_path: Path, runtime: Runtime
) -> None:
    path = tmp_path / "WhatsApp Chat - Maria Cliente.zip"
    pdf = b"%PDF-1.4\nproposta\n"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Conversa do WhatsApp com Maria Cliente.txt", FIRST)
        zf.writestr("proposta.pdf", pdf)

    out = json_of(atalaia("import", str(path), "--line", export_line, "--me", "Bruno Vendas", "--json"))

    assert out["attachments"] == 1
    with runtime.sessions() as session:
        attachment = session.execute(select(Attachment)).scalar_one()
        conversation = session.execute(select(Conversation)).scalar_one()
    assert (attachment.file_name, attachment.size, attachment.download_status) == ("proposta.pdf", len(pdf), "stored")
    assert conversation.kind == "direct"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vazio.txt", b"", ""),
        ("binario.txt", bytes(range(256)) * 40, ""),
    ],
)
def test_bad_files_get_a_clear_error_and_store_nothing(
    atalaia: Invoke, export_line: str, tmp_path: Path, runtime: Runtime, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    result = atalaia("import", str(path), "--line", export_line, "--json", expect=2)

    assert result.stderr.startswith("erro:")
    with runtime.sessions() as session:
        assert session.execute(select(Message)).first() is None


def test_a_zip_with_path_traversal_is_refused(atalaia: Invoke, export_line: str, tmp_path: Path) -> None:
    path = tmp_path / "mal.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", FIRST)
        zf.writestr("../../etc/cron.d/x", b"* * * * * root sh")

    assert "erro:" in atalaia("import", str(path), "--line", export_line, "--json", expect=2).stderr


def test_an_unknown_line_or_file_is_explained(atalaia: Invoke, export_line: str, tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", FIRST)
    assert "no line" in atalaia("import", str(path), "--line", "+5511988887777", "--json", expect=2).stderr
    assert "não encontrado" in atalaia("import", str(tmp_path / "x.txt"), "--line", export_line, expect=2).stderr
