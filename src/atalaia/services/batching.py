"""A micro-batcher: one thread runs `process` on everything submitted while it was busy.

Why: archiving costs mostly per transaction and per statement, not per message, so a hundred
webhooks archived together cost little more than one. Under load the queue fills while a batch
is being written and the next batch is larger; when idle a batch is a single item and waits for
nothing. Each caller gets its own result (or the batch's exception) through a Future.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
DEFAULT_MAX_ITEMS: Final = 200


@dataclass(slots=True)
class _Pending(Generic[Item, Result]):
    item: Item
    future: Future[Result]


class BatcherClosed(RuntimeError):
    """Submitted after `close()`: the server is shutting down."""


class MicroBatcher(Generic[Item, Result]):
    """Feed `process` lists of up to `max_items` items; it must return one result per item, in order."""

    def __init__(
        self,
        process: Callable[[Sequence[Item]], Sequence[Result]],
        *,
        name: str,
        max_items: int = DEFAULT_MAX_ITEMS,
        linger: float = 0.0,
    ) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self._process = process
        self._name = name
        self._max_items = max_items
        self._linger = linger  # seconds a batch waits for company after its first item
        self._queue: queue.SimpleQueue[_Pending[Item, Result] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, item: Item) -> Future[Result]:
        """Queue one item; the Future resolves when its batch has been processed."""
        future: Future[Result] = Future()
        with self._lock:
            if self._closed:
                raise BatcherClosed(f"{self._name} is closed")
            if self._thread is None:  # started on first use, so building an app starts no thread
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put(_Pending(item, future))
        return future

    def close(self, timeout: float = 30.0) -> None:
        """Finish what was submitted, then stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            deadline = time.monotonic() + self._linger
            while len(batch) < self._max_items:
                try:
                    more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._run_batch(batch)
            if stop:
                return

    def _run_batch(self, batch: list[_Pending[Item, Result]]) -> None:
        try:
            results = self._process([pending.item for pending in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{self._name}: {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # every waiting caller hears of it; the thread carries on
            log.exception("%s: batch of %s failed", self._name, len(batch))
            for pending in batch:
                pending.future.set_exception(exc)
            return
        for pending, result in zip(batch, results, strict=True):
            pending.future.set_result(result)
