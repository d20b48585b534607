"""Step-in: a manager or compliance officer sends a text into a conversation from the console.

1. `plan` checks, in the caller's short transaction: the conversation is in the user's scope (a
   manager's teams; else 404 like a missing one), the role may send (manager, compliance), the text
   is 1..MAX_TEXT_CHARS, the line can send (Cloud API with a phone number id and a token; Evolution
   or WAHA with a configured connection) and, on the Cloud API, the contact wrote within the last
   24 hours (outside that window WhatsApp accepts only an approved template).
2. `step_in` sends through the line's provider outside any transaction (the provider may be slow;
   on SQLite a transaction would hold every webhook back), then archives the message as the
   line's outbound message under the provider's id, and records who sent it (`StepIn`) in the
   same transaction. The archive is idempotent on (line, provider id): the gateway's echo webhook,
   before or after, never makes a second copy. Every attempt, refused or sent, is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaia.archive import archive_events
from atalaia.connectors.cloud_api.graph import GraphClient, GraphError
from atalaia.connectors.evolution.client import EvolutionClient
from atalaia.connectors.gateway_api import GatewayApiError, checked_base_url
from atalaia.connectors.waha.client import WahaClient
from atalaia.db.engine import transaction
from atalaia.db.models import Contact, Conversation, Line, Message, StepIn, Tenant
from atalaia.domain.enums import ConversationKind, Direction, MessageKind, Provider, Role
from atalaia.domain.events import ContactRef, ConversationRef, MessageEvent
from atalaia.errors import AtalaiaError, Conflict, Forbidden, InvalidInput, NotFound
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.access import NOT_FOUND, Principal, scope_filter
from atalaia.services.line_connections import cloud_access_token, find_connection, open_secrets

MAX_TEXT_CHARS: Final = 1000  # WhatsApp takes 4,096; a step-in is a short intervention
SERVICE_WINDOW: Final = timedelta(hours=24)
SENDERS: Final = frozenset({Role.MANAGER, Role.COMPLIANCE})
GATEWAYS: Final = frozenset({Provider.EVOLUTION.value, Provider.WAHA.value})
MAX_RECIPIENT_DIGITS: Final = 20
AUTHOR_SUFFIX: Final = " (pelo Atalaia)"


class SendFailed(AtalaiaError):
    """The provider refused or could not be reached; nothing was archived."""

    status = 502


@dataclass(frozen=True, slots=True)
class SendPlan:
    """Everything the send needs, read in one short transaction."""

    tenant: Tenant
    line: Line
    conversation_id: int
    conversation_key: str
    contact_key: str
    recipient: str
    base_url: str | None
    secrets: dict[str, str]


@dataclass(frozen=True, slots=True)
class StepInResult:
    message_id: int
    provider_message_id: str


def refusal(session: Session, *, principal: Principal, conversation_id: int, data_key: bytes | None = None,
            now: datetime | None = None) -> str | None:  # fmt: skip
    """Why this user cannot step into this conversation now, or None when they can (for the page)."""
    try:
        _plan(session, principal=principal, conversation_id=conversation_id, data_key=data_key,
              now=now or datetime.now(UTC))  # fmt: skip
    except (Forbidden, Conflict) as exc:
        return exc.message
    return None


def step_in(
    runtime: Runtime,
    *,
    principal: Principal,
    conversation_id: int,
    text: str,
    ip: str | None = None,
    graph: GraphClient | None = None,
) -> StepInResult:
    """Send `text` into the conversation through its line, archive it once, record who sent it; audited."""
    clean = text.replace("\r\n", "\n").strip()
    now = datetime.now(UTC)
    try:
        if not clean or len(clean) > MAX_TEXT_CHARS:
            raise InvalidInput(f"a mensagem precisa ter de 1 a {MAX_TEXT_CHARS} caracteres")
        with transaction(runtime.sessions) as session:
            tenant = session.get(Tenant, principal.tenant_id)
            key = runtime.data_key(tenant) if tenant is not None else None
            plan = _plan(session, principal=principal, conversation_id=conversation_id, data_key=key, now=now)
        provider_id = _send(runtime, plan, text=clean, graph=graph)
    except AtalaiaError as exc:
        _audit_refusal(runtime, principal, conversation_id=conversation_id, ip=ip, reason=exc)
        raise
    event = MessageEvent(
        provider_message_id=provider_id,
        conversation=ConversationRef(
            key=plan.conversation_key, kind=ConversationKind.DIRECT, contact=ContactRef(key=plan.contact_key)
        ),
        direction=Direction.OUTBOUND,
        kind=MessageKind.TEXT,
        sent_at=now,
        text=clean,
        author_name=principal.email + AUTHOR_SUFFIX,
        raw={"step_in": {"user_id": principal.user_id, "by": principal.email}},
    )
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(plan.tenant, line_id=plan.line.id), [event])
        message_id = session.execute(
            select(Message.id).where(Message.line_id == plan.line.id, Message.provider_message_id == provider_id)
        ).scalar_one()
        recorded = session.execute(
            select(StepIn.id).where(StepIn.line_id == plan.line.id, StepIn.provider_message_id == provider_id)
        ).first()
        if recorded is None:
            session.add(StepIn(tenant_id=principal.tenant_id, line_id=plan.line.id, conversation_id=conversation_id,
                               provider_message_id=provider_id, user_id=principal.user_id, sent_by=principal.email,
                               sent_at=now))  # fmt: skip
        audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                     action="step_in_sent", object_type="conversation", object_id=conversation_id, ip=ip,
                     detail={"role": principal.role.value, "message_id": message_id, "chars": len(clean),
                             "provider": plan.line.provider})  # fmt: skip
    return StepInResult(message_id=message_id, provider_message_id=provider_id)


def senders_of(session: Session, *, tenant_id: int, conversation_id: int) -> dict[str, StepIn]:
    """The step-ins of one conversation by provider message id: who sent which console message."""
    rows = session.execute(
        select(StepIn).where(StepIn.tenant_id == tenant_id, StepIn.conversation_id == conversation_id)
    ).scalars()
    return {row.provider_message_id: row for row in rows}


def _plan(
    session: Session, *, principal: Principal, conversation_id: int, data_key: bytes | None, now: datetime
) -> SendPlan:
    row = session.execute(
        select(Conversation, Line, Contact, Tenant)
        .join(Line, Line.id == Conversation.line_id)
        .join(Tenant, Tenant.id == Conversation.tenant_id)
        .outerjoin(Contact, Contact.id == Conversation.contact_id)
        .where(scope_filter(principal), Conversation.id == conversation_id)
    ).one_or_none()
    if row is None:
        raise NotFound(NOT_FOUND)
    conversation, line, contact, tenant = row
    if principal.role not in SENDERS:
        raise Forbidden("só gestores (da equipe da linha) e a conformidade enviam mensagens pelo Atalaia")
    if conversation.kind != ConversationKind.DIRECT.value or contact is None:
        raise Conflict("o envio pelo Atalaia é só para conversas individuais, não para grupos")
    recipient = contact.wa_id or (contact.phone or "").lstrip("+")
    if not recipient.isdigit() or len(recipient) > MAX_RECIPIENT_DIGITS:
        raise Conflict("o contato não tem número de WhatsApp conhecido")
    connection = find_connection(session, line.id)
    secrets = open_secrets(line, connection, data_key=data_key) if connection and data_key else {}
    if line.provider == Provider.CLOUD.value:
        if not line.phone_number_id:
            raise Conflict("esta linha da API oficial não tem phone number id configurado")
        last_inbound = session.execute(
            select(func.max(Message.sent_at)).where(
                Message.conversation_id == conversation.id, Message.direction == Direction.INBOUND.value
            )
        ).scalar_one()
        if last_inbound is None or last_inbound < now - SERVICE_WINDOW:
            raise Conflict(
                "fora da janela de 24 horas da API oficial: o contato não escreveu nas últimas 24 horas, e o "
                "WhatsApp só aceita um modelo (template) aprovado; texto livre será possível quando ele escrever"
            )
    elif line.provider in GATEWAYS:
        if connection is None or not connection.base_url or not line.instance or not secrets:
            raise Conflict("a conexão do gateway desta linha não está configurada no Atalaia")
    else:
        raise Conflict("esta linha não envia mensagens pelo Atalaia (é arquivada por exportação)")
    return SendPlan(tenant=tenant, line=line, conversation_id=conversation.id, conversation_key=conversation.key,
                    contact_key=contact.key, recipient=recipient,
                    base_url=connection.base_url if connection else None, secrets=secrets)  # fmt: skip


def _send(runtime: Runtime, plan: SendPlan, *, text: str, graph: GraphClient | None) -> str:
    line = plan.line
    if line.provider == Provider.CLOUD.value:
        token = cloud_access_token(plan.secrets, runtime.settings.cloud_access_token)
        if token is None and graph is None:
            raise Conflict("esta linha da API oficial não tem token de acesso configurado")
        client = graph or GraphClient(base_url=runtime.settings.graph_base_url, access_token=token or "")
        try:
            return client.send_text(phone_number_id=line.phone_number_id or "", to=plan.recipient, body=text)
        except GraphError as exc:
            raise SendFailed(f"a API oficial recusou o envio: {str(exc)[:300]}") from None
        finally:
            if graph is None:
                client.close()
    key = plan.secrets.get("instance_key") or plan.secrets.get("api_key") or ""
    try:
        url = checked_base_url(plan.base_url or "", allowed=runtime.settings.gateway_api_origins)
    except ValueError as exc:
        raise Conflict(str(exc)) from None
    try:
        if line.provider == Provider.EVOLUTION.value:
            evolution = EvolutionClient(base_url=url, api_key=key)
            try:
                return evolution.send_text(instance=line.instance or "", number=plan.recipient, text=text)
            finally:
                evolution.close()
        waha = WahaClient(base_url=url, api_key=key)
        try:
            return waha.send_text(session=line.instance or "", chat_id=f"{plan.recipient}@c.us", text=text)
        finally:
            waha.close()
    except GatewayApiError as exc:
        raise SendFailed(f"o gateway recusou o envio: {exc}") from None


def _audit_refusal(
    runtime: Runtime, principal: Principal, *, conversation_id: int, ip: str | None, reason: AtalaiaError
) -> None:
    """Kept in its own transaction: the refusal is evidence even though the request fails."""
    with transaction(runtime.sessions) as session:
        audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                     action="step_in_sent", object_type="conversation", object_id=conversation_id, ip=ip,
                     outcome="denied" if reason.status < 500 else "failed",
                     detail={"role": principal.role.value, "reason": reason.message[:300]})  # fmt: skip
