"""A week of a small company's WhatsApp, built by hand so every analytics figure can be worked out on paper.

The week is Monday 29 April to Sunday 5 May 2024 in São Paulo: [2024-04-29 03:00Z, 2024-05-06 03:00Z).
Wednesday 1 May is a national holiday. Business hours: Monday to Friday, 08:00-18:00, local to each line.

Lines (tenant "default", time zone America/Sao_Paulo):
- L1 +5521999990000, São Paulo (UTC-3), team Vendas; bruno held it until Thu 2 May 12:00Z, then diana.
- L2 +5592999991111, Manaus (UTC-4), team Vendas, eva.
- L3 +5581999992222, Fernando de Noronha (UTC-2), team Suporte, carla.
Another tenant has a line and a message in the same week, which must never show up.

Messages (UTC, then the line's local time). `>` inbound, `<` outbound.

Chat A, L1, Maria (one-to-one, known since April):
  a0 > 04-20 13:00Z  Sat 10:00       before the week
  a1 < 04-20 13:10Z  Sat 10:10       before the week (a0 was answered)
  a2 > 04-29 12:00Z  Mon 09:00  opens (9 days of silence): turn T1, first response
  a3 > 04-29 12:02Z  Mon 09:02  audio; joins T1
  a4 < 04-29 12:10Z  Mon 09:10  answers T1: 600 s
  a5 > 04-29 12:30Z  Mon 09:30  20 min after a4: turn T2, not an opening
  a6 < 04-29 13:30Z  Mon 10:30  answers T2: 3600 s
  a7 > 05-01 02:30Z  Tue 23:30  after hours; 37 h of silence: opens T3 (Wednesday in UTC, Tuesday here)
  a8 < 05-02 11:30Z  Thu 08:30  answers T3: 118800 s; in business hours 1800 s (Wed is a holiday)
Chat B, L1, João, who came from an ad (referral 120208 "Plano Empresa"), diana's time:
  b1 > 05-02 17:00Z  Thu 14:00  referral; first message: opens T4; João is a new contact
  b2 < 05-02 17:20Z  Thu 14:20  answers T4: 1200 s
  b3 > 05-04 13:00Z  Sat 10:00  after hours; opens T5; never answered: at the week's end João has
                                 waited 38 h (0 business seconds)
Chat G, L2, group "Vendas - Equipe" (groups count in volumes, never in response figures):
  g0   04-29 11:00Z              a system line ("X added Y"): counted nowhere
  g1 > 04-29 11:30Z  Mon 07:30  after hours (Ana Parceira writes in the group)
  g2 < 04-29 12:15Z  Mon 08:15
  g3 < 05-01 14:00Z  Wed 10:00  a holiday: after hours
Chat C, L2, Pedro:
  c1 < 05-03 21:30Z  Fri 17:30  the line opens the chat (18:30 in São Paulo, but Manaus is still open)
  c2 > 05-03 21:45Z  Fri 17:45  an image: turn T6
  c3 < 05-03 21:50Z  Fri 17:50  answers T6: 300 s
Chat D, L3, Lúcia, from ad 777 "Suporte Premium":
  d1 > 05-06 02:30Z  Mon 00:30  Sunday 23:30 in São Paulo, so inside the week; Monday 00h on the line;
                                 opens T7; waiting only 30 min at the week's end
  d2 < 05-06 11:00Z  Mon 09:00  after the week, yet it answers T7: 30600 s (3600 business seconds)
Chat E, L3, Rafael, left waiting since before the week:
  e0 > 04-25 17:00Z  Thu 15:00  before the week, never answered
  e1 > 04-30 12:00Z  Tue 10:00  "??": joins the old turn; still unanswered at the week's end

Alerts: al1 L1 dados-pessoais high, 04-29 12:05Z, confirmed; al2 L1 dados-pessoais high, 05-02 17:10Z,
open; al3 L3 conduta critical, 05-06 02:40Z, false positive; al4 L2 fora-do-horario low, 04-28 (before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.models import Alert, Conversation, Line, Tenant
from atalaia.domain.enums import ConversationKind, Direction, MessageKind
from atalaia.domain.events import ContactRef, ConversationRef, MessageEvent
from atalaia.runtime import Runtime
from atalaia.services.lines import add_line, reassign_line
from atalaia.services.tenancy import ensure_tenant
from tests.conftest import ArchiveSetup
from tests.factories import MARIA

L1, L2, L3 = "+5521999990000", "+5592999991111", "+5581999992222"
WEEK = ("2024-04-29", "2024-05-05")
REASSIGNED_AT = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)


def _contact(digits: str, name: str) -> ContactRef:
    return ContactRef(key=f"wa:{digits}", wa_id=digits, phone=f"+{digits}", name=name)


JOAO = _contact("5521977771111", "João Anúncio")
PEDRO = _contact("5592977772222", "Pedro Manaus")
LUCIA = _contact("5581977773333", "Lúcia Noronha")
RAFAEL = _contact("5581977774444", "Rafael Espera")
ANA_PARCEIRA = _contact("5592977775555", "Ana Parceira")
GROUP = ConversationRef(key="group:120363025246125486@g.us", kind=ConversationKind.GROUP, subject="Vendas - Equipe")
AD_PLANO = {"source_url": "https://fb.me/abc", "source_id": "120208", "source_type": "ad", "headline": "Plano Empresa",
            "body": "50% off", "ctwa_clid": "ARAkLk"}  # fmt: skip
AD_SUPORTE = {"source_id": "777", "source_type": "ad", "headline": "Suporte Premium"}


def at(text: str) -> datetime:
    """'04-29 12:00' in 2024, UTC."""
    return datetime.strptime(f"2024-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def message(
    pid: str,
    direction: str,
    when: str,
    *,
    contact: ContactRef | None = None,
    group: bool = False,
    kind: MessageKind = MessageKind.TEXT,
    author: ContactRef | None = None,
    referral: dict[str, Any] | None = None,
) -> MessageEvent:
    inbound = direction == ">"
    conversation = GROUP if group else ConversationRef(key=contact.key, contact=contact)  # type: ignore[union-attr]
    return MessageEvent(
        provider_message_id=pid,
        conversation=conversation,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        kind=kind,
        sent_at=at(when),
        text=None if kind is not MessageKind.TEXT else f"mensagem {pid}",
        author=(author or contact) if inbound else None,
        referral=referral,
    )


CHAT_A = [
    message("a0", ">", "04-20 13:00", contact=MARIA),
    message("a1", "<", "04-20 13:10", contact=MARIA),
    message("a2", ">", "04-29 12:00", contact=MARIA),
    message("a3", ">", "04-29 12:02", contact=MARIA, kind=MessageKind.AUDIO),
    message("a4", "<", "04-29 12:10", contact=MARIA),
    message("a5", ">", "04-29 12:30", contact=MARIA),
    message("a6", "<", "04-29 13:30", contact=MARIA),
    message("a7", ">", "05-01 02:30", contact=MARIA),
    message("a8", "<", "05-02 11:30", contact=MARIA),
]
CHAT_B = [
    message("b1", ">", "05-02 17:00", contact=JOAO, referral=AD_PLANO),
    message("b2", "<", "05-02 17:20", contact=JOAO),
    message("b3", ">", "05-04 13:00", contact=JOAO),
]
CHAT_G = [
    message("g0", ">", "04-29 11:00", group=True, kind=MessageKind.SYSTEM),
    message("g1", ">", "04-29 11:30", group=True, author=ANA_PARCEIRA),
    message("g2", "<", "04-29 12:15", group=True),
    message("g3", "<", "05-01 14:00", group=True),
]
CHAT_C = [
    message("c1", "<", "05-03 21:30", contact=PEDRO),
    message("c2", ">", "05-03 21:45", contact=PEDRO, kind=MessageKind.IMAGE),
    message("c3", "<", "05-03 21:50", contact=PEDRO),
]
CHAT_D = [
    message("d1", ">", "05-06 02:30", contact=LUCIA, referral=AD_SUPORTE),
    message("d2", "<", "05-06 11:00", contact=LUCIA),
]
CHAT_E = [
    message("e0", ">", "04-25 17:00", contact=RAFAEL),
    message("e1", ">", "04-30 12:00", contact=RAFAEL),
]


@dataclass(frozen=True)
class Story:
    runtime: Runtime
    tenant: Tenant
    lines: dict[str, Line]


def build_story(setup: ArchiveSetup) -> Story:
    """The week above, archived into `setup`'s tenant (whose line L1 is `setup.line`)."""
    runtime, tenant = setup.runtime, setup.tenant
    with transaction(runtime.sessions) as session:
        lines = {
            L1: setup.line,
            L2: _line(session, tenant.id, L2, "waha", "Vendas", "eva@exemplo.com.br", "America/Manaus"),
            L3: _line(session, tenant.id, L3, "evolution", "Suporte", "carla@exemplo.com.br", "America/Noronha"),
        }
        reassign_line(session, tenant_id=tenant.id, number=L1, employee_email="diana@exemplo.com.br",
                      employee_name="Diana Vendas", now=REASSIGNED_AT)  # fmt: skip
    for number, events in ((L1, CHAT_A + CHAT_B), (L2, CHAT_G + CHAT_C), (L3, CHAT_D + CHAT_E)):
        _archive(runtime, tenant, lines[number], events)
    with transaction(runtime.sessions) as session:
        _alert(session, tenant.id, lines[L1], MARIA.key, "dados-pessoais", "high", "04-29 12:05", "confirmed")
        _alert(session, tenant.id, lines[L1], JOAO.key, "dados-pessoais", "high", "05-02 17:10", None)
        _alert(session, tenant.id, lines[L3], LUCIA.key, "conduta", "critical", "05-06 02:40", "false_positive")
        _alert(session, tenant.id, lines[L2], PEDRO.key, "fora-do-horario", "low", "04-28 12:00", None)
        other = ensure_tenant(session, keyring=runtime.keyring, slug="outra-empresa")
        other_line = add_line(session, tenant_id=other.id, number="+5511999993333", provider="export").line
    _archive(runtime, other, other_line, [message("x1", ">", "04-29 15:00", contact=MARIA)])
    return Story(runtime=runtime, tenant=tenant, lines=lines)


def _line(session: Any, tenant_id: int, number: str, provider: str, team: str, email: str, zone: str) -> Line:
    name = email.split("@")[0].title()
    return add_line(session, tenant_id=tenant_id, number=number, provider=provider, instance=name.lower(),
                    team=team, employee_email=email, employee_name=name, timezone=zone).line  # fmt: skip


def _archive(runtime: Runtime, tenant: Tenant, line: Line, events: Sequence[MessageEvent]) -> None:
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(tenant, line_id=line.id), events)


def _alert(
    session: Any, tenant_id: int, line: Line, chat: str, policy: str, severity: str, when: str, resolution: str | None
) -> None:
    conversation_id = session.execute(
        select(Conversation.id).where(Conversation.line_id == line.id, Conversation.key == chat)
    ).scalar_one()
    first = at(when)
    session.add(
        Alert(
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            line_id=line.id,
            team_id=line.team_id,
            employee_id=line.employee_id,
            policy=policy,
            rule=policy,
            title=policy,
            severity=severity,
            category="risk",
            window_key=first.date().isoformat(),
            first_hit_at=first,
            last_hit_at=first + timedelta(minutes=1),
            hit_count=1,
            status="resolved" if resolution else "open",
            resolution=resolution,
            created_at=first,
            updated_at=first,
        )
    )
