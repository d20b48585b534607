"""PIX keys: random keys anywhere, document and contact keys only near "pix" or "chave"."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.pix_key import find_pix_keys


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


def test_a_random_key_is_found_anywhere() -> None:
    text = "segue 123e4567-e89b-42d3-a456-426614174000 ok"
    assert matches(find_pix_keys, text) == ["123e4567-e89b-42d3-a456-426614174000"]


def test_an_upper_case_random_key_counts_too() -> None:
    assert len(find_pix_keys("CHAVE 123E4567-E89B-42D3-A456-426614174000")) == 1


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("minha chave pix é o cpf 123.456.789-09", "123.456.789-09"),
        ("PIX: financeiro@empresa.com.br", "financeiro@empresa.com.br"),
        ("faz um Pix pro (21) 99999-8888", "(21) 99999-8888"),
        ("chave: 11.222.333/0001-81", "11.222.333/0001-81"),
    ],
)
def test_documents_and_contacts_near_a_pix_word_are_keys(text: str, key: str) -> None:
    assert matches(find_pix_keys, text) == [key]


@pytest.mark.parametrize(
    "text",
    [
        "meu cpf é 123.456.789-09",  # a CPF, but nothing says it is a PIX key
        "pixel art 123.456.789-09",  # "pixel" is not "pix"
        "123e4567-e89b-42d3-a456-42661417400",  # one hex digit short
        "x123e4567-e89b-42d3-a456-426614174000",  # inside a longer run
    ],
)
def test_it_ignores_what_is_not_a_key(text: str) -> None:
    assert find_pix_keys(text) == []


def test_a_key_far_from_the_word_is_not_a_key() -> None:
    text = "pix " + "blá " * 30 + "123.456.789-09"
    assert find_pix_keys(text) == []
