"""What may leave the archive of a hit: masked personal data, a short excerpt, never the number itself."""

from __future__ import annotations

import pytest

from atalaia.policies.redact import EXCERPT_CHARS, excerpt, redact_match, redact_text


@pytest.mark.parametrize(
    ("detector", "match", "shown"),
    [
        ("cpf", "529.982.247-25", "***.982.247-**"),
        ("cpf", "52998224725", "***982247**"),
        ("cnpj", "11.222.333/0001-81", "**.222.333/****-**"),
        ("cnpj", "12.ABC.345/01DE-35", "**.ABC.345/****-**"),
        ("credit_card", "5555 5555 5555 4444", "**** **** **** 4444"),
        ("phone", "(21) 98888-7777", "(**) *****-7777"),
        ("email", "maria.souza@gmail.com", "m**********@gmail.com"),
        ("pix_key", "123e4567-e89b-42d3-a456-426614174000", "123e****-****-****-****-************"),
        ("pix_key", "529.982.247-25", "***.982.247-**"),
        ("pix_key", "+5521988887777", "+*********7777"),
        ("bank_account", "ag 1234 cc 56789-0", "ag **** cc ****9-0"),
        ("keywords", "propina", "propina"),
        ("file_type", "relatorio_cpf_52998224725.xlsx", "relatorio_cpf_***982247**.xlsx"),
    ],
)
def test_each_detector_has_its_display_form(detector: str, match: str, shown: str) -> None:
    assert redact_match(detector, match) == shown


def test_every_personal_datum_in_a_text_is_masked_in_place() -> None:
    text = "CPF 529.982.247-25, cartão 4111 1111 1111 1111, e-mail maria@exemplo.com.br. Obrigada!"
    assert redact_text(text) == "CPF ***.982.247-**, cartão **** **** **** 1111, e-mail m****@exemplo.com.br. Obrigada!"


def test_an_excerpt_is_short_on_one_line_and_masked() -> None:
    text = "bom dia\n" * 40 + "o CPF é 529.982.247-25 ok\n" + "até logo\n" * 40
    start = text.index("529")
    shown = excerpt(text, start=start, end=start + 14)
    assert "\n" not in shown
    assert shown.startswith("…")
    assert shown.endswith("…")
    assert "***.982.247-**" in shown
    assert "529.982.247-25" not in shown
    assert len(shown) <= EXCERPT_CHARS + 2


def test_a_number_cut_at_the_excerpts_edge_is_still_masked() -> None:
    text = "x" * 200 + " 529.982.247-25"
    shown = excerpt(text, start=150, end=155, width=60)
    assert "529" not in shown


def test_a_long_keyword_or_regex_match_is_clipped() -> None:
    assert len(redact_match("regex", "a" * 500)) == 80
