"""A company with two teams, their lines, the people who review alerts, and a small policy file.

- ana: compliance officer; sees every alert and is the only one who may reveal an employee.
- bruno: manager of team Vendas; works Vendas' alerts only.
- carla: manager of team Suporte; must see nothing of Vendas.
- davi: auditor; reads everything, changes nothing.
- eduarda: the employee on the Vendas line (not a console user): the person alerts are about.
- fabio: the employee on the Suporte line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.models import Alert, AlertHit, Line, Tenant
from atalaia.domain.enums import Direction, MessageKind
from atalaia.domain.events import ArchiveEvent, AttachmentRef, ContactRef, MessageEvent
from atalaia.runtime import Runtime
from atalaia.services.compliance import Actor, Pseudonyms, ScanOutcome, actor_for_user, import_policies
from atalaia.services.compliance.scanning import scan_new_messages
from atalaia.services.lines import add_line
from atalaia.services.people import create_user
from atalaia.services.tenancy import ensure_tenant
from tests.factories import MARIA, T0, chat_with

POLICIES = """\
policies:
  - id: dados-pessoais
    name: Dados pessoais <enviados>
    severity: high
    scope: {direction: outbound}
    rules:
      - {id: cpf, detect: cpf}
      - {id: cartao, detect: credit_card, severity: critical}
  - id: conduta
    name: Conduta
    severity: critical
    rules:
      - {id: propina, detect: keywords, terms: [propina, caixa dois]}
  - id: negociacao
    name: Negociação
    category: opportunity
    scope: {direction: inbound, contacts: external}
    rules:
      - {id: desconto, detect: keywords, terms: [desconto], match: prefix}
  - id: suporte
    name: Garantia (Suporte)
    scope: {teams: [Suporte]}
    rules:
      - {id: garantia, detect: keywords, terms: [garantia]}
  - id: planilhas
    name: Planilhas
    severity: medium
    rules:
      - {id: xlsx, detect: file_type, types: [xlsx]}
"""

CPFS = ("529.982.247-25", "111.444.777-35", "123.456.789-09", "935.411.347-80", "390.533.447-05")
VENDAS_NUMBER = "+5521999990000"
SUPORTE_NUMBER = "+5511977770000"
PHONE_NUMBER_ID = "106540352242922"
COLLEAGUE = ContactRef(key="wa:5511977770000", wa_id="5511977770000", phone=SUPORTE_NUMBER, name="Fábio Rocha")


@dataclass(frozen=True)
class Story:
    runtime: Runtime
    tenant: Tenant
    vendas: Line
    suporte: Line
    users: dict[str, int]
    actors: dict[str, Actor] = field(default_factory=dict)

    @property
    def pseudonyms(self) -> Pseudonyms:
        return Pseudonyms(self.runtime.data_key(self.tenant))

    def archive(self, events: Sequence[ArchiveEvent], *, line: Line | None = None, notify: bool = True) -> ScanOutcome:
        """Archive and scan in one transaction, as ingestion does."""
        target = line or self.vendas
        with transaction(self.runtime.sessions) as session:
            result = archive_events(session, self.runtime.archive_context(self.tenant, line_id=target.id), events)
            return scan_new_messages(
                session, tenant_id=self.tenant.id, message_ids=result.new_message_ids, notify=notify
            )

    def alerts(self, policy: str | None = None) -> list[Alert]:
        with self.runtime.sessions() as session:
            query = select(Alert).where(Alert.tenant_id == self.tenant.id).order_by(Alert.id)
            if policy:
                query = query.where(Alert.policy == policy)
            return list(session.execute(query).scalars())

    def hits(self, alert_id: int) -> list[AlertHit]:
        with self.runtime.sessions() as session:
            return list(
                session.execute(select(AlertHit).where(AlertHit.alert_id == alert_id).order_by(AlertHit.id)).scalars()
            )


def build_story(runtime: Runtime, *, policies: str | None = POLICIES) -> Story:
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        vendas = add_line(
            session,
            tenant_id=tenant.id,
            number=VENDAS_NUMBER,
            provider="cloud",
            phone_number_id=PHONE_NUMBER_ID,
            team="Vendas",
            employee_email="eduarda@exemplo.com.br",
            employee_name="Eduarda Lima",
        ).line
        suporte = add_line(
            session,
            tenant_id=tenant.id,
            number=SUPORTE_NUMBER,
            provider="evolution",
            instance="suporte-fabio",
            team="Suporte",
            employee_email="fabio@exemplo.com.br",
            employee_name="Fábio Rocha",
            data_key=runtime.data_key(tenant),
        ).line
        users: dict[str, int] = {}
        for name, role, teams in [
            ("ana", "compliance", None),
            ("bruno", "manager", ["Vendas"]),
            ("carla", "manager", ["Suporte"]),
            ("davi", "auditor", None),
        ]:
            user = create_user(
                session, tenant_id=tenant.id, email=f"{name}@exemplo.com.br", role=role, teams=teams, name=name.title()
            ).user
            users[name] = user.id
        if policies is not None:
            import_policies(session, tenant_id=tenant.id, yaml_text=policies, actor="ana@exemplo.com.br")
    with runtime.sessions() as session:
        actors = {name: actor_for_user(session, tenant_id=tenant.id, user_id=uid) for name, uid in users.items()}
    return Story(runtime=runtime, tenant=tenant, vendas=vendas, suporte=suporte, users=users, actors=actors)


def said(
    provider_id: str,
    text: str,
    *,
    direction: Direction = Direction.OUTBOUND,
    minutes: int = 0,
    contact: ContactRef = MARIA,
    attachments: tuple[AttachmentRef, ...] = (),
) -> MessageEvent:
    """A message in the chat with `contact`, sent `minutes` after T0 (Friday 11:05 in São Paulo)."""
    kwargs: dict[str, Any] = {"author": contact} if direction is Direction.INBOUND else {"author_name": "Eduarda Lima"}
    return MessageEvent(
        provider_message_id=provider_id,
        conversation=chat_with(contact),
        direction=direction,
        kind=MessageKind.DOCUMENT if attachments else MessageKind.TEXT,
        sent_at=T0 + timedelta(minutes=minutes),
        text=text,
        attachments=attachments,
        **kwargs,
    )
