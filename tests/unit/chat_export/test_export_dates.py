"""Header layout and date order are decided from the whole file, never from one line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from atalaia.connectors.chat_export import read_export
from atalaia.connectors.chat_export.dates import DateOrder, LayoutSniffer, timestamp_reader
from tests.unit.chat_export.conftest import Parse


def _sniff(lines: list[str]) -> LayoutSniffer:
    sniffer = LayoutSniffer()
    for line in lines:
        sniffer.feed(line)
    return sniffer


def test_a_first_field_above_twelve_anywhere_proves_day_first(parse: Parse) -> None:
    lines = [f"0{d}/03/2024 10:00 - Ana: dia {d}" for d in range(1, 10)] + ["13/03/2024 10:00 - Ana: prova"]
    messages = parse("\n".join(lines) + "\n")
    assert messages[0].timestamp == datetime(2024, 3, 1, 10, 0)  # read day-first from the very start
    assert messages[-1].timestamp == datetime(2024, 3, 13, 10, 0)


def test_a_second_field_above_twelve_proves_month_first(parse: Parse) -> None:
    messages = parse("3/1/24, 10:00 - Ana: a\n3/14/24, 10:00 - Ana: b\n")
    assert [m.timestamp.date().isoformat() for m in messages] == ["2024-03-01", "2024-03-14"]


def test_an_undecided_file_follows_the_locale_hint(parse: Parse) -> None:
    text = "3/1/24, 10:00 - Ana: a\n3/2/24, 10:00 - Ana: b\n"
    assert parse(text, locale="en-US")[0].timestamp == datetime(2024, 3, 1, 10, 0)
    assert parse(text, locale="pt-BR")[0].timestamp == datetime(2024, 1, 3, 10, 0)


def test_an_undecided_file_without_hint_is_day_first_atalaia_is_brazil_first(parse: Parse) -> None:
    assert parse("12/9/20 10:00 - Ana: oi\n")[0].timestamp == datetime(2020, 9, 12, 10, 0)


def test_an_undecided_english_file_on_a_12_hour_clock_reads_as_a_us_phone(parse: Parse) -> None:
    text = "3/1/24, 10:00 AM - Ana: <Media omitted>\n3/2/24, 1:00 PM - Ana: This message was deleted\n"
    assert parse(text)[0].timestamp == datetime(2024, 3, 1, 10, 0)


def test_the_region_decides_not_the_language(parse: Parse) -> None:
    # A Portuguese phone set to a US region writes month first; the file proves it.
    text = "[3/18/22 14:56:00] Ana: \u200eimagem não revelada\r\n[3/2/22 10:00:00] Ana: Olá\r\n"
    messages = parse(text, locale="pt-PT")
    assert messages[0].timestamp == datetime(2022, 3, 18, 14, 56)
    assert messages[1].timestamp == datetime(2022, 3, 2, 10, 0)


def test_contradicting_lines_are_outvoted() -> None:
    lines = [f"{d}/03/2024 10:00 - Ana: x" for d in range(13, 29)] + ["03/14/2024 10:00 - Ana: colada"]
    sniffer = _sniff(lines)
    layout = sniffer.layout
    assert layout is not None
    assert sniffer.order(layout) is DateOrder.DMY


def test_year_first_dates_are_read_as_year_month_day(parse: Parse) -> None:
    messages = parse("[2018/06/13, 21:25:15] Ana: oi\r\n")
    assert messages[0].timestamp == datetime(2018, 6, 13, 21, 25, 15)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # One line proves no order, and "a: m" names no language: day first (3 June).
        ("3/6/18, 1:55\u202fPM - a: m", datetime(2018, 6, 3, 13, 55)),  # U+202F before PM
        ("3/6/18, 1:55 PM - a: m", datetime(2018, 6, 3, 13, 55)),
        ("3/6/18, 12:10 AM - a: m", datetime(2018, 6, 3, 0, 10)),
        ("3/6/18, 12:10 PM - a: m", datetime(2018, 6, 3, 12, 10)),
        ("3/6/2018 1:55 p.\u00a0m. - a: m", datetime(2018, 6, 3, 13, 55)),  # es-419, NBSP inside
        ("3/6/2018 9:05 a. m. - a: m", datetime(2018, 6, 3, 9, 5)),
        ("[3/6/18 1:55:07 p. m.] a: m", datetime(2018, 6, 3, 13, 55, 7)),
        ("\u200e[3/6/18 1:55:00 p. m.] a: m", datetime(2018, 6, 3, 13, 55)),
        ("13.06.18 21.25.15: a: m", datetime(2018, 6, 13, 21, 25, 15)),  # old iOS, dots
        ("13.6.2018 klo 21.25.15 - a: m", datetime(2018, 6, 13, 21, 25, 15)),  # Finnish
        ("[21:41:35, 27/3/22] a: m", datetime(2022, 3, 27, 21, 41, 35)),  # iOS Vietnamese, time first
        ("18-03-2022 14:56 - a: m", datetime(2022, 3, 18, 14, 56)),  # nl
        ("06.08.2016, 13:23 - a: m", datetime(2016, 8, 6, 13, 23)),  # de
        ("18.03.22 14:56 - a: m", datetime(2022, 3, 18, 14, 56)),  # cs
        ("[\u200f18\u200f/3\u200f/2022\u060c 14:56:01] a: m", datetime(2022, 3, 18, 14, 56, 1)),  # Arabic marks
    ],
)
def test_it_reads_every_known_header_layout(parse: Parse, header: str, expected: datetime) -> None:
    messages = parse(header + "\n")
    assert [(m.timestamp, m.author, m.text) for m in messages] == [(expected, "a", "m")]


def test_timestamps_always_carry_seconds_in_json(parse: Parse) -> None:
    assert parse("03/10/2025 09:45 - Ana: oi\n")[0].as_json()["timestamp"] == "2025-10-03T09:45:00"


def test_two_and_four_digit_years_both_mean_this_century(parse: Parse) -> None:
    assert parse("18/03/22, 14:56 - Ana: oi\n")[0].timestamp.year == 2022
    assert parse("18/03/2022, 14:56 - Ana: oi\n")[0].timestamp.year == 2022


def test_the_reader_refuses_impossible_dates_and_times() -> None:
    sniffer = _sniff(["31/12/2024 23:59 - Ana: oi"])
    layout = sniffer.layout
    assert layout is not None
    read = timestamp_reader(layout, DateOrder.DMY)
    pattern = layout.compile()

    def groups(line: str) -> tuple[str, ...]:
        found = pattern.match(line)
        assert found is not None
        return found.groups()

    assert read(groups("31/12/2024 23:59 - x")) == datetime(2024, 12, 31, 23, 59)
    assert read(groups("31/02/2024 10:00 - x")) is None
    assert read(groups("13/13/2024 10:00 - x")) is None
    assert read(groups("12/12/2024 24:00 - x")) is None
    assert read(groups("12/12/2024 10:61 - x")) is None


def test_the_layout_is_the_most_common_one_in_the_file() -> None:
    lines = [f"{d}/03/2024 10:00 - Ana: x" for d in range(13, 29)] + ["[13/03/2024, 10:00:00] Bob: colado"]
    sniffer = _sniff(lines)
    layout = sniffer.layout
    assert layout is not None
    assert not layout.bracket
    assert layout.terminator == "-"


def test_the_format_says_how_the_order_was_decided(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("03/10/2025 09:45 - Ana: oi\n", encoding="utf-8")
    with read_export(path) as reader:
        assert reader.format.order_source == "default"
        assert reader.format.describe().startswith("Android")
    path.write_text("13/10/2025 09:45 - Ana: oi\n", encoding="utf-8")
    with read_export(path, locale="en-US") as reader:
        assert reader.format.order_source == "file"  # the file wins over the hint
