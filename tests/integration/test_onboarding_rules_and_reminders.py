"""Usage-rule versions and reminders, on both databases: a new version needs a new acceptance, and
people who have not accepted get at most one reminder per period (at once for a new version)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, Invitation, UsageRuleVersion
from atalaia.errors import Conflict, InvalidInput
from atalaia.runtime import Runtime
from atalaia.services.onboarding import (
    InvitationRefused,
    accept,
    acceptance_report,
    current_rules,
    invite_employee,
    publish_rules,
    send_due_reminders,
)
from atalaia.services.onboarding.reminders import _claim, due_reminders
from tests.onboarding_story import ELISA, FREE_LINE, T0, company, token_in, use_smtp
from tests.smtp_server import running_smtp


def _publish(runtime: Runtime, tenant_id: int, body: str) -> int:
    with transaction(runtime.sessions) as session:
        return publish_rules(session, tenant_id=tenant_id, body=body, actor="admin@exemplo.com.br").version


def _status(runtime: Runtime, tenant_id: int, when=T0):  # type: ignore[no-untyped-def]
    with runtime.sessions() as session:
        report = acceptance_report(session, tenant_id=tenant_id, now=when)
    return {row.email: (row.status, row.accepted_version) for row in report.employees}


def test_a_tenant_starts_with_the_built_in_portuguese_rules(runtime: Runtime) -> None:
    story = company(runtime)
    with transaction(runtime.sessions) as session:
        first = current_rules(session, tenant_id=story.tenant.id)
        again = current_rules(session, tenant_id=story.tenant.id)
    assert (first.version, again.id) == (1, first.id)
    for topic in ("## 2. Horário", "## 3. Linguagem", "## 4. O que fazer", "## 5. O que não fazer", "Compartilhamento"):
        assert topic in first.body


def test_publishing_makes_a_new_version_that_needs_a_new_acceptance(runtime: Runtime) -> None:
    story = company(runtime)
    with running_smtp() as box:
        use_smtp(runtime, box)
        invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team="Vendas", line=FREE_LINE,
                        actor="admin", now=T0)  # fmt: skip
    token = token_in(box.to(ELISA))
    with transaction(runtime.sessions) as session:
        accept(session, token=token, version=1, now=T0, ip=None, user_agent=None)
    assert _status(runtime, story.tenant.id)[ELISA] == ("accepted", 1)
    assert _status(runtime, story.tenant.id)["fabio@exemplo.com.br"] == ("not_invited", None)

    assert _publish(runtime, story.tenant.id, "# Regras\n\nNada de áudio depois das 20h.") == 2
    assert _status(runtime, story.tenant.id)[ELISA] == ("outdated", 1)
    with runtime.sessions() as session:
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "usage_rules_published")).scalar_one()
        stored = session.execute(select(UsageRuleVersion.body).where(UsageRuleVersion.version == 2)).scalar_one()
        assert audit.detail == {"version": 2, "chars": len(stored)}
        assert stored == "# Regras\n\nNada de áudio depois das 20h.\n"


def test_a_page_showing_an_older_version_cannot_accept_and_does_not_spend_the_link(runtime: Runtime) -> None:
    story = company(runtime)
    link = invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team=None, line=None,
                           actor="admin", now=T0).link  # fmt: skip
    token = link.rsplit("/", 1)[1]
    _publish(runtime, story.tenant.id, "Versão nova")
    with transaction(runtime.sessions) as session, pytest.raises(Conflict, match="atualizadas"):
        accept(session, token=token, version=1, now=T0, ip=None, user_agent=None)
    with transaction(runtime.sessions) as session:
        done = accept(session, token=token, version=2, now=T0, ip=None, user_agent=None)
    assert done.version == 2
    assert done.instructions.title == "Aguarde a sua linha corporativa"  # invited without a line
    assert _status(runtime, story.tenant.id)[ELISA] == ("accepted", 2)


@pytest.mark.parametrize(("body", "error"), [("", InvalidInput), ("   \n\t ", InvalidInput),
                                             ("x" * 100_001, InvalidInput)])  # fmt: skip
def test_bad_rule_texts_are_refused_and_nothing_is_published(runtime: Runtime, body: str, error: type) -> None:
    story = company(runtime)
    with pytest.raises(error):
        _publish(runtime, story.tenant.id, body)
    with transaction(runtime.sessions) as session:
        assert current_rules(session, tenant_id=story.tenant.id).version == 1


def test_republishing_the_same_text_is_refused(runtime: Runtime) -> None:
    story = company(runtime)
    _publish(runtime, story.tenant.id, "Regras A\r\n")
    with pytest.raises(Conflict, match="igual"):
        _publish(runtime, story.tenant.id, "Regras A")
    with runtime.sessions() as session:
        assert len(session.execute(select(UsageRuleVersion)).all()) == 2


def test_nul_characters_are_replaced_before_storing(runtime: Runtime) -> None:
    story = company(runtime)
    _publish(runtime, story.tenant.id, "Regras\x00 novas")
    with transaction(runtime.sessions) as session:
        assert current_rules(session, tenant_id=story.tenant.id).body == "Regras\ufffd novas\n"


def test_reminders_go_at_most_once_per_period_until_she_accepts(runtime: Runtime) -> None:
    story = company(runtime)
    with running_smtp() as box:
        use_smtp(runtime, box)
        invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team="Vendas", line=FREE_LINE,
                        actor="admin", now=T0)  # fmt: skip
        assert send_due_reminders(runtime, now=T0 + timedelta(days=1)) == []
        assert len(send_due_reminders(runtime, now=T0 + timedelta(days=3))) == 1
        assert send_due_reminders(runtime, now=T0 + timedelta(days=3)) == []
        assert send_due_reminders(runtime, now=T0 + timedelta(days=5)) == []
        assert len(send_due_reminders(runtime, now=T0 + timedelta(days=6))) == 1
        mails = [message for rcpts, message, _ in box.received if ELISA in rcpts]
        assert [m["Subject"].split("] ", 1)[1].split(":")[0] for m in mails] == ["Boas-vindas", "Lembrete", "Lembrete"]
        tokens = [token_in(m) for m in mails]
        assert len(set(tokens)) == 3
        with transaction(runtime.sessions) as session, pytest.raises(InvitationRefused, match="substituído"):
            accept(session, token=tokens[1], version=1, now=T0 + timedelta(days=6), ip=None, user_agent=None)
        with transaction(runtime.sessions) as session:
            accept(session, token=tokens[2], version=1, now=T0 + timedelta(days=6), ip=None, user_agent=None)
        assert send_due_reminders(runtime, now=T0 + timedelta(days=30)) == []
    assert len(box.received) == 3


def test_a_new_version_reminds_at_once_those_who_accepted_the_old_one(runtime: Runtime) -> None:
    story = company(runtime)
    with running_smtp() as box:
        use_smtp(runtime, box)
        invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team="Vendas", line=None,
                        actor="admin", now=T0)  # fmt: skip
        with transaction(runtime.sessions) as session:
            accept(session, token=token_in(box.to(ELISA)), version=1, now=T0, ip=None, user_agent=None)
        assert send_due_reminders(runtime, now=T0 + timedelta(hours=1)) == []
        _publish(runtime, story.tenant.id, "# Regras 2")
        assert len(send_due_reminders(runtime, now=T0 + timedelta(hours=2))) == 1
        assert send_due_reminders(runtime, now=T0 + timedelta(hours=3)) == []
    latest = box.received[-1][1]
    assert "Novas regras de uso" in latest["Subject"]
    assert "versão 2" in latest.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    with transaction(runtime.sessions) as session:
        accept(session, token=token_in(latest), version=2, now=T0 + timedelta(hours=4), ip=None, user_agent=None)
    assert _status(runtime, story.tenant.id, T0 + timedelta(hours=4))[ELISA] == ("accepted", 2)


def test_two_workers_due_at_once_send_one_reminder(runtime: Runtime) -> None:
    story = company(runtime)
    invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team=None, line=None,
                    actor="admin", now=T0)  # fmt: skip
    later = T0 + timedelta(days=4)
    seen_by_a, seen_by_b = due_reminders(runtime, now=later), due_reminders(runtime, now=later)
    assert len(seen_by_a) == len(seen_by_b) == 1
    assert _claim(runtime, seen_by_a[0], now=later) is not None
    assert _claim(runtime, seen_by_b[0], now=later) is None
    with runtime.sessions() as session:
        kinds = session.execute(select(Invitation.kind).order_by(Invitation.id)).scalars().all()
    assert kinds == ["invite", "reminder"]


def test_no_reminder_is_issued_while_smtp_is_not_configured(runtime: Runtime) -> None:
    story = company(runtime)
    invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team=None, line=None,
                    actor="admin", now=T0)  # fmt: skip
    assert send_due_reminders(runtime, now=T0 + timedelta(days=10)) == []
    with runtime.sessions() as session:
        assert len(session.execute(select(Invitation)).all()) == 1


def test_the_workers_periodic_checks_send_the_reminders_that_are_due(runtime: Runtime) -> None:
    from datetime import UTC, datetime

    from atalaia.jobs.worker import run_periodic_checks

    story = company(runtime)
    with running_smtp() as box:
        use_smtp(runtime, box)
        invite_employee(runtime, tenant_id=story.tenant.id, email=ELISA, name="Elisa", team=None, line=None,
                        actor="admin", now=datetime.now(UTC) - timedelta(days=4))  # fmt: skip
        run_periodic_checks(runtime)
        run_periodic_checks(runtime)  # a second run in the same period sends nothing more
    assert [m["Subject"].split("] ", 1)[1].split(":")[0] for _, m, _ in box.received] == ["Boas-vindas", "Lembrete"]
