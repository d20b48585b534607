"""CNPJ: numeric and the alphanumeric form of 2026 (value of a character = ord(c) - 48)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.cnpj import find_cnpj, is_valid_cnpj


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "CNPJ 11.222.333/0001-81",
        "cnpj 11222333000181",
        "fornecedor 12.ABC.345/01DE-35",  # the Receita's own alphanumeric example
        "fornecedor 12ABC34501DE35",
        "(11.222.333/0001-81)",
    ],
)
def test_it_finds_numeric_and_alphanumeric_cnpjs(text: str) -> None:
    assert len(matches(find_cnpj, text)) == 1


def test_the_alphanumeric_check_digits_use_ord_minus_48() -> None:
    assert is_valid_cnpj("12ABC34501DE35")
    assert not is_valid_cnpj("12ABC34501DE36")
    assert not is_valid_cnpj("12ABC34501DE3A")  # check digits are always numeric
    assert not is_valid_cnpj("12abc34501de35")  # letters are issued in upper case


@pytest.mark.parametrize(
    "text",
    [
        "11.222.333/0001-82",  # wrong check digit
        "00.000.000/0000-00",  # repeated
        "911222333000181",  # inside a longer number
        "11222333000181X",  # inside an alphanumeric run
        "A12ABC34501DE35",
        "11.222.333/0001-81/2",
        "12.abc.345/01de-35",
    ],
)
def test_it_ignores_invalid_or_embedded_cnpjs(text: str) -> None:
    assert find_cnpj(text) == []


def test_offsets() -> None:
    text = "CNPJ: 12.ABC.345/01DE-35 ok"
    assert find_cnpj(text) == [(6, 24)]
