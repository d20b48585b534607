"""Threshold rules on stored messages: hits recorded from the first, an alert only at the N-th in a window."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AlertHit, Conversation, Job, Message
from atalaia.domain.events import ContactRef, MessageEvent
from atalaia.runtime import Runtime
from atalaia.services.compliance import Actor, backfill, import_policies, resolve
from atalaia.services.compliance.scanning import NOTIFY_KIND, scan_new_messages
from tests.compliance_story import CPFS, Story, build_story, said
from tests.factories import MARIA, T0

POLICIES = """\
policies:
  - id: dados-pessoais
    name: CPFs enviados repetidamente
    severity: high
    scope: {direction: outbound}
    rules:
      - {id: cpf, detect: cpf, threshold: {count: 3, window: 24h}}
      - {id: cartao, detect: credit_card, severity: critical}
  - id: conduta
    name: Conduta
    severity: critical
    rules:
      - {id: propina, detect: keywords, terms: [propina], threshold: {count: 3, window: 7d, per: employee}}
"""
DAY = 24 * 60
JOAO = ContactRef(key="wa:5521977776666", wa_id="5521977776666", phone="+5521977776666", name="João Cliente")


def threshold_story(runtime: Runtime) -> Story:
    return build_story(runtime, policies=POLICIES)


def cpf_at(provider_id: str, minutes: int, cpf: str = CPFS[0], contact: ContactRef = MARIA) -> MessageEvent:
    return said(provider_id, f"Segue o CPF: {cpf}", minutes=minutes, contact=contact)


def sent(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def pending(story: Story) -> list[AlertHit]:
    with story.runtime.sessions() as session:
        query = select(AlertHit).where(AlertHit.alert_id.is_(None)).order_by(AlertHit.at, AlertHit.id)
        return list(session.execute(query).scalars())


def notify_jobs(story: Story) -> int:
    with story.runtime.sessions() as session:
        return len(list(session.execute(select(Job.id).where(Job.kind == NOTIFY_KIND)).scalars()))


def test_below_the_count_hits_are_recorded_without_an_alert(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    first = story.archive([cpf_at("wamid.1", 0)])
    second = story.archive([cpf_at("wamid.2", 60)])

    assert (first.hits, first.pending, first.new_alerts) == (1, 1, [])
    assert (second.hits, second.pending, second.new_alerts) == (1, 1, [])
    assert story.alerts() == []
    assert [h.match for h in pending(story)] == ["***.982.247-**", "***.982.247-**"]
    assert notify_jobs(story) == 0


def test_the_hit_that_reaches_the_count_raises_the_alert_with_every_hit_of_the_window(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at("wamid.1", 0), cpf_at("wamid.2", 60)])
    reached = story.archive([cpf_at("wamid.3", 120, CPFS[1])])

    [alert] = story.alerts()
    assert reached.new_alerts == [alert.id]
    assert (reached.hits, reached.pending) == (1, 0)
    assert (alert.policy, alert.rule, alert.hit_count, alert.status, alert.severity) == (
        "dados-pessoais",
        "cpf",
        3,
        "open",
        "high",
    )
    assert alert.window_key.startswith("t:")
    assert alert.last_hit_at - alert.first_hit_at == (sent(120) - sent(0))
    assert len(story.hits(alert.id)) == 3
    assert pending(story) == []
    assert notify_jobs(story) == 1


def test_hits_above_the_count_in_the_same_window_join_the_alert(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at(f"wamid.{i}", i * 60) for i in range(3)])
    later = story.archive([cpf_at("wamid.4", 20 * 60), cpf_at("wamid.5", DAY)])  # 24h after the first: still in

    [alert] = story.alerts()
    assert (later.new_alerts, later.updated_alerts, later.pending) == ([], 1, 0)
    assert alert.hit_count == 5
    assert notify_jobs(story) == 1


def test_a_hit_past_the_window_starts_a_new_count(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at(f"wamid.{i}", i * 60) for i in range(3)])
    story.archive([cpf_at("wamid.late", DAY + 1)])  # one minute past the alert's window

    [alert] = story.alerts()
    assert alert.hit_count == 3
    assert [h.message_id for h in pending(story)] != []


def test_the_window_is_inclusive_at_its_edge(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at("wamid.1", 0), cpf_at("wamid.2", DAY // 2), cpf_at("wamid.3", DAY)])
    [alert] = story.alerts()
    assert alert.hit_count == 3


def test_one_minute_too_wide_is_no_alert(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at("wamid.1", 0), cpf_at("wamid.2", DAY // 2), cpf_at("wamid.3", DAY + 1)])
    assert story.alerts() == []
    assert len(pending(story)) == 3


def test_rules_without_a_threshold_still_alert_at_once(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([said("wamid.1", f"CPF {CPFS[0]} e cartão 4111 1111 1111 1111")])

    [alert] = story.alerts()
    assert (alert.rule, alert.hit_count, alert.window_key) == ("cartao", 1, "2024-03-01")
    assert len(pending(story)) == 1  # the CPF waits for two more


def test_per_conversation_counts_each_chat_apart(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at("wamid.1", 0), cpf_at("wamid.2", 10)])
    story.archive([cpf_at("wamid.3", 20, contact=JOAO)])  # same employee, another chat

    assert story.alerts() == []
    assert len(pending(story)) == 3


def test_per_employee_counts_every_chat_of_the_employee(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([said("wamid.1", "quanto fica a propina?"), said("wamid.2", "a propina de sempre", minutes=10)])
    story.archive([said("wamid.3", "PROPINA combinada", minutes=DAY * 3, contact=JOAO)])

    [alert] = story.alerts("conduta")
    assert alert.hit_count == 3
    with story.runtime.sessions() as session:
        keys = {row.id: row.key for row in session.execute(select(Conversation.id, Conversation.key))}
        messages = {row.id: row.conversation_id for row in session.execute(select(Message.id, Message.conversation_id))}
    assert keys[alert.conversation_id] == JOAO.key  # the chat of the hit that made the count
    assert {keys[messages[h.message_id]] for h in story.hits(alert.id)} == {JOAO.key, MARIA.key}


def test_per_employee_does_not_mix_two_employees(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([said("wamid.1", "propina"), said("wamid.2", "propina", minutes=5)])
    story.archive([said("evo.1", "propina", minutes=6)], line=story.suporte)

    assert story.alerts("conduta") == []


def test_out_of_order_arrival_counts_by_the_messages_times(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at("wamid.3", 120)])
    story.archive([cpf_at("wamid.1", 0)])
    assert story.alerts() == []
    story.archive([cpf_at("wamid.2", 60)])

    [alert] = story.alerts()
    assert alert.hit_count == 3
    assert alert.first_hit_at == sent(0)
    assert alert.last_hit_at == sent(120)


def test_a_late_message_older_than_the_alert_but_within_its_window_joins_it(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at(f"wamid.{i}", 600 + i * 60) for i in range(3)])
    story.archive([cpf_at("wamid.early", 0)])  # arrives last, sent 10 h before: the span stays within 24 h

    [alert] = story.alerts()
    assert alert.hit_count == 4
    assert alert.first_hit_at == sent(0)


def test_replays_and_rescans_count_nothing_twice(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    messages = [cpf_at("wamid.1", 0), cpf_at("wamid.2", 60)]
    story.archive(messages)
    replay = story.archive(messages)  # a retried webhook: nothing new archived
    with story.runtime.sessions() as session:
        ids = list(session.execute(select(Message.id)).scalars())
    with transaction(story.runtime.sessions) as session:
        rescan = scan_new_messages(session, tenant_id=story.tenant.id, message_ids=ids)

    assert (replay.hits, rescan.hits, rescan.pending) == (0, 0, 0)
    assert story.alerts() == []  # two hits, not four
    story.archive([cpf_at("wamid.3", 120)])
    [alert] = story.alerts()
    assert alert.hit_count == 3


def test_a_resolved_threshold_alert_takes_no_more_hits_and_counting_starts_afresh(runtime: Runtime) -> None:
    story = threshold_story(runtime)
    story.archive([cpf_at(f"wamid.{i}", i * 10) for i in range(3)])
    [first] = story.alerts()
    with transaction(story.runtime.sessions) as session:
        resolve(
            session, tenant_id=story.tenant.id, alert_id=first.id, actor=Actor.cli(), resolution="confirmed",
            reason="orientado",
        )  # fmt: skip

    story.archive([cpf_at("wamid.4", 40), cpf_at("wamid.5", 50)])
    assert [a.id for a in story.alerts()] == [first.id]
    story.archive([cpf_at("wamid.6", 60)])

    old, new = story.alerts()
    assert (old.status, old.hit_count) == ("resolved", 3)
    assert (new.status, new.hit_count) == ("open", 3)


def test_backfill_applies_thresholds_across_batches_and_twice_is_once(runtime: Runtime) -> None:
    story = build_story(runtime, policies=None)
    story.archive([cpf_at(f"wamid.{i}", i * 60) for i in (4, 0, 2, 1, 3, 48)])  # stored out of time order
    with transaction(story.runtime.sessions) as session:
        import_policies(session, tenant_id=story.tenant.id, yaml_text=POLICIES, actor="ana@exemplo.com.br")

    first = backfill(story.runtime.sessions, tenant_id=story.tenant.id, batch=2)
    again = backfill(story.runtime.sessions, tenant_id=story.tenant.id, batch=2)

    [alert] = story.alerts()
    assert alert.hit_count == 5
    assert (first.hits, first.new_alerts, first.pending_hits) == (6, 1, 1)  # the 48th hour waits alone
    assert (again.hits, again.new_alerts) == (0, 0)
    assert notify_jobs(story) == 0  # history is not mailed


def test_two_writers_at_once_count_each_hit_once(runtime: Runtime) -> None:
    """PostgreSQL: the second writer waits for the first one's count instead of counting without it."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE)")
    story = build_story(runtime, policies=None)
    # Stored as sent at minutes 10, 20, 0, 30: the third and fourth hits would pick different first hits.
    story.archive([cpf_at(f"wamid.{i}", minutes) for i, minutes in enumerate((10, 20, 0, 30))])
    with transaction(story.runtime.sessions) as session:
        import_policies(session, tenant_id=story.tenant.id, yaml_text=POLICIES, actor="ana@exemplo.com.br")
        ids = sorted(session.execute(select(Message.id)).scalars())
    with transaction(story.runtime.sessions) as session:
        scan_new_messages(session, tenant_id=story.tenant.id, message_ids=ids[:2])

    def second_writer() -> None:
        with transaction(story.runtime.sessions) as other:
            scan_new_messages(other, tenant_id=story.tenant.id, message_ids=[ids[3]])

    with transaction(story.runtime.sessions) as session:
        scan_new_messages(session, tenant_id=story.tenant.id, message_ids=[ids[2]])  # the third hit: an alert
        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(timeout=1.0)
        assert writer.is_alive()  # waiting on this rule and conversation
    writer.join(timeout=30)

    [alert] = story.alerts()
    assert alert.hit_count == 4
    assert pending(story) == []
