"""Lines become messages: continuations join with \\n, header look-alikes stay, bounds hold."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from atalaia.connectors.chat_export import LineLimits, read_export
from tests.unit.chat_export.conftest import Parse


def test_continuation_lines_join_with_newlines_and_keep_blank_lines(parse: Parse) -> None:
    messages = parse("03/10/2025 09:45 - Ana: How are you?\n\nIs everything alright?\n03/10/2025 09:46 - Bob: yes\n")
    assert [m.text for m in messages] == ["How are you?\n\nIs everything alright?", "yes"]


def test_lines_that_only_look_like_headers_stay_inside_their_message(parse: Parse) -> None:
    text = (
        "13/10/2025 10:00 - Ana: colando o que recebi:\n"
        "[03/10/2025, 09:45:12] Cliente: de um iPhone\n"  # another layout
        "3/10/25, 9:45 - Cliente: de um Android em inglês\n"  # 2-digit year, comma
        "31/02/2025 09:45 - Cliente: data impossível\n"  # this layout, impossible date
        "14/10/2025 10:00 - Bob: ok\n"
    )
    messages = parse(text)
    assert len(messages) == 2
    assert messages[0].text.count("\n") == 3
    assert "31/02/2025 09:45 - Cliente: data impossível" in messages[0].text


def test_crlf_and_lone_cr_become_plain_newlines(parse: Parse) -> None:
    messages = parse(b"[01/03/2024, 14:05:00] Ana: linha 1\r\nlinha 2\r\n[01/03/2024, 14:06:00] Ana: fim\r\n")
    assert [m.text for m in messages] == ["linha 1\nlinha 2", "fim"]


def test_a_bom_on_the_first_line_is_not_part_of_the_header(parse: Parse) -> None:
    messages = parse("\ufeff23/03/2022, 13:31 - Dmitry S: Hello\n".encode())
    assert messages[0].author == "Dmitry S"
    assert messages[0].timestamp == datetime(2022, 3, 23, 13, 31)


def test_a_file_without_final_newline_keeps_its_last_message(parse: Parse) -> None:
    assert parse("03/10/2025 09:45 - Ana: oi\n03/10/2025 09:46 - Ana: tchau")[-1].text == "tchau"


def test_lines_before_the_first_header_are_counted_not_attached(tmp_path: Path) -> None:
    path = tmp_path / "pre.txt"
    path.write_text("lixo antes\n03/10/2025 09:45 - Ana: oi\n", encoding="utf-8")
    with read_export(path) as reader:
        messages = list(reader.messages())
        assert reader.stats.preamble_lines == 1
        assert reader.stats.messages == 1
    assert messages[0].text == "oi"


def test_a_huge_single_line_is_cut_at_the_bound_and_flagged(parse: Parse) -> None:
    limits = LineLimits(max_line_chars=1_000, max_message_chars=1_000)
    text = "03/10/2025 09:45 - Ana: " + "x" * 50_000 + "\n03/10/2025 09:46 - Bob: depois\n"
    messages = parse(text, line_limits=limits)
    assert [m.author for m in messages] == ["Ana", "Bob"]
    assert messages[0].truncated
    assert len(messages[0].text) < 1_000
    assert not messages[1].truncated
    assert messages[1].as_json().get("truncated") is None


def test_a_message_stops_growing_at_its_bound(parse: Parse) -> None:
    limits = LineLimits(max_line_chars=100, max_message_chars=500)
    text = "03/10/2025 09:45 - Ana: início\n" + "linha de continuação\n" * 200 + "03/10/2025 09:46 - Bob: fim\n"
    first, second = parse(text, line_limits=limits)
    assert first.truncated
    assert first.as_json()["truncated"] is True
    assert len(first.text) <= 500
    assert second.text == "fim"


def test_a_ten_megabyte_line_does_not_blow_up(parse: Parse) -> None:
    text = "03/10/2025 09:45 - Ana: " + "y" * (10 << 20) + "\n03/10/2025 09:46 - Bob: ok\n"
    messages = parse(text)
    assert messages[0].truncated
    assert len(messages[0].text) <= 1 << 20
    assert messages[1].text == "ok"


def test_header_line_numbers_are_kept_for_diagnostics(parse: Parse) -> None:
    messages = parse("03/10/2025 09:45 - Ana: a\nb\nc\n03/10/2025 09:46 - Bob: d\n")
    assert [m.line for m in messages] == [1, 4]
