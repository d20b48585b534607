"""The window of matched text a search hit shows: offsets that still point at the matches once cut."""

from __future__ import annotations

from atalaia.services.archive_search import snippet_window


def marked(text: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_a_short_text_is_shown_whole_with_its_matches() -> None:
    text = "Segue a proposta: 10% de desconto"

    shown, spans = snippet_window(text, [(8, 16), (18, 20)])

    assert shown == text
    assert marked(shown, spans) == ["proposta", "10"]


def test_a_long_text_is_cut_around_the_first_match_at_a_word_boundary() -> None:
    text = ("palavra " * 30) + "a proposta final " + ("depois " * 40)
    start = text.index("proposta")

    shown, spans = snippet_window(text, [(start, start + 8)], width=80, lead=20)

    assert shown.startswith("…palavra")
    assert shown.endswith("…")
    assert marked(shown, spans) == ["proposta"]
    assert len(shown) <= 82


def test_whitespace_is_collapsed_without_moving_the_offsets() -> None:
    text = "linha um\n\n   reunião   de\tvendas\r\nfim"
    start, end = text.index("reunião"), text.index("vendas") + len("vendas")

    shown, spans = snippet_window(text, [(start, end)])

    assert shown == "linha um reunião de vendas fim"
    assert marked(shown, spans) == ["reunião de vendas"]


def test_matches_outside_the_window_are_left_out_and_no_match_shows_the_start() -> None:
    text = "proposta " + "x " * 200 + "proposta"

    shown, spans = snippet_window(text, [(0, 8), (len(text) - 8, len(text))], width=40)
    plain, none = snippet_window("  só texto  ", [])

    assert marked(shown, spans) == ["proposta"]
    assert (plain, none) == ("só texto", ())


def test_a_match_longer_than_the_window_is_kept_whole() -> None:
    text = "início " + "palavra" * 50

    shown, spans = snippet_window(text, [(7, len(text))], width=20, lead=5)

    assert marked(shown, spans) == ["palavra" * 50]
