"""CPF: check digits, both writings, and never a piece of something longer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.cpf import find_cpf, is_valid_cpf


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "meu cpf é 123.456.789-09",
        "cpf: 12345678909",
        "123456789-09 segue",
        "CPF 123.456.789.09",
        "_123.456.789-09_",  # WhatsApp italics
        "(123.456.789-09)",
    ],
)
def test_it_finds_a_cpf_written_in_any_usual_way(text: str) -> None:
    assert len(matches(find_cpf, text)) == 1


def test_it_reports_offsets_in_the_original_text() -> None:
    text = "Olá, meu CPF é 123.456.789-09."
    assert find_cpf(text) == [(15, 29)]


@pytest.mark.parametrize(
    "text",
    [
        "123.456.789-08",  # wrong check digit
        "123.456.789-19",
        "111.111.111-11",  # passes the sums, but repeated digits are not CPFs
        "00000000000",
        "9123.456.789-09",  # inside a longer number
        "123.456.789-091",
        "1123456789091",
        "x12345678909",  # inside an alphanumeric run
        "12345678909abc",
        "1.123.456.789-09",
        "123.456.789-09.5",
        "3455 365092 00694",  # a card number in groups must not hide a CPF
        "123 456 789 09",  # spaces make it a list of numbers, not a CPF
    ],
)
def test_it_ignores_invalid_or_embedded_numbers(text: str) -> None:
    assert find_cpf(text) == []


def test_it_finds_two_cpfs_separated_by_a_space() -> None:
    assert matches(find_cpf, "cpfs 123.456.789-09 529.982.247-25") == ["123.456.789-09", "529.982.247-25"]


def test_check_digits() -> None:
    assert is_valid_cpf("52998224725")
    assert not is_valid_cpf("52998224726")
    assert not is_valid_cpf("5299822472")
    assert not is_valid_cpf("22222222222")
