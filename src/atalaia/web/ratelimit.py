"""Sign-in throttling: after too many failures for one address and e-mail, wait.

In memory, per process: enough to stop online guessing against one server; a scaled install
puts a shared limiter in front (documented in docs/decisions/0004-web-access.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Final

MAX_FAILURES: Final = 10
WINDOW_SECONDS: Final = 15 * 60


class LoginThrottle:
    def __init__(self, *, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        self.max_failures, self.window = max_failures, window

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] < now - self.window:
            times.popleft()
        return times

    def locked(self, ip: str, email: str) -> bool:
        with self._lock:
            return len(self._recent((ip, email.lower()), time.monotonic())) >= self.max_failures

    def failed(self, ip: str, email: str) -> None:
        with self._lock:
            self._recent((ip, email.lower()), time.monotonic()).append(time.monotonic())

    def succeeded(self, ip: str, email: str) -> None:
        with self._lock:
            self._failures.pop((ip, email.lower()), None)
