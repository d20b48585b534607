"""Onboarding links, on both databases: e-mailed once with both parts, single use, expiring, untamperable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Acceptance, AuditEntry, Employee, Invitation, Line
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.runtime import Runtime
from atalaia.security.tokens import hash_token
from atalaia.services.onboarding import InvitationRefused, accept, invite_employee, open_invitation
from atalaia.services.onboarding.invitations import new_invitation_token
from tests.onboarding_story import ELISA, FABIO_LINE, FREE_LINE, T0, company, parts, token_in, use_smtp
from tests.smtp_server import Mailbox, running_smtp


def _invite(runtime: Runtime, tenant_id: int, *, line: str | None = FREE_LINE, email: str = ELISA,
            name: str = "Elisa Vendas", now=T0):  # type: ignore[no-untyped-def]  # fmt: skip
    return invite_employee(runtime, tenant_id=tenant_id, email=email, name=name, team="Vendas", line=line,
                           actor="admin@exemplo.com.br", now=now)  # fmt: skip


def test_the_invitation_reaches_the_mailbox_with_both_parts_and_a_working_link(runtime: Runtime) -> None:
    story = company(runtime)
    with running_smtp() as box:
        use_smtp(runtime, box)
        sent = _invite(runtime, story.tenant.id)
    assert sent.email_status == "sent"
    message = box.to(ELISA)
    text, html = parts(message)
    assert "regras de uso" in message["Subject"]
    assert "Olá, Elisa Vendas." in text
    assert FREE_LINE in text
    assert 'lang="pt-BR"' in html
    assert "Ler e aceitar as regras de uso" in html
    token = token_in(message)
    assert sent.link.endswith(token)
    with transaction(runtime.sessions) as session:
        stored = session.execute(select(Invitation)).scalar_one()
        assert stored.token_hash == hash_token(token)
        assert token not in repr(session.execute(select(Invitation.__table__)).all())  # only the hash is kept
        assert stored.expires_at - stored.created_at == timedelta(days=7)
        opened = open_invitation(session, token=token, now=T0)
    assert opened.employee_name == "Elisa Vendas"
    assert opened.line_number == FREE_LINE
    assert opened.rules.version == 1
    assert "Regras de uso" in opened.rules.body


def test_a_link_works_only_once(runtime: Runtime) -> None:
    story = company(runtime)
    token = _invite(runtime, story.tenant.id).link.rsplit("/", 1)[1]
    with transaction(runtime.sessions) as session:
        done = accept(session, token=token, version=1, now=T0, ip="203.0.113.9", user_agent="Firefox")
    assert done.version == 1
    assert "Aparelhos conectados" in " ".join(done.instructions.steps)  # an Evolution line: scan the QR code
    with transaction(runtime.sessions) as session:
        with pytest.raises(InvitationRefused) as refused:
            accept(session, token=token, version=1, now=T0, ip="203.0.113.9", user_agent="Firefox")
        with pytest.raises(InvitationRefused) as reopened:
            open_invitation(session, token=token, now=T0)
    for refusal in (refused, reopened):
        assert refusal.value.reason == "used"
        assert refusal.value.status == 410
    with runtime.sessions() as session:
        assert session.execute(select(Acceptance)).scalars().all()[0].ip == "203.0.113.9"
        assert len(session.execute(select(Acceptance)).all()) == 1


def test_an_expired_link_is_refused_and_the_refusal_is_audited(runtime: Runtime) -> None:
    story = company(runtime)
    token = _invite(runtime, story.tenant.id).link.rsplit("/", 1)[1]
    late = T0 + timedelta(days=7, seconds=1)
    with transaction(runtime.sessions) as session:
        with pytest.raises(InvitationRefused) as refused:
            open_invitation(session, token=token, now=late, ip="198.51.100.7")
        assert refused.value.reason == "expired"
        assert "expirou" in refused.value.message
    with transaction(runtime.sessions) as session, pytest.raises(InvitationRefused):
        accept(session, token=token, version=1, now=late, ip=None, user_agent=None)
    with runtime.sessions() as session:
        denied = session.execute(select(AuditEntry).where(AuditEntry.action == "invitation_refused")).scalars().all()
        assert [(d.outcome, d.detail) for d in denied] == [("denied", {"reason": "expired"})] * 2
        assert denied[0].ip == "198.51.100.7"
        assert session.execute(select(Acceptance)).first() is None


@pytest.mark.parametrize(
    "tampered",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:-2],  # cut short
        lambda t: t + "x",  # one too many
        lambda t: t.upper(),
        lambda t: "atl_" + t[4:],  # an API-token look-alike
        lambda t: t[:10] + "'; DROP TABLE invitations; --",
        lambda t: "onb_" + "A" * 43,  # well formed, never issued
        lambda t: t + "/../../etc/passwd",
        lambda t: "\u0000" + t,
        lambda t: "onb_" + "é" * 43,
    ],
)
def test_a_tampered_or_made_up_token_is_simply_not_valid(runtime: Runtime, tampered) -> None:  # type: ignore[no-untyped-def]
    story = company(runtime)
    token = _invite(runtime, story.tenant.id).link.rsplit("/", 1)[1]
    with transaction(runtime.sessions) as session:
        with pytest.raises(InvitationRefused) as refused:
            accept(session, token=tampered(token), version=1, now=T0, ip=None, user_agent=None)
        assert refused.value.reason == "invalid"
        assert refused.value.status == 404
        assert "Elisa" not in refused.value.message
        assert "Organização" not in refused.value.message
    with transaction(runtime.sessions) as session:  # the real link still works
        accept(session, token=token, version=1, now=T0, ip=None, user_agent=None)


def test_a_new_invitation_supersedes_the_older_link(runtime: Runtime) -> None:
    story = company(runtime)
    first = _invite(runtime, story.tenant.id).link.rsplit("/", 1)[1]
    second = _invite(runtime, story.tenant.id, line=None, now=T0 + timedelta(hours=1)).link.rsplit("/", 1)[1]
    with transaction(runtime.sessions) as session, pytest.raises(InvitationRefused) as refused:
        open_invitation(session, token=first, now=T0 + timedelta(hours=2))
    assert refused.value.reason == "superseded"
    with transaction(runtime.sessions) as session:
        opened = open_invitation(session, token=second, now=T0 + timedelta(hours=2))
    assert opened.line_number == FREE_LINE  # the line she now holds


def test_the_acceptance_keeps_time_version_address_and_a_bounded_user_agent(runtime: Runtime) -> None:
    story = company(runtime)
    token = _invite(runtime, story.tenant.id).link.rsplit("/", 1)[1]
    hostile_agent = "Mozilla/5.0 " + "<script>" * 200 + "\x00"
    with transaction(runtime.sessions) as session:
        accept(session, token=token, version=1, now=T0 + timedelta(minutes=5), ip="2001:db8::1" * 10,
               user_agent=hostile_agent)  # fmt: skip
    with runtime.sessions() as session:
        row = session.execute(select(Acceptance)).scalar_one()
        assert row.accepted_at == T0 + timedelta(minutes=5)
        assert row.ip is not None
        assert len(row.ip) == 64
        assert row.user_agent is not None
        assert len(row.user_agent) == 400
        assert "\x00" not in row.user_agent
        employee = session.get(Employee, row.employee_id)
        assert employee is not None
        assert employee.email == ELISA
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "usage_rules_accepted")).scalar_one()
        assert audit.actor == ELISA
        assert audit.detail == {"version": 1, "invitation_id": row.invitation_id, "already_accepted": False}


def test_inviting_gives_a_free_line_and_refuses_someone_elses(runtime: Runtime) -> None:
    story = company(runtime)
    _invite(runtime, story.tenant.id)
    with runtime.sessions() as session:
        line = session.execute(select(Line).where(Line.number == FREE_LINE)).scalar_one()
        employee = session.execute(select(Employee).where(Employee.email == ELISA)).scalar_one()
        assert line.employee_id == employee.id
    with pytest.raises(Conflict, match="outra pessoa"):
        _invite(runtime, story.tenant.id, line=FABIO_LINE)
    with pytest.raises(NotFound):
        _invite(runtime, story.tenant.id, line="+5521900000000")
    with runtime.sessions() as session:  # the refused invitations left nothing behind
        assert len(session.execute(select(Invitation)).all()) == 1


@pytest.mark.parametrize(("email", "name"), [("not-an-email", "X"), (ELISA, ""), (ELISA, "x" * 201),
                                             ("a@b.c\r\nBcc: x@evil.com", "X")])  # fmt: skip
def test_bad_invitations_are_refused_with_a_clear_error(runtime: Runtime, email: str, name: str) -> None:
    story = company(runtime)
    with pytest.raises(InvalidInput):
        _invite(runtime, story.tenant.id, email=email, name=name)
    with runtime.sessions() as session:
        assert session.execute(select(Invitation)).first() is None


def test_without_smtp_the_link_is_handed_back_and_marked_not_sent(runtime: Runtime) -> None:
    story = company(runtime)
    sent = _invite(runtime, story.tenant.id)
    assert sent.email_status == "not_configured"
    assert sent.link.startswith("http://127.0.0.1:8000/onboarding/onb_")


def test_a_refused_mailbox_is_recorded_as_a_permanent_failure(runtime: Runtime) -> None:
    story = company(runtime)
    with running_smtp(Mailbox(refuse={ELISA})) as box:
        use_smtp(runtime, box)
        sent = _invite(runtime, story.tenant.id)
    assert sent.email_status == "failed"
    assert "refused the recipient ([550])" in (sent.email_error or "")
    assert box.received == []
    with runtime.sessions() as session:
        assert session.execute(select(Invitation.email_status)).scalar_one() == "failed"


def test_tokens_are_random_and_well_formed() -> None:
    tokens = {new_invitation_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(t.startswith("onb_") and len(t) == 47 for t in tokens)
