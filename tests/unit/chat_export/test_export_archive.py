"""Opening exports safely: text encodings, binary files, and zips hostile or merely odd."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest

from atalaia.connectors.chat_export import ExportError, ZipLimits, chat_name_from_filename, open_export, read_export
from tests.unit.chat_export.conftest import MakeZip, Parse

CHAT = "03/10/2025 09:45 - Ana: oi\n13/10/2025 10:02 - Bruno: IMG-20251013-WA0003.jpg (arquivo anexado)\n"


# -- text files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        CHAT.encode("utf-8"),
        codecs.BOM_UTF8 + CHAT.encode("utf-8"),
        CHAT.encode("utf-16"),  # with BOM
        CHAT.encode("utf-16-le"),  # without BOM: every other byte is zero
        CHAT.encode("utf-32"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le", "utf-32"],
)
def test_it_reads_utf8_and_utf16_exports(parse: Parse, encoded: bytes) -> None:
    messages = parse(encoded)
    assert [m.author for m in messages] == ["Ana", "Bruno"]


def test_it_refuses_a_file_that_is_not_utf8_in_portuguese(parse: Parse) -> None:
    with pytest.raises(ExportError, match="não está em UTF-8"):
        parse(CHAT.encode("latin-1") + "José: olá\n".encode("latin-1"))


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(256)) * 8, b"%PDF-1.7\n\x00\x01\x02"],
    ids=["png", "noise", "pdf"],
)
def test_it_refuses_binary_files(parse: Parse, content: bytes) -> None:
    with pytest.raises(ExportError, match=r"binário|UTF-8"):
        parse(content)


def test_an_empty_file_has_no_messages(parse: Parse) -> None:
    with pytest.raises(ExportError, match="nenhuma mensagem"):
        parse(b"")


def test_a_text_that_is_no_chat_has_no_messages(parse: Parse) -> None:
    with pytest.raises(ExportError, match="nenhuma mensagem encontrada"):
        parse("Querido diário,\nhoje nada aconteceu.\n")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="arquivo não encontrado"):
        open_export(tmp_path / "nada.txt")
    with pytest.raises(ExportError, match="não é um arquivo"):
        open_export(tmp_path)


# -- zips ------------------------------------------------------------------------------------


def test_it_reads_an_android_zip_and_its_media(make_zip: MakeZip) -> None:
    path = make_zip(
        {"Conversa do WhatsApp com Vendas.txt": CHAT, "IMG-20251013-WA0003.jpg": b"\xff\xd8jpeg"},
        name="Conversa do WhatsApp com Vendas.zip",
    )
    with read_export(path) as reader:
        messages = list(reader.messages())
        assert reader.chat_name == "Vendas"
        assert reader.media.get("IMG-20251013-WA0003.jpg") == b"\xff\xd8jpeg"
        assert reader.media.get("IMG-nope.jpg") is None
        assert "IMG-20251013-WA0003.jpg" in reader.media
        assert len(reader.media) == 1
    assert messages[1].attachment == "IMG-20251013-WA0003.jpg"


def test_it_prefers_ios_chat_txt_over_a_shared_text_document(make_zip: MakeZip) -> None:
    ios = "[01/03/2024, 14:05:00] Ana: oi\r\n"
    path = make_zip({"notas.txt": "uma lista de compras", "_chat.txt": ios, "00000012-PHOTO.jpg": b"x"})
    with read_export(path) as reader:
        assert reader.source.member == "_chat.txt"
        assert reader.chat_name == "Vendas"  # from "WhatsApp Chat - Vendas.zip"
        assert [m.text for m in reader.messages()] == ["oi"]


def test_it_finds_the_chat_named_by_whatsapp_among_other_texts(make_zip: MakeZip) -> None:
    path = make_zip({"readme.txt": "x", "WhatsApp Chat with Ana.txt": CHAT})
    with open_export(path) as source:
        assert source.member == "WhatsApp Chat with Ana.txt"


def test_a_single_text_at_the_root_is_the_chat(make_zip: MakeZip) -> None:
    with open_export(make_zip({"export.txt": CHAT, "IMG-1.jpg": b"x"})) as source:
        assert source.member == "export.txt"


def test_several_anonymous_texts_are_refused(make_zip: MakeZip) -> None:
    with pytest.raises(ExportError, match=r"vários \.txt"):
        open_export(make_zip({"a.txt": CHAT, "b.txt": CHAT}))


def test_a_zip_without_chat_is_refused(make_zip: MakeZip) -> None:
    with pytest.raises(ExportError, match="zip sem conversa"):
        open_export(make_zip({"IMG-1.jpg": b"x"}))


@pytest.mark.parametrize("name", ["../x.txt", "/etc/passwd", "a/../../b.jpg", "C:/windows/x.jpg", "..\\evil.jpg"])
def test_a_zip_with_path_traversal_is_refused(make_zip: MakeZip, name: str) -> None:
    with pytest.raises(ExportError, match="caminho inseguro"):
        open_export(make_zip({"_chat.txt": CHAT, name: b"x"}))


def test_a_zip_bomb_is_refused_by_its_compression_ratio(make_zip: MakeZip) -> None:
    path = make_zip({"_chat.txt": CHAT, "bomb.bin": b"\0" * (20 << 20)})
    with pytest.raises(ExportError, match="taxa de compressão"):
        open_export(path)


def test_the_zip_limits_are_configurable(make_zip: MakeZip) -> None:
    path = make_zip({"_chat.txt": CHAT * 100, "IMG-1.jpg": b"x" * 5000})
    with pytest.raises(ExportError, match="grande demais"):
        open_export(path, limits=ZipLimits(max_total_bytes=1000))
    with pytest.raises(ExportError, match="conversa grande demais"):
        open_export(path, limits=ZipLimits(max_chat_bytes=100))
    with pytest.raises(ExportError, match="arquivos demais"):
        open_export(path, limits=ZipLimits(max_members=1))
    with open_export(path, limits=ZipLimits(max_media_bytes=100)) as source:
        assert source.skipped_media == ("IMG-1.jpg",)
        assert source.media.get("IMG-1.jpg") is None


def test_a_corrupt_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ExportError, match="zip inválido"):
        open_export(path)


def test_a_zip_whose_chat_fails_its_crc_fails_with_one_error(make_zip: MakeZip) -> None:
    path = make_zip({"_chat.txt": "[01/03/2024, 14:05:00] Ana: oi\r\n" * 50})
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("_chat.txt")
    data[info.header_offset + 30 + len("_chat.txt") + 5] ^= 0xFF  # flip a byte of the deflated data
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError), read_export(path) as reader:
        list(reader.messages())


def test_media_names_match_whatever_the_unicode_normalisation(make_zip: MakeZip) -> None:
    decomposed = "Relato\u0301rio.pdf"  # macOS zips store NFD names
    path = make_zip({"_chat.txt": "[01/03/2024, 14:05:00] Ana: oi\r\n", decomposed: b"%PDF"})
    with open_export(path) as source:
        assert source.media.get("Relatório.pdf") == b"%PDF"


def test_media_inside_a_folder_is_found_by_its_file_name(make_zip: MakeZip) -> None:
    path = make_zip({"export/_chat.txt": "[01/03/2024, 14:05:00] Ana: oi\r\n", "export/IMG-1.jpg": b"x"})
    with open_export(path) as source:
        assert source.member == "export/_chat.txt"
        assert source.media.get("IMG-1.jpg") == b"x"


@pytest.mark.parametrize(
    ("file_name", "chat"),
    [
        ("Conversa do WhatsApp com Ana Souza.txt", "Ana Souza"),
        ("WhatsApp Chat with Team Boston.txt", "Team Boston"),
        ("WhatsApp Chat - Vendas Rio.zip", "Vendas Rio"),
        ("Chat de WhatsApp con Lucía (1).txt", "Lucía"),
        ("Chat WhatsApp s\u00a0uživatelem Dmitry S.txt", "Dmitry S"),
        ("_chat.txt", None),
    ],
)
def test_the_chat_name_comes_from_the_file_name(file_name: str, chat: str | None) -> None:
    assert chat_name_from_filename(file_name) == chat
