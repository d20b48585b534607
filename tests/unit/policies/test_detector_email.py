"""E-mail addresses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atalaia.policies.detectors.email import find_emails


def matches(find: Callable[[str], list[tuple[int, int]]], text: str) -> list[str]:
    return [text[start:end] for start, end in find(text)]


def test_it_finds_addresses_and_leaves_out_trailing_punctuation() -> None:
    text = "Mande para joao.silva+nf@empresa.com.br. Ou ANA@Gmail.COM, obrigado"
    assert matches(find_emails, text) == ["joao.silva+nf@empresa.com.br", "ANA@Gmail.COM"]


@pytest.mark.parametrize("text", ["a@b", "joao@empresa", "@empresa.com.br", "joao..silva@x.com", "joao@.com", "x@y.c"])
def test_it_ignores_what_is_not_an_address(text: str) -> None:
    assert find_emails(text) == []


def test_a_long_text_with_one_at_sign_stays_fast() -> None:
    find_emails("a" * 200_000 + "@")  # linear: would take minutes if the regex backtracked
