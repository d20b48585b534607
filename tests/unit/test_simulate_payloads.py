"""What `atalaia simulate` sends reads back, through the real connectors, as the demo's own events.

The demo company's traffic (three weeks, Cloud API and Evolution lines) is turned into webhook
bodies, and each body is parsed by `parse_notification` or `parse_envelope`: every event comes
back with the same ids, times, texts, authors, replies, media and statuses, minus only what the
provider does not carry (a Cloud API image has no file name; Evolution's receipts name a JID).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from atalaia.connectors.cloud_api import parse_notification, signature_valid
from atalaia.connectors.evolution import parse_envelope
from atalaia.demo import DemoPlan, build_plan
from atalaia.domain.enums import ConversationKind, MessageKind, Provider
from atalaia.domain.events import (
    ArchiveEvent,
    ConversationRef,
    EditEvent,
    MessageEvent,
    RevokeEvent,
    StatusEvent,
)
from atalaia.simulate import (
    EVOLUTION_APIKEY,
    Delivery,
    PayloadBuilder,
    deliveries,
    read_token_file,
    simulated_lines,
    simulated_stream,
)

SEED = 11
SECRET = "segredo-do-app-meta-para-testes"
END = date(2025, 3, 14)


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return build_plan(seed=7)


def tokens_for(plan: DemoPlan) -> dict[str, str]:
    return {line.number: f"token-{line.index}" for line in plan.lines if line.provider is Provider.EVOLUTION}


@pytest.fixture(scope="module")
def sent(plan: DemoPlan) -> list[Delivery]:
    lines = simulated_lines(plan, cloud=True, evolution_numbers=tokens_for(plan))
    stream = simulated_stream(plan, lines=lines, seed=SEED, messages=2_500, days=21, end=END)
    return list(
        deliveries(
            stream,
            builder=PayloadBuilder(plan),
            rng=random.Random(SEED),
            app_secret=SECRET,
            tokens=tokens_for(plan),
            batch=5,
            duplicates=0.05,
            keep_events=True,
        )
    )


def comparable(event: ArchiveEvent, provider: Provider) -> ArchiveEvent:
    """The event without what the provider's payload does not carry."""
    if isinstance(event, StatusEvent):
        recipient = (event.recipient or "").split("@")[0]  # Evolution names a JID, the Cloud API a wa_id
        errors = event.errors if provider is Provider.CLOUD else ()
        return replace(event, raw=None, recipient=recipient, errors=errors)
    # A one-to-one chat's contact is compared as the message author; a group's subject comes apart.
    conversation = ConversationRef(key=event.conversation.key, kind=event.conversation.kind)
    if isinstance(event, MessageEvent):
        attachments = tuple(
            replace(
                a,
                content=a.content if provider is Provider.EVOLUTION else None,
                provider_media_id=None,
                file_name=a.file_name if event.kind is MessageKind.DOCUMENT else None,
            )
            for a in event.attachments
        )
        author = event.author
        if author is not None and provider is Provider.EVOLUTION:
            author = replace(author, lid=None)
        return replace(event, conversation=conversation, raw=None, author_name=None, attachments=attachments,
                       author=author)  # fmt: skip
    if isinstance(event, EditEvent):
        # Evolution's edits carry no id of their own: the archive derives one from target and time.
        event_id = event.provider_event_id if provider is Provider.CLOUD else None
        return replace(event, conversation=conversation, raw=None, provider_event_id=event_id)
    if isinstance(event, RevokeEvent):
        event_id = event.provider_event_id if provider is Provider.CLOUD else f"revoke:{event.target_message_id}"
        return replace(event, conversation=conversation, raw=None, provider_event_id=event_id)
    return replace(event, conversation=conversation, raw=None)


def parsed_events(delivery: Delivery) -> list[ArchiveEvent]:
    body = json.loads(delivery.body)
    if delivery.provider is Provider.CLOUD:
        changes = parse_notification(body)
        assert all(not c.problems for c in changes), [c.problems for c in changes]
        return [event for change in changes for event in change.events]
    parsed = parse_envelope(body)
    assert not parsed.problems, parsed.problems
    assert not parsed.unplaced
    return list(parsed.events)


def test_every_event_reads_back_the_same_through_the_real_parsers(sent: list[Delivery]) -> None:
    checked: Counter[tuple[Provider, str]] = Counter()
    for delivery in sent:
        original = [comparable(e, delivery.provider) for e in delivery.source]
        parsed = [comparable(e, delivery.provider) for e in parsed_events(delivery)]
        assert parsed == original
        checked.update((delivery.provider, type(e).__name__) for e in delivery.source)

    for provider in (Provider.CLOUD, Provider.EVOLUTION):
        for kind in ("MessageEvent", "StatusEvent", "ReactionEvent", "EditEvent", "RevokeEvent"):
            assert checked[(provider, kind)] > 0, (provider, kind)
    assert sum(n for (_p, kind), n in checked.items() if kind == "MessageEvent") == 2_500 + sum(
        d.messages for d in sent if d.duplicate
    )


def test_the_traffic_covers_what_a_real_day_carries(sent: list[Delivery]) -> None:
    messages = [e for d in sent if not d.duplicate for e in d.source if isinstance(e, MessageEvent)]
    kinds = Counter(e.kind for e in messages)
    assert {MessageKind.TEXT, MessageKind.IMAGE, MessageKind.AUDIO, MessageKind.DOCUMENT} <= set(kinds)
    assert any(e.reply_to for e in messages)
    assert any(e.forwarded for e in messages)
    assert any(e.referral for e in messages)
    assert any(e.conversation.kind is ConversationKind.GROUP for e in messages)
    bodies = [json.loads(d.body) for d in sent if d.provider is Provider.CLOUD]
    changes = [c for body in bodies for entry in body["entry"] for c in entry["changes"]]
    assert {c["field"] for c in changes} == {"messages", "smb_message_echoes"}
    assert max(sum(len(c["value"].get(k, [])) for c in b["entry"][0]["changes"]
                   for k in ("messages", "message_echoes", "statuses")) for b in bodies) > 1  # fmt: skip
    media = [m for c in changes for m in c["value"].get("messages", []) if m["type"] == "image"]
    assert media
    assert all(m["image"]["id"].isdigit() and len(m["image"]["sha256"]) == 44 for m in media)
    events = Counter(json.loads(d.body)["event"] for d in sent if d.provider is Provider.EVOLUTION)
    assert {"messages.upsert", "send.message", "messages.update", "groups.upsert"} <= set(events)


def test_cloud_bodies_are_signed_like_meta_signs_them(sent: list[Delivery]) -> None:
    cloud = [d for d in sent if d.provider is Provider.CLOUD]
    for delivery in cloud:
        header = delivery.headers["X-Hub-Signature-256"]
        assert signature_valid(body=delivery.body, header=header, app_secret=SECRET)
        assert header == "sha256=" + hmac.new(SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
        assert not signature_valid(body=delivery.body + b" ", header=header, app_secret=SECRET)
    assert all(d.body.isascii() for d in cloud)  # Meta escapes non-ASCII text
    assert any(b"\\u00e" in d.body for d in cloud)


def test_evolution_envelopes_carry_the_line_token_and_instance(plan: DemoPlan, sent: list[Delivery]) -> None:
    instances = {f"Bearer token-{line.index}": line.instance for line in plan.lines}
    for delivery in (d for d in sent if d.provider is Provider.EVOLUTION):
        envelope: dict[str, Any] = json.loads(delivery.body)
        assert envelope["instance"] == instances[delivery.headers["Authorization"]]
        assert envelope["apikey"] == EVOLUTION_APIKEY


def test_a_share_of_deliveries_is_sent_again_byte_for_byte(sent: list[Delivery]) -> None:
    duplicates = [d for d in sent if d.duplicate]
    originals = {(d.body, tuple(d.headers.items())) for d in sent if not d.duplicate}

    assert 0.02 * len(sent) < len(duplicates) < 0.09 * len(sent)
    assert all((d.body, tuple(d.headers.items())) in originals for d in duplicates)


def test_the_same_seed_sends_the_same_bytes(plan: DemoPlan, sent: list[Delivery]) -> None:
    lines = simulated_lines(plan, cloud=True, evolution_numbers=tokens_for(plan))
    stream = simulated_stream(plan, lines=lines, seed=SEED, messages=2_500, days=21, end=END)
    again = deliveries(stream, builder=PayloadBuilder(plan), rng=random.Random(SEED), app_secret=SECRET,
                       tokens=tokens_for(plan), batch=5, duplicates=0.05)  # fmt: skip
    assert [d.body for d in again] == [d.body for d in sent]


def test_without_tokens_only_cloud_lines_are_simulated(plan: DemoPlan) -> None:
    lines = simulated_lines(plan, cloud=True)
    events = list(simulated_stream(plan, lines=lines, seed=1, messages=300, days=5, end=END))

    assert {line.provider for line, _ in events} == {Provider.CLOUD}
    assert sum(isinstance(e, MessageEvent) for _, e in events) == 300


def test_an_evolution_line_without_a_token_is_refused(plan: DemoPlan) -> None:
    lines = simulated_lines(plan, cloud=False, evolution_numbers=tokens_for(plan))
    stream = simulated_stream(plan, lines=lines, seed=1, messages=20, days=2, end=END)
    with pytest.raises(ValueError, match="no token"):
        list(deliveries(stream, builder=PayloadBuilder(plan), rng=random.Random(1), tokens={}))


def test_a_token_file_names_lines_by_number() -> None:
    text = "# tokens das linhas Evolution\n+55 21 99999-0000 = abc\n\n5511988887777=def\n"
    assert read_token_file(text) == {"+5521999990000": "abc", "+5511988887777": "def"}
    with pytest.raises(ValueError, match="line 1"):
        read_token_file("+5521999990000 abc")
