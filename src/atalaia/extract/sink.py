"""Where extractors put text: it stops taking at the character cap and knows the deadline.

Extractors read page by page (or row by row) and ask `full` and `expired` between pieces, so a
long document stops early instead of being read whole only to be cut afterwards.
"""

from __future__ import annotations

import time

from atalaia.extract.limits import Limits


class TextSink:
    def __init__(self, limits: Limits, *, started: float | None = None) -> None:
        self.limits = limits
        self.deadline = (time.monotonic() if started is None else started) + limits.seconds
        self._parts: list[str] = []
        self._size = 0
        self.truncated = False
        self.note: str | None = None  # why extraction stopped early

    def add(self, text: str) -> bool:
        """Append a piece (a page, a paragraph, a row); False once the cap is reached."""
        if self.full:
            return False
        if text:
            room = self.limits.max_chars - self._size
            if len(text) > room:
                text = text[:room]
                self.stop(f"cut at {self.limits.max_chars} characters")
            self._parts.append(text)
            self._size += len(text)
        return not self.full

    @property
    def full(self) -> bool:
        return self._size >= self.limits.max_chars

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def stop(self, note: str) -> None:
        """Record that not everything was read, and why (the first reason wins)."""
        self.truncated = True
        self.explain(note)

    def explain(self, note: str) -> None:
        """Say why the text is what it is (empty on purpose, say) without marking it cut."""
        self.note = self.note or note

    @property
    def text(self) -> str:
        return "".join(self._parts)
