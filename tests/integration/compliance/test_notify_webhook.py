"""Signed alert webhooks to a real local server: a valid HMAC, retried with back-off after a 503."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import Job, Notification
from atalaia.errors import InvalidInput
from atalaia.jobs.worker import run_once
from atalaia.notify.webhook import signature_valid
from atalaia.services.compliance import add_webhook, escalate
from tests.compliance_story import CPFS, Story, said
from tests.webhook_server import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


def subscribe(story: Story, url: str) -> str:
    with transaction(story.runtime.sessions) as session:
        created = add_webhook(
            session,
            tenant_id=story.tenant.id,
            url=url,
            data_key=story.runtime.data_key(story.tenant),
            actor="ana@exemplo.com.br",
        )
    return created.secret


def run_due_jobs(story: Story) -> int:
    ran = 0
    while run_once(story.runtime, worker="teste"):
        ran += 1
    return ran


def webhook_delivery(story: Story) -> tuple[str, int, str | None]:
    with story.runtime.sessions() as session:
        n = session.execute(select(Notification).where(Notification.channel == "webhook")).scalar_one()
        return n.status, n.attempts, n.last_error


def test_a_webhook_gets_the_alert_signed_and_is_retried_after_a_503(story: Story, receiver: Receiver) -> None:
    secret = subscribe(story, receiver.url)
    receiver.statuses = [503]
    story.archive([said("wamid.1", f"Segue o CPF {CPFS[0]}")])
    [alert] = story.alerts()

    run_due_jobs(story)

    assert webhook_delivery(story) == ("retrying", 1, "webhook answered HTTP 503")
    with transaction(story.runtime.sessions) as session:
        job = session.execute(select(Job)).scalar_one()
        assert (job.status, job.attempts) == ("queued", 1)
        assert job.run_after > datetime.now(UTC)  # backing off
        session.execute(update(Job).values(run_after=datetime.now(UTC)))  # ...time passes

    run_due_jobs(story)

    assert webhook_delivery(story) == ("sent", 2, None)
    assert len(receiver.requests) == 2
    for headers, body in receiver.requests:
        assert signature_valid(secret=secret, body=body, header=headers["x-atalaia-signature"])
        assert headers["x-atalaia-signature"].startswith("sha256=")
        assert headers["x-atalaia-event"] == "alert.created"
    assert len({headers["x-atalaia-delivery"] for headers, _ in receiver.requests}) == 1  # one delivery, retried
    payload = json.loads(receiver.requests[-1][1])
    assert payload["event"] == "alert.created"
    assert payload["tenant"] == "default"
    assert payload["alert"]["id"] == alert.id
    assert payload["alert"]["url"] == f"http://127.0.0.1:8000/alerts/{alert.id}"
    assert payload["alert"]["excerpt"] == "Segue o CPF ***.982.247-**"
    assert payload["alert"]["employee"].startswith("Colaborador #")
    assert CPFS[0] not in receiver.requests[-1][1].decode()
    assert not signature_valid(
        secret="outro-segredo", body=receiver.requests[-1][1], header=receiver.requests[-1][0]["x-atalaia-signature"]
    )


def test_a_webhook_that_answers_404_is_not_retried(story: Story, receiver: Receiver) -> None:
    subscribe(story, receiver.url)
    receiver.statuses = [404]
    story.archive([said("wamid.1", "isso é propina")])

    run_due_jobs(story)

    assert webhook_delivery(story) == ("failed", 1, "webhook answered HTTP 404")
    with story.runtime.sessions() as session:
        assert session.execute(select(Job.status)).scalar_one() == "done"


def test_an_escalation_is_sent_again_as_its_own_event(story: Story, receiver: Receiver) -> None:
    subscribe(story, receiver.url)
    story.archive([said("wamid.1", "isso é propina")])
    [alert] = story.alerts()
    run_due_jobs(story)
    with transaction(story.runtime.sessions) as session:
        escalate(session, tenant_id=story.tenant.id, alert_id=alert.id, actor=story.actors["bruno"], reason="ajuda")

    run_due_jobs(story)

    assert [json.loads(body)["event"] for _, body in receiver.requests] == ["alert.created", "alert.escalated"]


def test_a_webhook_url_must_be_http(story: Story) -> None:
    with pytest.raises(InvalidInput), transaction(story.runtime.sessions) as session:
        add_webhook(
            session,
            tenant_id=story.tenant.id,
            url="file:///etc/passwd",
            data_key=story.runtime.data_key(story.tenant),
            actor="cli",
        )
