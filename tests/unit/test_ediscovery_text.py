"""The pure pieces of the exports: CSV cells, PDF text, RSMF headers, reactions and the EML stream."""

from __future__ import annotations

import email
import email.policy
import io
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atalaia.exports.attachments import stored_name
from atalaia.exports.csv_file import safe_cell
from atalaia.exports.model import ExportAttachment, ExportMessage, ExportReaction, Party
from atalaia.exports.pdf_text import fold, markup
from atalaia.exports.rsmf_eml import address, header_text, write_rsmf
from atalaia.exports.rsmf_events import custom, event_type, standing_reactions

MARIA = Party(id="contact-1", display="Maria Cliente", phone="+5521988887777")
JOAO = Party(id="contact-2", display="João")
LINE = Party(id="line-1", display="Bruno Vendas", phone="+5521999990000", email="bruno@exemplo.com.br", is_line=True)
T0 = datetime(2024, 3, 1, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("text", ["=1+1", "+55 21", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_other_cells_are_left_alone() -> None:
    assert safe_cell("Olá = tudo bem") == "Olá = tudo bem"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"
    assert safe_cell(42) == "42"
    assert safe_cell([{"a": "=1"}]) == '[{"a": "=1"}]'


def test_portuguese_is_drawn_as_is_and_the_rest_is_named() -> None:
    portuguese = "Ação, informações, reuniões às 14h — “cotação” não é 100€; ÇÃÕÉÊÍÓÔÚÜ"
    assert fold(portuguese) == portuguese
    assert fold("ok 👍\ufe0f") == "ok [thumbs up sign]"
    assert fold("a\u202eb\u200bc") == "a[right-to-left override]b[zero width space]c"
    assert fold("sino\x07") == "sino[U+0007]"
    assert fold("a\tb\r\nc") == "a    b\nc"


def test_markup_escapes_what_reportlab_would_interpret() -> None:
    assert markup('<script>alert("x")</script> & <b>\nfim') == (
        '&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;<br/>fim'
    )


def test_header_values_cannot_break_the_header() -> None:
    assert header_text("Maria\r\nBcc: todos@exemplo.com\u2028x") == "Maria Bcc: todos@exemplo.com x"
    assert str(address(LINE)) == "Bruno Vendas <bruno@exemplo.com.br>"
    assert address(MARIA) is not None
    assert address(MARIA).addr_spec == "5521988887777@s.whatsapp.net"  # type: ignore[union-attr]
    assert address(JOAO) is None


def test_attachment_names_are_content_addresses_with_a_plain_extension() -> None:
    def named(file_name: str | None, mime: str | None) -> str:
        attachment = ExportAttachment(1, 0, file_name, mime, None, "ab" * 32, 3, "stored", None)
        return stored_name(attachment)

    assert named("Proposta Final.PDF", None) == "ab" * 32 + ".pdf"
    assert named("../../etc/passwd", None) == "ab" * 32
    assert named(None, "image/jpeg") == "ab" * 32 + ".jpg"


def test_standing_reactions_apply_changes_and_removals() -> None:
    reactions = [
        ExportReaction(1, "👍", T0, MARIA, 1),
        ExportReaction(2, "❤️", T0 + timedelta(minutes=1), JOAO, 2),
        ExportReaction(3, "😂", T0 + timedelta(minutes=2), MARIA, 3),  # Maria changed her mind
        ExportReaction(4, "", T0 + timedelta(minutes=3), JOAO, 4),  # João took his back
    ]
    assert standing_reactions(reactions) == [{"value": "😂", "count": 1, "participants": ["contact-1"]}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maria saiu", "leave"),
        ("Bruno adicionou Maria", "join"),
        ("As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.", "disclaimer"),
        ("Bruno mudou o nome do grupo", "unknown"),
    ],
)
def test_system_lines_become_rsmf_event_types(text: str, expected: str) -> None:
    message = ExportMessage(
        id=1, conversation_id=1, line_id=1, provider_message_id="s", direction="inbound", kind="system",
        author=MARIA, author_name=None, text=text, sent_at=T0, received_at=T0, reply_to=None, reply_to_id=None,
        forwarded=False, frequently_forwarded=False, chain_seq=1, content_hash="0" * 64,
    )  # fmt: skip
    assert event_type(message) == expected


def test_custom_properties_leave_out_empty_values() -> None:
    assert custom(a="1", b=None, c="", d=0) == [{"name": "a", "value": "1"}, {"name": "d", "value": "0"}]


def test_the_eml_is_streamed_in_base64_lines_and_parses(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Olá 👍\r\n" * 500, encoding="utf-8")
    zip_path = tmp_path / "rsmf.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("rsmf_manifest.json", "{}")
        archive.writestr("big.bin", os.urandom(200_000))
    target = io.BytesIO()
    write_rsmf(target, headers=[("X-RSMF-Version", "2.0.0"), ("Subject", "WhatsApp: Ação\r\nBcc: x")],
               sender=LINE, recipients=[MARIA, JOAO], body=body, zip_file=zip_path)  # fmt: skip

    data = target.getvalue()
    assert all(len(line) <= 78 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Subject"] == "WhatsApp: Ação Bcc: x"
    assert message["Bcc"] is None
    text, attachment = message.iter_parts()  # type: ignore[misc]
    assert text.get_content() == body.read_bytes().decode("utf-8")
    assert attachment.get_payload(decode=True) == zip_path.read_bytes()
