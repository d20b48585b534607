"""Alert e-mails through a real SMTP server: to the team's manager and compliance, in Portuguese, no full CPF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from atalaia.db.models import Job, Notification
from atalaia.jobs.worker import run_once
from atalaia.notify.email import SmtpConfig
from atalaia.runtime import Runtime
from tests.compliance_story import CPFS, Story, said
from tests.smtp_server import Mailbox, free_port, running_smtp

PUBLIC_URL = "https://atalaia.exemplo.com.br"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with running_smtp() as box:
        yield box


def worker_runtime(story: Story, smtp_url: str | None) -> Runtime:
    updates = {"public_url": PUBLIC_URL, "smtp_url": SecretStr(smtp_url) if smtp_url else None}
    return Runtime.from_settings(story.runtime.settings.model_copy(update=updates), migrate=False)


def run_jobs(story: Story, smtp_url: str | None) -> None:
    runtime = worker_runtime(story, smtp_url)
    try:
        while run_once(runtime, worker="teste"):
            pass
    finally:
        runtime.close()


def deliveries(story: Story) -> dict[str, tuple[str, int]]:
    with story.runtime.sessions() as session:
        rows = session.execute(select(Notification).order_by(Notification.id)).scalars()
        return {n.recipient: (n.status, n.attempts) for n in rows}


def test_a_new_alert_is_mailed_to_the_teams_manager_and_to_compliance(story: Story, mailbox: Mailbox) -> None:
    story.archive([said("wamid.1", f"Oi Maria, confirmei seu cadastro com o CPF {CPFS[0]}, tudo certo!")])
    [alert] = story.alerts()

    run_jobs(story, mailbox.url)

    assert sorted(r for rcpts, _, _ in mailbox.received for r in rcpts) == [
        "ana@exemplo.com.br",
        "bruno@exemplo.com.br",
    ]
    message = mailbox.to("bruno@exemplo.com.br")
    assert message["Subject"] == f"[Atalaia] Alerta #{alert.id} (alta): Dados pessoais <enviados>"
    assert message["From"] == "Atalaia <alertas@exemplo.com.br>"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "O Atalaia registrou um novo alerta." in text
    assert "Gravidade: alta" in text
    assert "Colaborador: Colaborador #" in text
    assert "***.982.247-**" in text
    assert f"{PUBLIC_URL}/alerts/{alert.id}" in text
    assert f'href="{PUBLIC_URL}/alerts/{alert.id}"' in html
    assert "Dados pessoais &lt;enviados&gt;" in html
    assert "<enviados>" not in html
    for _, _, raw in mailbox.received:
        assert b"529.982.247-25" not in raw
        assert b"52998224725" not in raw
        assert b"Eduarda" not in raw
    assert deliveries(story) == {"ana@exemplo.com.br": ("sent", 1), "bruno@exemplo.com.br": ("sent", 1)}


def test_a_refused_mailbox_is_not_tried_again(story: Story, mailbox: Mailbox) -> None:
    mailbox.refuse.add("bruno@exemplo.com.br")
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])

    run_jobs(story, mailbox.url)

    assert deliveries(story) == {"ana@exemplo.com.br": ("sent", 1), "bruno@exemplo.com.br": ("failed", 1)}
    with story.runtime.sessions() as session:
        assert session.execute(select(Job.status)).scalar_one() == "done"


def test_an_unreachable_server_is_retried_later(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])

    run_jobs(story, f"smtp://127.0.0.1:{free_port()}?timeout=2")

    assert deliveries(story) == {"ana@exemplo.com.br": ("retrying", 1), "bruno@exemplo.com.br": ("retrying", 1)}
    with story.runtime.sessions() as session:
        job = session.execute(select(Job)).scalar_one()
    assert job.status == "queued"
    assert job.run_after > datetime.now(UTC)


def test_without_smtp_the_email_deliveries_are_skipped(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])
    run_jobs(story, None)
    assert {status for status, _ in deliveries(story).values()} == {"skipped"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.exemplo.com.br", SmtpConfig(host="mail.exemplo.com.br", port=25)),
        (
            "smtp://alertas%40exemplo.com.br:p%40ss@mail:587?starttls=1&from=alertas@exemplo.com.br",
            SmtpConfig(
                host="mail",
                port=587,
                username="alertas@exemplo.com.br",
                password="p@ss",
                starttls=True,
                sender="alertas@exemplo.com.br",
            ),
        ),
        ("smtps://mail", SmtpConfig(host="mail", port=465, tls=True)),
    ],
)
def test_the_smtp_url_is_read_strictly(url: str, expected: SmtpConfig) -> None:
    assert SmtpConfig.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail", "smtp://", "smtp://mail?starttls=talvez", "smtp://mail?tls=1"])
def test_an_unclear_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="ATALAIA_SMTP_URL"):
        SmtpConfig.from_url(url)
