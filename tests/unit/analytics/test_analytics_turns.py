"""Customer turns and openings, fed by hand: the definitions of docs/decisions/0013 one rule at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atalaia.analytics.turns import ChatMessage, ChatWalk, Prior, Turn

T = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)  # a Monday
GAP = timedelta(hours=24)


def walk(*steps: tuple[str, float], prior: Prior | None = None, campaigns: dict[int, str] | None = None,
         counted_from: datetime | None = None) -> ChatWalk:  # fmt: skip
    """Steps are (">" inbound or "<" outbound, hours after T); message ids count from 1."""
    chat = ChatWalk(
        7,
        gap=GAP,
        in_scope=lambda _line, moment: counted_from is None or moment >= counted_from,
        campaigns=campaigns or {},
        prior=prior or Prior(),
    )
    for i, (arrow, hours) in enumerate(steps, start=1):
        chat.feed(ChatMessage(i, 1, "inbound" if arrow == ">" else "outbound", T + timedelta(hours=hours)))
    return chat


def h(hours: float) -> datetime:
    return T + timedelta(hours=hours)


def test_a_reply_closes_the_turn_from_its_first_message() -> None:
    chat = walk((">", 0), (">", 0.5), ("<", 1))

    assert chat.closed == [Turn(7, 1, h(0), opening=True, campaign=None, replied_at=h(1), last_at=h(0.5))]
    assert chat.openings == {"customer": 1, "employee": 0}
    assert chat.pending() is None
    assert chat.waiting_since(h(100)) is None


def test_only_a_message_after_the_gap_opens_an_exchange() -> None:
    chat = walk((">", 0), ("<", 1), (">", 2), ("<", 3), (">", 27), ("<", 28))

    assert [(t.started_at, t.opening) for t in chat.closed] == [(h(0), True), (h(2), False), (h(27), True)]
    assert chat.openings == {"customer": 2, "employee": 0}


def test_a_late_reply_never_opens_and_a_nudge_never_starts_a_new_turn() -> None:
    # The customer writes, nudges two days later, and is answered on the fourth day.
    chat = walk((">", 0), (">", 48), ("<", 96))

    assert chat.closed == [Turn(7, 1, h(0), opening=True, campaign=None, replied_at=h(96), last_at=h(48))]
    assert chat.openings == {"customer": 1, "employee": 0}


def test_the_line_opens_after_silence_only_when_nobody_waits() -> None:
    chat = walk(("<", 0), ("<", 1), ("<", 30), (">", 31), ("<", 32))

    assert chat.openings == {"customer": 0, "employee": 2}  # at 0 and 30
    assert [t.opening for t in chat.closed] == [False]


def test_a_turn_waiting_since_before_the_period_is_not_counted_but_leaves_the_customer_waiting() -> None:
    before = h(-100)
    chat = walk((">", 0), prior=Prior(last_at=before, waiting_since=before, waiting_opened=True))

    assert chat.openings == {"customer": 0, "employee": 0}
    assert chat.pending() is None  # its wait belongs to the report of its first message
    assert chat.waiting_since(h(100)) == (1, before, True)
    chat.feed(ChatMessage(9, 1, "outbound", h(1)))
    assert chat.closed == []


def test_the_prior_last_message_decides_whether_the_first_one_opens() -> None:
    assert walk((">", 0), prior=Prior(last_at=h(-1))).openings["customer"] == 0
    assert walk((">", 0), prior=Prior(last_at=h(-24))).openings["customer"] == 1


def test_a_pending_turn_and_its_campaign() -> None:
    chat = walk((">", 0), (">", 0.1), campaigns={2: "120208"})

    assert chat.pending() == Turn(7, 1, h(0), opening=True, campaign="120208", replied_at=None, last_at=h(0.1))
    assert chat.waiting_since(h(100)) == (1, h(0), True)


def test_out_of_scope_messages_keep_the_chat_whole_but_count_nothing() -> None:
    # Another employee held the line until hour 10: their turn is not ours, though it shapes ours.
    chat = walk((">", 0), ("<", 1), (">", 30), ("<", 31), counted_from=h(10))

    assert chat.openings == {"customer": 1, "employee": 0}
    assert [t.started_at for t in chat.closed] == [h(30)]


def test_a_later_turn_lapses_when_the_chat_falls_silent() -> None:
    # "Ok, obrigado!" at hour 2 ends the exchange; the line writes again 28 h later: a new exchange.
    chat = walk((">", 0), ("<", 1), (">", 2), ("<", 30))

    assert [t.started_at for t in chat.closed] == [h(0)]
    assert chat.openings == {"customer": 1, "employee": 1}


def test_an_opening_turn_never_lapses() -> None:
    chat = walk((">", 0), ("<", 72))

    assert chat.closed == [Turn(7, 1, h(0), opening=True, campaign=None, replied_at=h(72), last_at=h(0))]
    assert chat.openings == {"customer": 1, "employee": 0}


def test_a_waiting_turn_from_before_the_period_keeps_its_kind() -> None:
    lapsing = walk(("<", 30), prior=Prior(last_at=h(0), waiting_since=h(0), waiting_opened=False))
    owed = walk(("<", 30), prior=Prior(last_at=h(0), waiting_since=h(0), waiting_opened=True))

    assert lapsing.openings["employee"] == 1  # the old turn lapsed: the line opens a new exchange
    assert owed.openings["employee"] == 0  # the line finally answers


def test_a_reply_after_the_period_answers_only_a_turn_that_has_not_lapsed() -> None:
    later = Turn(7, 1, h(0), opening=False, campaign=None, replied_at=None, last_at=h(1))
    opening = Turn(7, 1, h(0), opening=True, campaign=None, replied_at=None, last_at=h(1))

    assert later.replied(h(2), gap=GAP) == Turn(7, 1, h(0), False, None, replied_at=h(2), last_at=h(1))
    assert later.replied(h(25), gap=GAP) is None
    assert opening.replied(h(100), gap=GAP) == Turn(7, 1, h(0), True, None, replied_at=h(100), last_at=h(1))


def test_a_customer_who_spoke_last_is_owed_a_reply_until_a_later_turn_lapses() -> None:
    chat = walk((">", 0), ("<", 1), (">", 2))  # "Ok, obrigado!" at hour 2

    assert chat.waiting_since(h(20)) == (1, h(2), True)
    assert chat.waiting_since(h(26)) == (1, h(2), False)
