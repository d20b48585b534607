"""Brazilian phone numbers, formatted or not, checked against the numbering plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.phone import find_phones, national_number


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "+55 (21) 99999-8888",
        "+55 21 99999-8888",
        "+5521999998888",
        "5521999998888",
        "(21) 99999-8888",
        "21 99999-8888",
        "21 9 9999-8888",
        "(21)99999-8888",
        "21999998888",
        "(21) 3333-4444",  # landline
        "(021) 3333-4444",  # with the old trunk 0
        "11 98765.4321",
    ],
)
def test_it_finds_brazilian_numbers(text: str) -> None:
    assert matches(find_phones, f"me liga no {text} amanhã") == [text]


@pytest.mark.parametrize(
    "text",
    [
        "99999-8888",  # no area code
        "(20) 99999-8888",  # 20 is not an area code
        "(21) 1234-5678",  # landlines start with 2-5
        "+1 415 555 0100",  # not Brazilian
        "121999998888",  # inside a longer number
        "021999998888x",
        "08930666213",  # a trunk 0 glued to a bare number
        "12/03/2024 14:30",
    ],
)
def test_it_ignores_what_is_not_a_brazilian_phone(text: str) -> None:
    assert find_phones(text) == []


def test_an_eleven_digit_number_that_is_a_valid_cpf_needs_a_phone_word() -> None:
    cpf_like = "45974426509"  # a valid CPF, and also a valid São Paulo-area mobile shape
    assert find_phones(f"segue {cpf_like}") == []
    assert matches(find_phones, f"whats {cpf_like}") == [cpf_like]


def test_two_numbers_separated_by_a_slash_are_two_phones() -> None:
    text = "(21) 99999-8888 / (21) 3333-4444"
    assert matches(find_phones, text) == ["(21) 99999-8888", "(21) 3333-4444"]


def test_the_national_number_drops_country_code_and_trunk() -> None:
    assert national_number("5521999998888") == "21999998888"
    assert national_number("02133334444") == "2133334444"
    assert national_number("123") is None
