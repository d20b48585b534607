"""Authors, system lines and markers: what each message is, in every language we read."""

from __future__ import annotations

from pathlib import Path

import pytest

from atalaia.connectors.chat_export import ExportKind, read_export
from tests.unit.chat_export.conftest import Parse

LRM = "\u200e"
ANDROID = "13/10/2025 10:00 - "
IOS = "[13/10/2025, 10:00:00] "


def _one(parse: Parse, line: str, **kwargs: str) -> tuple[str | None, str, ExportKind, str | None, bool]:
    (message,) = parse(line + "\n", **kwargs)
    return message.author, message.text, message.kind, message.attachment, message.edited


# -- authors and system lines --------------------------------------------------------------


def test_android_lines_without_a_name_are_system_lines(parse: Parse) -> None:
    assert _one(parse, ANDROID + "Ana adicionou Bruno") == (None, "Ana adicionou Bruno", ExportKind.SYSTEM, None, False)


@pytest.mark.parametrize(
    "sentence",
    [
        'Ana mudou o nome do grupo de "Vendas: SP" para "Vendas"',
        'Ana changed the subject from "Team" to "Team: 2025"',
        "Ana changed the subject to “Deal: ACME”",
        "Ana hat den Betreff zu „Team: Nord“ geändert.",
        "O título do grupo foi alterado para “Lisboa: equipa” por Rui",
    ],
)
def test_a_colon_inside_a_quoted_group_name_does_not_make_an_author(parse: Parse, sentence: str) -> None:
    author, text, kind, _, _ = _one(parse, ANDROID + sentence)
    assert (author, kind) == (None, ExportKind.SYSTEM)
    assert text == sentence


def test_ios_system_lines_carry_a_name_then_lrm(parse: Parse) -> None:
    assert _one(parse, f"{IOS}Super Group: {LRM}Josh added you") == (
        None,
        "Josh added you",
        ExportKind.SYSTEM,
        None,
        False,
    )


def test_ios_notices_a_participant_caused_keep_their_author(parse: Parse) -> None:
    assert _one(parse, f"{IOS}Josh: {LRM}Missed voice call")[:3] == ("Josh", "Missed voice call", ExportKind.TEXT)
    assert _one(parse, f"{IOS}Ana: {LRM}Localização: https://maps.google.com/?q=1,2")[0] == "Ana"


def test_authors_lose_invisible_marks_and_keep_plain_phone_numbers(parse: Parse) -> None:
    author = _one(parse, f"{ANDROID}\u202a+55\u00a021\u00a099999\u20110000\u202c: oi")[0]
    assert author == "+55 21 99999-0000"


def test_text_after_the_first_colon_keeps_its_own_colons_and_marks(parse: Parse) -> None:
    assert _one(parse, f"{ANDROID}Ana: Preço: R$ 10 @\u2068Bruno\u2069")[:2] == (
        "Ana",
        "Preço: R$ 10 @\u2068Bruno\u2069",
    )


def test_an_empty_message_is_media_left_out(parse: Parse) -> None:
    assert _one(parse, f"{ANDROID}Franklin: ")[:3] == ("Franklin", "", ExportKind.MEDIA)
    assert _one(parse, f"{ANDROID}Franklin:")[:3] == ("Franklin", "", ExportKind.MEDIA)


def test_view_once_null_is_media(parse: Parse) -> None:
    assert _one(parse, f"{ANDROID}Ana: null")[:3] == ("Ana", "", ExportKind.MEDIA)
    assert _one(parse, f"{ANDROID}Ana: null e mais")[2] is ExportKind.TEXT


# -- markers per language ------------------------------------------------------------------

OMITTED = [
    "<Mídia oculta>",
    "<Mídia omitida>",
    f"{LRM}imagem ocultada",
    f"{LRM}áudio ocultado",
    f"{LRM}vídeo omitido",
    f"{LRM}figurinha omitida",
    f"{LRM}GIF omitido",
    f"{LRM}Cartão do contato omitido",
    "<Multimédia omitida>",
    f"{LRM}imagem não revelada",
    "<Media omitted>",
    "<media omitted>",
    f"{LRM}image omitted",
    f"<{LRM}audio omitted>",
    f"{LRM}sticker omitted",
    f"{LRM}Contact card omitted",
    "<Multimedia omitido>",
    f"{LRM}imagen omitida",
    "<Medien ausgeschlossen>",
    f"{LRM}Bild weggelassen",
    "<Médias omis>",
    f"{LRM}image absente",
    "<Media omessi>",
    f"{LRM}immagine omessa",
    "<Media weggelaten>",
    "<Без медиафайлов>",
]


@pytest.mark.parametrize("marker", OMITTED)
def test_media_omitted_markers_are_media_without_text(parse: Parse, marker: str) -> None:
    assert _one(parse, f"{ANDROID}Ana: {marker}") == ("Ana", "", ExportKind.MEDIA, None, False)


DELETED = [
    "Mensagem apagada",
    "Esta mensagem foi apagada",
    "Você apagou esta mensagem",
    f"{LRM}Mensagem apagada",
    f"{LRM}Esta mensagem foi apagada.",
    f"{LRM}Apagou esta mensagem.",
    "This message was deleted",
    "You deleted this message",
    f"{LRM}This message was deleted.",
    f"{LRM}You deleted this message.",
    "Se eliminó este mensaje.",
    "Eliminaste este mensaje.",
    "Diese Nachricht wurde gelöscht.",
    "Du hast diese Nachricht gelöscht.",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio",
]


@pytest.mark.parametrize("marker", DELETED)
def test_deletion_markers_are_deleted(parse: Parse, marker: str) -> None:
    assert _one(parse, f"{ANDROID}Ana: {marker}") == ("Ana", "", ExportKind.DELETED, None, False)


@pytest.mark.parametrize(
    "marker",
    [
        "<Mensagem editada>",
        f"{LRM}<Mensagem editada>",
        "<This message was edited>",
        f"{LRM}<This message was edited>",
        "<Se editó este mensaje.>",
        "<Diese Nachricht wurde bearbeitet>",
        "<Ce message a été modifié>",
        "<Questo messaggio è stato modificato>",
    ],
)
def test_the_edited_marker_is_removed_and_flagged(parse: Parse, marker: str) -> None:
    assert _one(parse, f"{ANDROID}Ana: Chego às 15h {marker}") == ("Ana", "Chego às 15h", ExportKind.TEXT, None, True)


def test_a_multiline_edited_message_loses_the_marker_on_its_last_line(parse: Parse) -> None:
    (message,) = parse(f"{ANDROID}Ana: linha 1\nlinha 2 <Mensagem editada>\n")
    assert (message.text, message.edited) == ("linha 1\nlinha 2", True)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("IMG-20240301-WA0003.jpg (arquivo anexado)", "IMG-20240301-WA0003.jpg"),
        (f"{LRM}IMG-20251028-WA0035.jpg (arquivo anexado)", "IMG-20251028-WA0035.jpg"),
        ("Relatório Q3.pdf (arquivo anexado)", "Relatório Q3.pdf"),
        ("VID-20220318-WA0001.mp4 (ficheiro anexado)", "VID-20220318-WA0001.mp4"),
        ("IMG-20220323-WA0002.jpg (file attached)", "IMG-20220323-WA0002.jpg"),
        ("IMG-20211231-WA0004.jpg (archivo adjunto)", "IMG-20211231-WA0004.jpg"),
        (f"{LRM}4f2680f1db95.jpg (Datei angehängt)", "4f2680f1db95.jpg"),
        ("STK-20260605-WA0001.webp (fichier joint)", "STK-20260605-WA0001.webp"),
        ("PTT-20170618-WA0002.opus (file allegato)", "PTT-20170618-WA0002.opus"),
        (f"{LRM}<anexado: 00000012-PHOTO-2024-03-01-14-05-00.jpg>", "00000012-PHOTO-2024-03-01-14-05-00.jpg"),
        (f"{LRM}<attached: 00000035-PHOTO-2022-03-27-21-41-55.jpg>", "00000035-PHOTO-2022-03-27-21-41-55.jpg"),
        ("< attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg >", "00000042-PHOTO-2020-06-07-15-13-20.jpg"),
        (f"{LRM}<adjunto: 00000040-PHOTO.jpg>", "00000040-PHOTO.jpg"),
        (f"{LRM}<Anhang: 00000037-PHOTO.jpg>", "00000037-PHOTO.jpg"),
        (f"{LRM}< pièce jointe : 00000038-PHOTO.jpg >", "00000038-PHOTO.jpg"),
        (f"{LRM}<allegato: 00000039-PHOTO.jpg>", "00000039-PHOTO.jpg"),
        (f"2015-08-04-PHOTO-00004762.jpg <{LRM}attached>", "2015-08-04-PHOTO-00004762.jpg"),
    ],
)
def test_attached_files_give_their_name(parse: Parse, line: str, name: str) -> None:
    assert _one(parse, f"{ANDROID}Ana: {line}") == ("Ana", "", ExportKind.MEDIA, name, False)


def test_a_caption_after_an_attached_file_stays_as_text(parse: Parse) -> None:
    (message,) = parse(f"{ANDROID}Ana: IMG-1.jpg (file attached)\nWhiteboard\nfrom today\n")
    assert (message.kind, message.attachment, message.text) == (ExportKind.MEDIA, "IMG-1.jpg", "Whiteboard\nfrom today")


def test_an_ios_document_left_out_keeps_its_title(parse: Parse) -> None:
    line = f"{IOS}Ana: Relatório.pdf • {LRM}3 páginas {LRM}documento omitido"
    assert _one(parse, line) == ("Ana", "Relatório.pdf • 3 páginas", ExportKind.MEDIA, None, False)


def test_an_attached_and_edited_message_is_both(parse: Parse) -> None:
    line = f"{IOS}Noah: {LRM}<attached: 00000030-PHOTO.jpg> <This message was edited>"
    assert _one(parse, line) == ("Noah", "", ExportKind.MEDIA, "00000030-PHOTO.jpg", True)


def test_markers_inside_a_sentence_are_just_text(parse: Parse) -> None:
    assert _one(parse, f"{ANDROID}Ana: escrevi <Mídia oculta> de propósito")[2] is ExportKind.TEXT
    assert _one(parse, f"{ANDROID}Ana: Mensagem apagada? não entendi")[2] is ExportKind.TEXT
    assert _one(parse, f"{ANDROID}Ana: :) (brincadeira)")[2] is ExportKind.TEXT


def test_a_forced_locale_reads_only_its_own_markers(parse: Parse) -> None:
    assert _one(parse, f"{ANDROID}Ana: <Media omitted>", locale="pt-BR")[2] is ExportKind.TEXT
    assert _one(parse, f"{ANDROID}Ana: <Mídia oculta>", locale="pt-BR")[2] is ExportKind.MEDIA


def test_bad_bytes_past_the_sniffed_head_are_replaced_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"03/10/2025 09:45 - Ana: ok\n" * 4000 + b"03/10/2025 09:46 - Ana: caf\xe9\n")
    with read_export(path) as reader:
        last = list(reader.messages())[-1]
        assert reader.stats.replaced_characters == 1
    assert last.text == "caf\ufffd"


def test_an_ios_group_whose_name_has_a_colon_still_signs_its_system_lines(parse: Parse) -> None:
    assert _one(parse, f"{IOS}Vendas: SP: {LRM}Ana added you")[:3] == (None, "Ana added you", ExportKind.SYSTEM)
    assert _one(parse, f"{IOS}Vendas: SP: {LRM}image omitted")[:3] == ("Vendas: SP", "", ExportKind.MEDIA)
