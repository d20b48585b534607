"""The event stream: deterministic, exact in count, ordered, and coherent message by message."""

from __future__ import annotations

import re
import subprocess
import sys
import tracemalloc
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from atalaia.demo import DemoPlan, iter_events, iter_line_batches, iter_line_events, line_totals
from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, MessageKind, Provider
from atalaia.domain.events import (
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)
from tests.unit.demo.demo_run import DAYS, END, MESSAGES, SEED, Run, digest, moment, small_run


def test_the_same_arguments_give_identical_events() -> None:
    assert small_run(5) == small_run(5)
    assert digest(small_run(5)) == digest(small_run(5))


def test_another_seed_gives_other_events() -> None:
    assert digest(small_run(5)) != digest(small_run(6))


def test_output_does_not_depend_on_hash_randomisation() -> None:
    script = "from tests.unit.demo.demo_run import digest, small_run; print(digest(small_run(5)))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[3],
        ).stdout.strip()
        for hash_seed in ("1", "987")
    }
    assert outputs == {digest(small_run(5))}


@pytest.mark.parametrize("messages", [0, 1, 17, 2_345])
def test_it_produces_exactly_the_requested_number_of_messages(plan: DemoPlan, messages: int) -> None:
    events = [e for _, e in iter_events(plan, seed=1, messages=messages, days=20, end=END)]
    assert sum(isinstance(e, MessageEvent) for e in events) == messages


def test_the_month_has_messages_and_everything_that_follows_them(run: Run) -> None:
    kinds = Counter(type(e).__name__ for _, e in run.events)
    assert kinds["MessageEvent"] == MESSAGES
    assert kinds["StatusEvent"] > MESSAGES // 3
    assert kinds["EditEvent"] > 10
    assert kinds["RevokeEvent"] > 10
    assert kinds["ReactionEvent"] > 50
    statuses = Counter(e.status for _, e in run.events if isinstance(e, StatusEvent))
    assert {DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ} <= set(statuses)
    assert statuses[DeliveryStatus.PLAYED] > 0  # voice notes the employee sent


def test_events_come_in_time_order_on_every_line_and_overall(run: Run) -> None:
    moments = [moment(e) for _, e in run.events]
    assert moments == sorted(moments)
    per_line: dict[int, list[datetime]] = defaultdict(list)
    for line, event in run.events:
        per_line[line.index].append(moment(event))
    assert len(per_line) == 12
    assert all(times == sorted(times) for times in per_line.values())


def test_timestamps_are_aware_utc(run: Run) -> None:
    assert all(moment(e).tzinfo is UTC for _, e in islice(run.events, 2000))


def test_messages_fall_within_the_window_in_each_lines_time_zone(run: Run) -> None:
    for line, message in run.messages:
        zone = ZoneInfo(line.timezone)
        first = datetime.combine(END - timedelta(days=DAYS - 1), time(0), tzinfo=zone)
        after = datetime.combine(END + timedelta(days=1), time(0), tzinfo=zone)
        assert first <= message.sent_at < after
    last = max(moment(e) for _, e in run.events)
    assert last < datetime.combine(END + timedelta(days=2), time(0), tzinfo=UTC)


def test_provider_ids_are_unique_per_line(run: Run) -> None:
    ids: dict[int, list[str]] = defaultdict(list)
    for line, event in run.events:
        if isinstance(event, MessageEvent):
            ids[line.index].append(event.provider_message_id)
        elif isinstance(event, EditEvent | RevokeEvent | ReactionEvent):
            assert event.provider_event_id
            ids[line.index].append(event.provider_event_id)
    for values in ids.values():
        assert len(set(values)) == len(values)


def test_provider_ids_look_like_each_providers(run: Run) -> None:
    patterns = {
        Provider.CLOUD: re.compile(r"wamid\.[A-Za-z0-9+/]+=*"),
        Provider.EVOLUTION: re.compile(r"[0-9A-F]{20,32}"),
        Provider.WAHA: re.compile(r"(true|false)_\d+@(c\.us|g\.us)_[0-9A-F]{20,32}(_\d+@c\.us)?"),
    }
    for line, message in run.messages:
        assert patterns[line.provider].fullmatch(message.provider_message_id), message.provider_message_id
        if line.provider is Provider.WAHA:
            assert message.provider_message_id.startswith(
                "true_" if message.direction is Direction.OUTBOUND else "false_"
            )


def test_followups_name_an_earlier_message_of_the_same_line_and_chat(run: Run) -> None:
    seen: dict[tuple[int, str], MessageEvent] = {}
    for line, event in run.events:
        if isinstance(event, MessageEvent):
            seen[(line.index, event.provider_message_id)] = event
            if event.reply_to:
                assert seen[(line.index, event.reply_to)].conversation == event.conversation
            continue
        target = seen[(line.index, event.target_message_id)]
        if isinstance(event, StatusEvent):
            assert target.direction is Direction.OUTBOUND
            assert event.at > target.sent_at
            assert event.recipient == (target.conversation.contact.wa_id if target.conversation.contact else None)
        else:
            assert event.conversation == target.conversation
            assert moment(event) > target.sent_at
        if isinstance(event, RevokeEvent):
            assert event.by_line is (target.direction is Direction.OUTBOUND)
        if isinstance(event, EditEvent):
            assert target.kind is MessageKind.TEXT
            assert event.new_text != target.text


def test_outbound_is_the_employee_and_inbound_names_its_author(run: Run) -> None:
    for line, message in run.messages:
        if message.direction is Direction.OUTBOUND:
            assert message.author is None
            assert message.author_name == line.employee.name
        else:
            assert message.author is not None
            assert re.fullmatch(r"wa:55\d{11}", message.author.key)
            assert message.author.phone == f"+{message.author.wa_id}"
            assert message.author_name == message.author.name
            if message.conversation.kind is ConversationKind.DIRECT:
                assert message.conversation.contact == message.author


def test_group_chats_are_on_gateway_lines_with_several_members_writing(run: Run) -> None:
    group = [(line, m) for line, m in run.messages if m.conversation.kind is ConversationKind.GROUP]
    assert len(group) > 50
    assert all(line.provider.is_gateway for line, _ in group)
    assert all(m.conversation.key.startswith("group:") and m.conversation.subject for _, m in group)
    authors = {m.author.key for _, m in group if m.author}
    assert len(authors) >= 5
    assert any(m.direction is Direction.OUTBOUND for _, m in group)


def test_after_hours_is_a_small_share(run: Run) -> None:
    def after_hours(line_tz: str, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(line_tz))
        return local.weekday() >= 5 or not 8 <= local.hour < 18

    share = sum(after_hours(line.timezone, m.sent_at) for line, m in run.messages) / MESSAGES
    assert 0.02 <= share <= 0.15


def test_business_hours_carry_most_traffic_and_weekdays_most_days(run: Run) -> None:
    weekdays = Counter(m.sent_at.astimezone(ZoneInfo(line.timezone)).weekday() for line, m in run.messages)
    assert weekdays[0] > 10 * weekdays[6]
    hours = Counter(m.sent_at.astimezone(ZoneInfo(line.timezone)).hour for line, m in run.messages)
    assert hours[10] > 10 * hours[3]


def test_some_customers_arrive_from_click_to_whatsapp_ads(run: Run) -> None:
    referred = [(line, m) for line, m in run.messages if m.referral]
    assert referred
    for line, message in referred:
        assert line.team == "Vendas"
        assert line.provider is Provider.CLOUD
        assert message.direction is Direction.INBOUND
        assert message.referral is not None
        assert message.referral["source_type"] == "ad"
        assert {"source_url", "source_id", "headline", "body", "ctwa_clid"} <= set(message.referral)
        assert message.referral["source_url"].startswith("https://")


def test_messages_are_replies_forwards_and_media_as_well_as_text(run: Run) -> None:
    messages = [m for _, m in run.messages]
    kinds = Counter(m.kind for m in messages)
    assert {MessageKind.IMAGE, MessageKind.AUDIO, MessageKind.DOCUMENT, MessageKind.TEXT} <= set(kinds)
    assert kinds[MessageKind.TEXT] > 0.7 * MESSAGES
    assert sum(1 for m in messages if m.reply_to) > 0.03 * MESSAGES
    assert any(m.forwarded for m in messages)
    reactions = [e for _, e in run.events if isinstance(e, ReactionEvent)]
    assert any(r.emoji == "" for r in reactions)  # a reaction taken back
    assert {"👍", "❤️"} <= {r.emoji for r in reactions}
    assert any(isinstance(e, RevokeEvent) and e.by_line for _, e in run.events)
    assert any(isinstance(e, RevokeEvent) and not e.by_line for _, e in run.events)


def test_one_lines_events_equal_its_share_of_the_merged_stream(plan: DemoPlan) -> None:
    line = plan.lines[11]
    merged = [e for ln, e in iter_events(plan, seed=3, messages=1500, days=15, end=END) if ln.index == line.index]
    alone = list(iter_line_events(plan, line, seed=3, messages=1500, days=15, end=END))
    assert alone == merged
    assert sum(isinstance(e, MessageEvent) for e in alone) == line_totals(plan, messages=1500)[line.index]


def test_batches_keep_each_lines_order_and_respect_the_size(plan: DemoPlan) -> None:
    batches = list(iter_line_batches(plan, seed=3, messages=1500, days=15, end=END, size=64))
    assert all(1 <= len(batch) <= 64 for _, batch in batches)
    for line in plan.lines:
        joined = [e for ln, batch in batches if ln is line for e in batch]
        assert joined == list(iter_line_events(plan, line, seed=3, messages=1500, days=15, end=END))


def test_it_refuses_nonsense_arguments(plan: DemoPlan) -> None:
    with pytest.raises(ValueError, match="messages"):
        next(iter_events(plan, seed=1, messages=-1, end=END))
    with pytest.raises(ValueError, match="days"):
        next(iter_events(plan, seed=1, messages=10, days=0, end=END))


def test_memory_stays_flat_while_a_200k_message_run_streams(plan: DemoPlan) -> None:
    """Reading further into the stream must not hold more memory.

    Generating all 200,000 messages would take longer than this folder's time budget, so the
    test reads the first 2% of a 200k-message run: a stream that materialised its events would
    show it at once, one that accumulated state would grow between the two checkpoints.
    """
    stream = iter_events(plan, seed=SEED, messages=200_000, days=90, end=END)
    tracemalloc.start()
    try:
        read = 0
        for _line, event in stream:
            read += isinstance(event, MessageEvent)
            if read == 1_000:
                early, _ = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
            if read == 4_000:
                break
        late, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20
    assert late - early < 2 * 2**20
