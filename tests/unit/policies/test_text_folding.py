"""Folding keeps offsets: every match maps back to the exact characters of the original."""

from __future__ import annotations

import pytest

from atalaia.policies.detectors._evasion import evasion_view
from atalaia.policies.detectors._text import fold, fold_term, fold_text


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ação PROPÍNA Não", "acao propina nao"),
        ("Ünïcödé ÇÃÕ", "unicode cao"),
        ("tab\there\nnew", "tab here new"),
        ("Straße", "straße"),
        ("ﬁ", "ﬁ"),
    ],
)
def test_fold_text_is_lower_case_accent_free_and_same_length(text: str, folded: str) -> None:
    assert fold_text(text, exact=True) == folded
    assert len(fold_text(text)) == len(text)


def test_emoji_become_a_placeholder_on_the_fast_path_and_stay_on_the_exact_one() -> None:
    assert fold_text("ok 👍 Já") == "ok \x1a ja"
    assert fold_text("ok 👍 Já", exact=True) == "ok 👍 ja"


def test_deleted_characters_keep_offsets_right() -> None:
    text = "pro\u200bpi\u0301na  e  caixa"  # zero-width space, combining accent, double spaces
    view = fold(text)
    assert view.text == "propina e caixa"
    start = view.text.index("propina")
    assert view.to_original(start, start + 7) == (0, 9)
    start = view.text.index("caixa")
    assert text[slice(*view.to_original(start, start + 5))] == "caixa"


def test_greek_letters_take_the_exact_path() -> None:
    assert fold("ΑΒΓ propina").text == "αβγ propina"


def test_terms_are_folded_and_their_spaces_squeezed() -> None:
    assert fold_term("  Caixa   DOIS ") == "caixa dois"


def test_the_evasion_view_maps_back_to_the_original() -> None:
    text = "é P.R.0.P.1.N.A!"
    view = evasion_view(fold(text))
    assert "propina" in view.text
    start = view.text.index("propina")
    assert text[slice(*view.to_original(start, start + 7))] == "P.R.0.P.1.N.A"
