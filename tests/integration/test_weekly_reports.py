"""The weekly e-mail to each manager: received by a real local SMTP server (aiosmtpd), once per week.

The week reported is the hand-built one of tests/analytics_story.py (Monday 29 April to Sunday
5 May 2024, São Paulo); it becomes due on Monday 6 May at 08:00 there, 11:00Z.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from pydantic import SecretStr
from pypdf import PdfReader
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, Team, WeeklyReport
from atalaia.notify.email import SmtpConfig
from atalaia.reports import weekly
from atalaia.reports.weekly import MAX_ATTEMPTS, reported_week, send_weekly_reports
from atalaia.runtime import Runtime
from atalaia.services.people import create_user
from tests.analytics_story import Story, build_story
from tests.conftest import ArchiveSetup
from tests.smtp_server import Mailbox, free_port, running_smtp

MONDAY_8 = datetime(2024, 5, 6, 11, 0, tzinfo=UTC)  # 08:00 in São Paulo
BRUNO, CARLA = "bruno.gerente@exemplo.com.br", "carla.gerente@exemplo.com.br"


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    story = build_story(archive_setup)
    with transaction(story.runtime.sessions) as session:
        create_user(session, tenant_id=story.tenant.id, email=BRUNO, role="manager", teams=["Vendas"], name="Bruno")
        create_user(session, tenant_id=story.tenant.id, email=CARLA, role="manager", teams=["Suporte"])
        create_user(session, tenant_id=story.tenant.id, email="ana@exemplo.com.br", role="compliance")
    return story


def rows(runtime: Runtime) -> list[WeeklyReport]:
    with runtime.sessions() as session:
        return list(session.execute(select(WeeklyReport).order_by(WeeklyReport.id)).scalars())


def parts(message: EmailMessage) -> tuple[str, str, bytes]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    return text.get_content(), html.get_content(), attachments[0].get_content()


def test_each_manager_gets_their_teams_week_once(story: Story) -> None:
    with running_smtp() as box:
        config = SmtpConfig.from_url(box.url)
        first = send_weekly_reports(story.runtime, now=MONDAY_8, config=config)
        again = send_weekly_reports(story.runtime, now=MONDAY_8.replace(hour=15), config=config)

    assert len(first) == 2
    assert again == []
    assert sorted(rcpt for rcpts, _, _ in box.received for rcpt in rcpts) == [BRUNO, CARLA]  # not compliance
    message = box.to(BRUNO)
    assert message["Subject"] == "[Atalaia] Resumo semanal da equipe Vendas: 29/04 a 05/05"
    text, html, pdf = parts(message)
    assert "Olá, Bruno." in text
    # This week against 22-28 April, when Vendas had no message and one alert (al4, 28 April).
    assert any(line.split() == ["Mensagens", "recebidas", "8", "0", "+8"] for line in text.splitlines())
    assert any(line.split() == ["Alertas", "2", "1", "+1"] for line in text.splitlines())
    assert any(line.split()[:5] == ["1ª", "resposta", "(mediana)", "20", "min"] for line in text.splitlines())
    link = "http://127.0.0.1:8000/dashboard?from=2024-04-29&to=2024-05-05&team=Vendas"
    assert link in text
    assert link.replace("&", "&amp;") in html
    assert "<strong>8</strong>" in html
    pdf_text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Equipe Vendas" in pdf_text
    assert "+5521999990000" in pdf_text
    assert "+5581999992222" not in pdf_text
    assert "mensagem a2" not in text + html + pdf_text
    assert [(r.status, r.attempts, r.week_start) for r in rows(story.runtime)] == [("sent", 1, date(2024, 4, 29))] * 2
    with story.runtime.sessions() as session:
        audited = session.execute(select(AuditEntry).where(AuditEntry.action == "analytics_report_sent")).scalars()
        assert sorted(e.detail["to"] for e in audited if e.detail) == [BRUNO, CARLA]


def test_nothing_before_monday_eight_local(story: Story) -> None:
    assert reported_week(datetime(2024, 5, 6, 10, 59, tzinfo=UTC), "America/Sao_Paulo") is None
    assert reported_week(MONDAY_8, "America/Sao_Paulo") == date(2024, 4, 29)
    assert reported_week(MONDAY_8, "America/Noronha") == date(2024, 4, 29)  # 09:00 there
    assert reported_week(MONDAY_8, "America/Manaus") is None  # 07:00 there
    with running_smtp() as box:
        sent = send_weekly_reports(story.runtime, now=datetime(2024, 5, 6, 10, 59, tzinfo=UTC),
                                   config=SmtpConfig.from_url(box.url))  # fmt: skip

    assert sent == []
    assert box.received == []
    assert rows(story.runtime) == []


def test_two_workers_at_once_send_each_report_once(story: Story) -> None:
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker(config: SmtpConfig) -> None:
        try:
            start.wait()
            results.append(len(send_weekly_reports(story.runtime, now=MONDAY_8, config=config)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with running_smtp() as box:
        config = SmtpConfig.from_url(box.url)
        threads = [threading.Thread(target=worker, args=(config,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sum(results) == 2
    assert sorted(rcpt for rcpts, _, _ in box.received for rcpt in rcpts) == [BRUNO, CARLA]
    assert [r.status for r in rows(story.runtime)] == ["sent", "sent"]


def test_a_failed_send_is_retried_on_a_later_check_at_most_n_times(story: Story) -> None:
    down = SmtpConfig.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=2")  # nothing listens there

    assert send_weekly_reports(story.runtime, now=MONDAY_8, config=down) == []
    assert [(r.status, r.attempts) for r in rows(story.runtime)] == [("retrying", 1)] * 2
    assert all("SMTP unavailable" in (r.last_error or "") for r in rows(story.runtime))

    with running_smtp() as box:
        sent = send_weekly_reports(story.runtime, now=MONDAY_8.replace(hour=12), config=SmtpConfig.from_url(box.url))
    assert len(sent) == 2
    assert len(box.received) == 2
    assert [(r.status, r.attempts, r.last_error) for r in rows(story.runtime)] == [("sent", 2, None)] * 2

    # Next week's report: the server stays down for every allowed attempt, then gives up.
    next_monday = datetime(2024, 5, 13, 11, 0, tzinfo=UTC)
    for _ in range(MAX_ATTEMPTS + 2):
        send_weekly_reports(story.runtime, now=next_monday, config=down)
    later = [r for r in rows(story.runtime) if r.week_start == date(2024, 5, 6)]
    assert [(r.status, r.attempts) for r in later] == [("failed", MAX_ATTEMPTS)] * 2
    with running_smtp() as box:
        assert send_weekly_reports(story.runtime, now=next_monday, config=SmtpConfig.from_url(box.url)) == []
    assert box.received == []


def test_a_refused_recipient_is_not_retried_and_others_still_get_theirs(story: Story) -> None:
    with running_smtp(Mailbox(refuse={BRUNO})) as box:
        config = SmtpConfig.from_url(box.url)
        send_weekly_reports(story.runtime, now=MONDAY_8, config=config)
        send_weekly_reports(story.runtime, now=MONDAY_8.replace(hour=13), config=config)

    assert [rcpts for rcpts, _, _ in box.received] == [[CARLA]]
    by_status = sorted((r.status, r.attempts) for r in rows(story.runtime))
    assert by_status == [("failed", 1), ("sent", 1)]


def test_hostile_team_names_are_escaped_and_kept_out_of_headers(story: Story) -> None:
    hostile = '<img src=x onerror="alert(1)">\r\nBcc: alvo@evil.example'
    with transaction(story.runtime.sessions) as session:
        session.execute(update(Team).where(Team.name == "Vendas").values(name=hostile))
    with running_smtp() as box:
        send_weekly_reports(story.runtime, now=MONDAY_8, config=SmtpConfig.from_url(box.url))

    message = box.to(BRUNO)
    assert all(rcpts != ["alvo@evil.example"] for rcpts, _, _ in box.received)
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert "<img" in message["Subject"]
    _, html, _ = parts(message)
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_off_without_smtp_or_when_the_setting_says_so(story: Story) -> None:
    runtime = story.runtime
    assert runtime.settings.smtp_url is None
    assert send_weekly_reports(runtime, now=MONDAY_8) == []  # no SMTP configured: nothing claimed either
    with running_smtp() as box:
        runtime.settings = runtime.settings.model_copy(update={"smtp_url": SecretStr(box.url), "weekly_reports": False})
        assert weekly.smtp_config(runtime) is None
        assert send_weekly_reports(runtime, now=MONDAY_8) == []
        runtime.settings = runtime.settings.model_copy(update={"weekly_reports": True})
        assert len(send_weekly_reports(runtime, now=MONDAY_8)) == 2  # the settings path reaches the server
    assert rows(runtime)
    assert len(box.received) == 2
