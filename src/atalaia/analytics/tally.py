"""Response figures folded from customer turns: first response, every response, unanswered, per campaign.

Pure. `clock` measures a wait on a line — wall-clock seconds, or only business seconds when the
report asks for them — so both kinds of report share every definition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from atalaia.analytics.percentiles import summary
from atalaia.analytics.turns import Turn

Clock = Callable[[int, datetime, datetime], float]  # (line id, from, to) -> seconds waited


@dataclass(slots=True)
class ResponseTally:
    clock: Clock
    unanswered_after: float  # seconds
    first: list[float] = field(default_factory=list)
    every: list[float] = field(default_factory=list)
    by_campaign: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    openings: dict[str, int] = field(default_factory=lambda: {"customer": 0, "employee": 0})
    unanswered: int = 0  # customers still owed a reply, waiting longer than allowed
    spoke_last: int = 0  # customers who spoke last and waited longer, owed a reply or not ("Ok, obrigado!")

    def add_turn(self, turn: Turn) -> None:
        """A counted turn; one still without a reply adds no sample."""
        if turn.replied_at is None:
            return
        seconds = self.clock(turn.line_id, turn.started_at, turn.replied_at)
        self.every.append(seconds)
        if turn.opening:
            self.first.append(seconds)
        if turn.campaign is not None:
            self.by_campaign[turn.campaign].append(seconds)

    def add_openings(self, openings: dict[str, int]) -> None:
        for who, n in openings.items():
            self.openings[who] += n

    def add_waiting(self, line_id: int, since: datetime, *, owed: bool, as_of: datetime) -> None:
        """A chat whose customer spoke last: unanswered when still owed a reply and waiting longer than allowed."""
        if self.clock(line_id, since, as_of) > self.unanswered_after:
            self.spoke_last += 1
            self.unanswered += owed

    def first_response(self) -> dict[str, float | None]:
        return summary(self.first)

    def response(self) -> dict[str, float | None]:
        return summary(self.every)

    def campaign_first_response(self, key: str) -> dict[str, float | None]:
        return summary(self.by_campaign.get(key, ()))
