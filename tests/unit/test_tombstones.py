"""Tombstone arithmetic: the digest a purge or erasure is chained with, and following erasures."""

from __future__ import annotations

from dataclasses import dataclass

from atalaia.archive.tombstones import Entry, digest, fold


@dataclass
class Row:
    batch_type: str
    content_hash: str
    new_hash: str | None = None


ENTRIES = [Entry("message", 2, "a" * 64), Entry("attachment", 9, "b" * 64), Entry("message", 1, "c" * 64, "d" * 64)]


def test_the_digest_ignores_reading_order_but_not_content() -> None:
    assert digest(ENTRIES) == digest(list(reversed(ENTRIES)))
    assert digest(ENTRIES) != digest(ENTRIES[:2])
    assert digest(ENTRIES) != digest([*ENTRIES[:2], Entry("message", 1, "c" * 64, "e" * 64)])


def test_fold_follows_erasures_in_order_and_stops_at_a_purge() -> None:
    erased_twice = [Row("erasure", "h0", "h1"), Row("erasure", "h1", "h2")]
    assert fold("h0", erased_twice) == ("h2", False)
    assert fold("h0", [*erased_twice, Row("purge", "h2")]) == ("h2", True)


def test_fold_ignores_tombstones_of_other_content() -> None:
    # A tombstone for another record that reused the id (SQLite) names other content.
    assert fold("h0", [Row("purge", "zz"), Row("erasure", "yy", "h9")]) == ("h0", False)
