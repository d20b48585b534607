"""MicroBatcher: concurrent submissions share a batch, each caller gets its own result or the error."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from atalaia.services.batching import BatcherClosed, MicroBatcher


def test_items_submitted_while_a_batch_runs_form_the_next_batch() -> None:
    release = threading.Event()
    batches: list[list[int]] = []

    def process(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        if len(batches) == 1:
            release.wait(5)  # hold the first batch while the others queue up
        return [item * 10 for item in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(process, name="test", max_items=3)
    first = batcher.submit(1)
    while not batches:
        threading.Event().wait(0.01)
    later = [batcher.submit(n) for n in (2, 3, 4, 5)]
    release.set()
    assert first.result(5) == 10
    assert [f.result(5) for f in later] == [20, 30, 40, 50]
    assert batches == [[1], [2, 3, 4], [5]]  # max_items bounds a batch
    batcher.close()


def test_a_failing_batch_fails_each_of_its_callers_and_the_thread_goes_on() -> None:
    def process(items: Sequence[str]) -> list[str]:
        if "boom" in items:
            raise ValueError("boom")
        return [item.upper() for item in items]

    batcher: MicroBatcher[str, str] = MicroBatcher(process, name="test")
    with pytest.raises(ValueError, match="boom"):
        batcher.submit("boom").result(5)
    assert batcher.submit("ok").result(5) == "OK"
    batcher.close()


def test_a_wrong_number_of_results_is_an_error_not_a_mismatch() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: [], name="test")
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        batcher.submit(1).result(5)
    batcher.close()


def test_close_finishes_what_was_queued_and_refuses_more() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: [i + 1 for i in items], name="test")
    pending = [batcher.submit(n) for n in range(50)]
    batcher.close()
    assert [f.result(5) for f in pending] == list(range(1, 51))
    with pytest.raises(BatcherClosed):
        batcher.submit(1)
