"""Bank branch and account numbers, only where a label or a bank's name introduces them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.bank_account import find_bank_accounts


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Itaú ag 1234 cc 12345-6", ["1234", "12345-6"]),
        ("Agência: 0001-9, Conta Corrente nº 98765-X", ["0001-9", "98765-X"]),
        ("ag. 3456 c/c 0012345-7", ["3456", "0012345-7"]),
        ("poupança 123456", ["123456"]),
        ("Bradesco 1234/56789-0", ["1234", "56789-0"]),
    ],
)
def test_it_finds_labelled_numbers(text: str, numbers: list[str]) -> None:
    assert matches(find_bank_accounts, text) == numbers


@pytest.mark.parametrize(
    "text",
    [
        "a conta deu 150 reais",  # a bill, not an account
        "conta 1500",  # too short without a check digit
        "12345-6",  # no label
        "pagamento 1234",  # "ag" inside a word is not a label
        "1234/56789-0",  # a pair, but no bank named
        "em agosto 2024",
    ],
)
def test_it_needs_a_label_or_a_bank(text: str) -> None:
    assert find_bank_accounts(text) == []
