"""Cards: Luhn plus a known brand, including Mastercard's 2-series and the Brazilian brands."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.credit_card import card_brand, find_credit_cards, luhn_ok


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", "visa"),
        ("5555555555554444", "mastercard"),
        ("2221000000000009", "mastercard"),  # 2-series, which older detectors miss
        ("2720990000000007", "mastercard"),
        ("378282246310005", "amex"),
        ("6362970000457013", "elo"),
        ("6062825624254001", "hipercard"),
        ("30569309025904", "diners"),
        ("6011111111111117", "discover"),
        ("3530111333300000", "jcb"),
    ],
)
def test_it_knows_every_brand(number: str, brand: str) -> None:
    assert luhn_ok(number)
    assert card_brand(number) == brand
    assert matches(find_credit_cards, f"cartão {number} ok") == [number]


@pytest.mark.parametrize(
    "text",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111", "3782 822463 10005"],
)
def test_it_finds_grouped_writings(text: str) -> None:
    assert matches(find_credit_cards, f"o cartão é {text}, validade 12/29") == [text]


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn fails
        "0000000000000000",  # Luhn passes, no brand
        "9111111111111111111",
        "14111111111111111",  # inside a longer number
        "4111 1111 1111 1111 2222",  # five groups: not a card
        "4111 11111 111 1111",  # irregular groups
        "pedido 301865077134494",  # 15 digits: no Diners card is that long
    ],
)
def test_it_ignores_what_is_not_a_card(text: str) -> None:
    assert find_credit_cards(text) == []
