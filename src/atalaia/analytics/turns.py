"""Customer turns in one-to-one chats: who opened each exchange, and how long the customer waited.

Pure: fed one chat's messages in send order, it says which messages open an exchange and closes
each customer turn at the line's reply. The definitions (docs/decisions/0013-analytics-metrics.md):

- A customer turn begins with an inbound message when nobody at the line owes a reply; further
  inbound messages join it. The next outbound message is its reply.
- A message opens an exchange when no customer turn is waiting and the chat was silent for at
  least the session gap (24 h by default), or it is the chat's first message. A reply never
  opens one; a customer's "??" on an unanswered turn does not either.
- A turn that opened an exchange is owed a reply however late it comes (the first response).
  A later turn ("Ok, obrigado!") lapses when the chat then stays silent for the session gap:
  the exchange ended on the customer's word, and a message days later is a new exchange, not
  a reply that took days.
- A turn counts for a report when its first message is in the report's period and scope, even
  when the reply comes after the period: the wait belongs to the moment the customer wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from atalaia.domain.enums import Direction

InScope = Callable[[int, datetime], bool]  # (line id, moment) -> counted by this report
INBOUND = Direction.INBOUND.value


@dataclass(frozen=True, slots=True)
class ChatMessage:
    message_id: int
    line_id: int
    direction: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Turn:
    """A counted customer turn; `replied_at` None while the line has not answered."""

    conversation_id: int
    line_id: int
    started_at: datetime
    opening: bool  # its first message opened an exchange: the first response of that exchange
    campaign: str | None
    replied_at: datetime | None
    last_at: datetime | None = None  # the customer's last message in it

    def replied(self, at: datetime, *, gap: timedelta) -> Turn | None:
        """This turn answered at `at`, or None when it had lapsed by then."""
        if not self.opening and self.last_at is not None and at - self.last_at >= gap:
            return None
        return replace(self, replied_at=at)


@dataclass(frozen=True, slots=True)
class Prior:
    """What came before the period in a chat: its last message, and the start of a turn still waiting."""

    last_at: datetime | None = None
    waiting_since: datetime | None = None
    waiting_opened: bool = False  # the waiting turn opened an exchange


class ChatWalk:
    """One chat, message by message. `closed` collects counted turns as their replies arrive."""

    def __init__(
        self, conversation_id: int, *, gap: timedelta, in_scope: InScope, campaigns: Mapping[int, str], prior: Prior
    ) -> None:
        self.conversation_id = conversation_id
        self._gap = gap
        self._in_scope = in_scope
        self._campaigns = campaigns
        self._last_at = prior.last_at
        self._turn_start = prior.waiting_since
        self._line = 0  # a chat lives on one line; known from its first message
        self._turn_counted = False  # a turn from before the period belongs to an earlier report
        self._turn_opening = prior.waiting_opened
        self._turn_campaign: str | None = None
        self._last_inbound_counted = False
        self.openings = {"customer": 0, "employee": 0}
        self.closed: list[Turn] = []

    def feed(self, message: ChatMessage) -> None:
        self._line = message.line_id
        counted = self._in_scope(message.line_id, message.sent_at)
        silent = self._last_at is None or message.sent_at - self._last_at >= self._gap
        if silent and not self._turn_opening:
            self._turn_start = None  # a later turn lapses when the chat falls silent
        waiting = self._turn_start is not None
        opens = not waiting and silent
        if message.direction == INBOUND:
            if opens and counted:
                self.openings["customer"] += 1
            if not waiting:
                self._turn_start = message.sent_at
                self._turn_counted, self._turn_opening, self._turn_campaign = counted, opens, None
            campaign = self._campaigns.get(message.message_id)
            if campaign is not None and self._turn_counted and self._turn_campaign is None:
                self._turn_campaign = campaign
            self._last_inbound_counted = counted
        elif waiting:
            if self._turn_counted:
                self.closed.append(self._turn(replied_at=message.sent_at))
            self._turn_start = None
        elif opens and counted:
            self.openings["employee"] += 1
        self._last_at = message.sent_at

    def pending(self) -> Turn | None:
        """The counted turn still waiting at the end of the period, for a reply looked up beyond it."""
        return self._turn(replied_at=None) if self._turn_start is not None and self._turn_counted else None

    def waiting_since(self, as_of: datetime) -> tuple[int, datetime, bool] | None:
        """When the customer spoke last in the period, in scope: (line, start of the wait, whether a reply
        is still owed at `as_of`, i.e. the turn has not lapsed); the wait may have begun before the period."""
        if self._turn_start is None or not self._last_inbound_counted:
            return None
        owed = self._turn_opening or self._last_at is None or as_of - self._last_at < self._gap
        return self._line, self._turn_start, owed

    def _turn(self, *, replied_at: datetime | None) -> Turn:
        assert self._turn_start is not None
        return Turn(
            conversation_id=self.conversation_id,
            line_id=self._line,
            started_at=self._turn_start,
            opening=self._turn_opening,
            campaign=self._turn_campaign,
            replied_at=replied_at,
            last_at=self._last_at,
        )
