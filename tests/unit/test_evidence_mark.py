"""Marking a hit's span inside hostile, possibly huge message text: plain parts only, bounded."""

from __future__ import annotations

from atalaia.services.compliance.evidence import ELLIPSIS, MAX_MARK, RADIUS, Part, mark


def test_a_span_is_marked_with_the_text_around_it() -> None:
    assert mark("CPF 529.982.247-25 ok", [(4, 18)]) == [Part("CPF "), Part("529.982.247-25", marked=True), Part(" ok")]


def test_overlapping_spans_merge_and_invalid_ones_are_ignored() -> None:
    parts = mark("abcdefghij", [(2, 5), (4, 7), (9, 20), (3, 3), (-1, 2)])
    assert parts == [Part("ab"), Part("cdefg", marked=True), Part("hij")]


def test_far_off_text_is_elided_on_both_sides_and_between_spans() -> None:
    text = "a" * 1000 + "X" + "b" * 1000 + "Y" + "c" * 1000
    parts = mark(text, [(1000, 1001), (2001, 2002)])

    assert [p.text for p in parts if p.marked] == ["X", "Y"]
    assert sum(len(p.text) for p in parts) <= 4 * RADIUS + 2 + 3 * len(ELLIPSIS)
    assert [p.text for p in parts].count(ELLIPSIS) == 3


def test_a_huge_match_is_cut() -> None:
    [marked] = [p for p in mark("z" * 5000, [(0, 5000)]) if p.marked]
    assert len(marked.text) == MAX_MARK + len(ELLIPSIS)


def test_without_a_valid_span_the_text_is_shown_bounded_and_unmarked() -> None:
    parts = mark("<script>alert(1)</script>" + "x" * 2000, [(5000, 5001)])
    assert not any(p.marked for p in parts)
    assert parts[0].text.startswith("<script>")  # plain data: the template escapes it
    assert parts[-1] == Part(ELLIPSIS)
