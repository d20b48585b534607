"""The chain arithmetic: canonical bytes, record and link hashes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from atalaia.domain.chain import GENESIS_HASH, canonical_json, link_hash, record_hash


def test_canonical_json_is_key_order_independent_and_ascii() -> None:
    when = datetime(2024, 3, 1, 14, 5, tzinfo=UTC)
    a = {"text": "ação", "at": when, "raw": {"b": 1, "a": [1, 2]}, "key": b"\x01\xff"}
    b = {"raw": {"a": [1, 2], "b": 1}, "key": b"\x01\xff", "at": when, "text": "ação"}

    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a) == (
        b'{"at":"2024-03-01T14:05:00+00:00","key":"01ff","raw":{"a":[1,2],"b":1},"text":"a\\u00e7\\u00e3o"}'
    )


def test_any_change_changes_the_record_hash() -> None:
    base = {"id": 1, "text": "bom dia", "forwarded": False}
    assert record_hash(base) != record_hash({**base, "text": "bom dia!"})
    assert record_hash(base) != record_hash({**base, "forwarded": None})


def test_lone_surrogates_from_hostile_json_still_hash() -> None:
    assert len(record_hash({"raw": {"body": "\ud800"}})) == 64


def test_unknown_types_are_refused_rather_than_hashed_loosely() -> None:
    with pytest.raises(TypeError):
        record_hash({"x": object()})


def test_links_depend_on_their_predecessor() -> None:
    first = link_hash(prev_hash=GENESIS_HASH, record_type="message", record_id=1, content_hash="a" * 64)
    other = link_hash(prev_hash="f" * 64, record_type="message", record_id=1, content_hash="a" * 64)
    assert first != other
