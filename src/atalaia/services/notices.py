"""The notice to third parties: every contact is told, once per line, that the chat is recorded.

The LGPD asks that people know their data is processed; the brief asks that whoever talks to a
corporate line is told the conversation is recorded and monitored (docs/decisions/0012).
1. Live traffic only: when a one-to-one chat with an outside contact gets a message sent in the
   last 24 hours, and the line never noticed that contact (or not within the tenant's
   `notice_every_days`), a notice is owed. A history backfill or an import owes nothing.
2. Cloud API lines send it themselves (`notice.send` job): free text inside WhatsApp's 24-hour
   window, the tenant's template outside it. Gateway lines whose connection is configured in
   Atalaia (services/line_connections.py) send it as free text through Evolution's
   `message/sendText` or WAHA's `api/sendText` (a linked device has no service window). The sent
   notice is archived as an outbound message of the conversation, so its delivery and reading
   arrive as ordinary statuses.
3. Lines that cannot send from Atalaia (exports, gateways without a configured connection) get a
   `manual` notice: the text the employee must send, listed for follow-up.
Concurrent first messages from one contact (two webhooks at once, or a retried one) owe one
notice: the candidate conversations are locked (PostgreSQL) or the transaction already holds the
write lock (SQLite) before earlier notices are looked up.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from atalaia.db.models import Contact, Conversation, DeliveryStatusRecord, Line, LineConnection, Message, Notice, Tenant
from atalaia.domain.enums import ConversationKind, Direction, LineStatus, MessageKind, Provider
from atalaia.domain.events import ContactRef, ConversationRef, MessageEvent
from atalaia.jobs.queue import ClaimedJob, JobFailed, enqueue
from atalaia.runtime import Runtime
from atalaia.services.line_connections import cloud_access_token, find_connection, open_secrets

KIND: Final = "notice.send"
RECENT: Final = timedelta(hours=24)  # only messages this fresh owe a notice (not a backfill)
SERVICE_WINDOW: Final = timedelta(hours=24)  # WhatsApp's customer-service window for free text
DEFAULT_TEXT: Final = (
    "Olá! Para sua segurança e em cumprimento à Lei Geral de Proteção de Dados (LGPD), informamos que "
    "as conversas com a {empresa} neste WhatsApp são registradas e podem ser monitoradas. "
    "Saiba como tratamos seus dados: {privacidade}"
)
STATUS_ORDER: Final = ("sent", "delivered", "read", "played")
GATEWAYS: Final = frozenset({Provider.EVOLUTION.value, Provider.WAHA.value})
MAX_RECIPIENT_DIGITS: Final = 20


def privacy_url(tenant: Tenant, public_url: str) -> str:
    return f"{public_url.rstrip('/')}/privacidade/{tenant.slug}"


def notice_text(tenant: Tenant, public_url: str) -> str:
    """The tenant's text (or the built-in one) with {empresa} and {privacidade} filled in."""
    template = tenant.notice_text or DEFAULT_TEXT
    return template.replace("{empresa}", tenant.name).replace("{privacidade}", privacy_url(tenant, public_url))


def queue_notices(
    session: Session, *, tenant: Tenant, message_ids: Sequence[int], public_url: str, now: datetime
) -> int:
    """Owe a notice for each fresh one-to-one chat with an outside contact among these new messages."""
    if not message_ids:
        return 0
    fresh = (
        select(Message.conversation_id)
        .where(Message.id.in_(message_ids), Message.sent_at >= now - RECENT)
        .distinct()
        .scalar_subquery()
    )
    candidates = session.execute(
        select(Conversation.id, Conversation.line_id, Conversation.contact_id, Line.provider)
        .join(Line, Line.id == Conversation.line_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            Conversation.id.in_(fresh),
            Conversation.kind == ConversationKind.DIRECT.value,
            Contact.is_internal.is_(False),
            Line.status != LineStatus.RETIRED.value,
        )
    ).all()
    if not candidates:
        return 0
    # Serialise concurrent first messages of one contact (SQLite: already, by its write lock).
    # FOR NO KEY UPDATE, the lock the archive's own UPDATE of the conversation takes: plain FOR
    # UPDATE would also wait for the KEY SHARE locks of other transactions inserting messages into
    # this conversation (foreign-key checks) while they wait for ours, a deadlock.
    session.execute(
        select(Conversation.id)
        .where(Conversation.id.in_([c.id for c in candidates]))
        .order_by(Conversation.id)
        .with_for_update(key_share=True)
    ).all()
    gateways_ready = set(
        session.execute(
            select(LineConnection.line_id).where(
                LineConnection.line_id.in_({c.line_id for c in candidates}),
                LineConnection.base_url.is_not(None),
                LineConnection.secrets_sealed.is_not(None),
            )
        ).scalars()
    )
    last = {
        (row.line_id, row.contact_id): row.latest
        for row in session.execute(
            select(Notice.line_id, Notice.contact_id, func.max(Notice.created_at).label("latest"))
            .where(
                Notice.line_id.in_({c.line_id for c in candidates}),
                Notice.contact_id.in_({c.contact_id for c in candidates}),
            )
            .group_by(Notice.line_id, Notice.contact_id)
        )
    }
    every = timedelta(days=tenant.notice_every_days) if tenant.notice_every_days else None
    text = notice_text(tenant, public_url)
    created = 0
    for candidate in candidates:
        previous = last.get((candidate.line_id, candidate.contact_id))
        if previous is not None and (every is None or previous > now - every):
            continue
        sends = candidate.provider == Provider.CLOUD.value or (
            candidate.provider in GATEWAYS and candidate.line_id in gateways_ready
        )
        notice = Notice(
            tenant_id=tenant.id,
            line_id=candidate.line_id,
            contact_id=candidate.contact_id,
            conversation_id=candidate.id,
            status="pending" if sends else "manual",
            text=text,
            reason=None if sends else "esta linha não envia mensagens pelo Atalaia: o funcionário deve enviar o aviso",
            created_at=now,
        )
        session.add(notice)
        session.flush()
        last[(candidate.line_id, candidate.contact_id)] = now
        if sends:
            enqueue(session, tenant_id=tenant.id, kind=KIND, payload={"notice_id": notice.id}, urgent=True)
        created += 1
    return created


def send_notice(runtime: Runtime, job: ClaimedJob, *, graph: GraphClient | None = None) -> None:
    """`notice.send`: send a pending notice through its line's provider and archive it as sent."""
    notice_id = int(job.payload["notice_id"])
    with runtime.sessions() as session:
        row = session.execute(
            select(Notice, Line, Contact, Conversation, Tenant)
            .join(Line, Line.id == Notice.line_id)
            .join(Contact, Contact.id == Notice.contact_id)
            .join(Conversation, Conversation.id == Notice.conversation_id)
            .join(Tenant, Tenant.id == Notice.tenant_id)
            .where(Notice.id == notice_id)
        ).one_or_none()
        if row is None:
            raise JobFailed(f"notice {notice_id} no longer exists", permanent=True)
        notice, line, contact, conversation, tenant = row
        if notice.status != "pending":
            return  # already sent (a retried job) or handled by hand
        last_inbound = session.execute(
            select(func.max(Message.sent_at)).where(
                Message.conversation_id == conversation.id, Message.direction == Direction.INBOUND.value
            )
        ).scalar_one()
        connection = find_connection(session, line.id)
        secrets = open_secrets(line, connection, data_key=runtime.data_key(tenant)) if connection else {}
        base_url = connection.base_url if connection else None
    recipient = contact.wa_id or (contact.phone or "").lstrip("+")
    if not recipient.isdigit() or len(recipient) > MAX_RECIPIENT_DIGITS:
        _finish(runtime, notice_id, status="failed", reason="o contato não tem número de WhatsApp conhecido")
        raise JobFailed("the contact has no wa_id to send to", permanent=True)
    now = datetime.now(UTC)
    if line.provider in GATEWAYS:
        wamid = _send_by_gateway(runtime, notice_id, line=line, base_url=base_url, secrets=secrets,
                                 recipient=recipient, text=notice.text)  # fmt: skip
        template = None
    else:
        inside_window = last_inbound is not None and last_inbound >= now - SERVICE_WINDOW
        template = None if inside_window else tenant.notice_template
        wamid = _send_by_cloud(runtime, notice_id, line=line, tenant=tenant, recipient=recipient, text=notice.text,
                               inside_window=inside_window, graph=graph,
                               token=cloud_access_token(secrets, runtime.settings.cloud_access_token))  # fmt: skip
    sent = MessageEvent(
        provider_message_id=wamid,
        conversation=ConversationRef(
            key=conversation.key, kind=ConversationKind.DIRECT, contact=ContactRef(key=contact.key)
        ),
        direction=Direction.OUTBOUND,
        kind=MessageKind.TEXT,
        sent_at=now,
        text=notice.text,
        author_name="Atalaia (aviso de monitoramento)",
        raw={"notice_id": notice_id, "template": template},
    )
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(tenant, line_id=line.id), [sent])
        current = session.get(Notice, notice_id)
        if current is not None:
            current.status, current.provider_message_id, current.sent_at = "sent", wamid, now


def _send_by_cloud(
    runtime: Runtime,
    notice_id: int,
    *,
    line: Line,
    tenant: Tenant,
    recipient: str,
    text: str,
    inside_window: bool,
    token: str | None,
    graph: GraphClient | None,
) -> str:
    """Free text inside the 24-hour window, the template outside it (`token`: `cloud_access_token`)."""
    if not line.phone_number_id:
        _finish(runtime, notice_id, status="failed", reason="a linha não tem phone number id")
        raise JobFailed("the line has no phone number id", permanent=True)
    if token is None and graph is None:
        raise JobFailed("ATALAIA_CLOUD_ACCESS_TOKEN is not configured and the line has no token")
    if not inside_window and not tenant.notice_template:
        reason = "fora da janela de 24 horas e sem modelo (template) de aviso configurado"
        _finish(runtime, notice_id, status="failed", reason=reason)
        raise JobFailed("outside the 24-hour window and no notice template configured", permanent=True)
    client = graph or GraphClient(base_url=runtime.settings.graph_base_url, access_token=token or "")
    try:
        if inside_window:
            return client.send_text(phone_number_id=line.phone_number_id, to=recipient, body=text)
        return client.send_template(phone_number_id=line.phone_number_id, to=recipient,
                                    name=tenant.notice_template or "", language=tenant.notice_language)  # fmt: skip
    except GraphError as exc:
        if exc.permanent:
            _finish(runtime, notice_id, status="failed", reason=str(exc)[:300])
        raise JobFailed(str(exc), permanent=exc.permanent) from exc
    finally:
        if graph is None:
            client.close()


def _send_by_gateway(
    runtime: Runtime, notice_id: int, *, line: Line, base_url: str | None, secrets: dict[str, str], recipient: str,
    text: str,
) -> str:  # fmt: skip
    """Evolution `message/sendText/{instance}` or WAHA `api/sendText`, with the instance's own key
    when Evolution gave one; the base URL is checked against the allowed origins at every use."""
    key = secrets.get("instance_key") or secrets.get("api_key")
    try:
        url = checked_base_url(base_url or "", allowed=runtime.settings.gateway_api_origins)
    except ValueError as exc:
        _finish(runtime, notice_id, status="failed", reason=str(exc)[:300])
        raise JobFailed(str(exc), permanent=True) from None
    if not key or not line.instance:
        _finish(runtime, notice_id, status="failed", reason="a conexão do gateway não está configurada")
        raise JobFailed("the gateway connection is not configured", permanent=True)
    try:
        if line.provider == Provider.EVOLUTION.value:
            evolution = EvolutionClient(base_url=url, api_key=key)
            try:
                return evolution.send_text(instance=line.instance, number=recipient, text=text)
            finally:
                evolution.close()
        waha = WahaClient(base_url=url, api_key=key)
        try:
            return waha.send_text(session=line.instance, chat_id=f"{recipient}@c.us", text=text)
        finally:
            waha.close()
    except GatewayApiError as exc:
        if exc.permanent:
            _finish(runtime, notice_id, status="failed", reason=str(exc)[:300])
        raise JobFailed(str(exc), permanent=exc.permanent) from exc


def _finish(runtime: Runtime, notice_id: int, *, status: str, reason: str) -> None:
    with transaction(runtime.sessions) as session:
        current = session.get(Notice, notice_id)
        if current is not None and current.status == "pending":
            current.status, current.reason = status, reason


@dataclass(frozen=True, slots=True)
class NoticeView:
    line: str
    contact: str
    status: str  # pending | sent | delivered | read | failed | manual | missing
    created_at: datetime | None
    reason: str | None


def list_notices(session: Session, *, tenant_id: int, missing_only: bool = False) -> list[NoticeView]:
    """Every notice with its delivery from the statuses, plus the outside contacts never noticed."""
    views: list[NoticeView] = []
    if not missing_only:
        delivered = (
            select(DeliveryStatusRecord.status)
            .where(
                DeliveryStatusRecord.line_id == Notice.line_id,
                DeliveryStatusRecord.target_message_id == Notice.provider_message_id,
            )
            .correlate(Notice)
        )
        for notice, number, who in session.execute(
            select(Notice, Line.number, func.coalesce(Contact.profile_name, Contact.phone, Contact.key))
            .join(Line, Line.id == Notice.line_id)
            .join(Contact, Contact.id == Notice.contact_id)
            .where(Notice.tenant_id == tenant_id)
            .order_by(Notice.id)
        ):
            status = notice.status
            if status == "sent":
                seen = set(session.execute(delivered.where(Notice.id == notice.id)).scalars())
                status = next((s for s in reversed(STATUS_ORDER) if s in seen), status)
            views.append(NoticeView(number, who, status, notice.created_at, notice.reason))
    noticed = select(Notice.id).where(
        Notice.line_id == Conversation.line_id, Notice.contact_id == Conversation.contact_id
    )
    for number, who in session.execute(
        select(Line.number, func.coalesce(Contact.profile_name, Contact.phone, Contact.key))
        .select_from(Conversation)
        .join(Line, Line.id == Conversation.line_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            Conversation.tenant_id == tenant_id,
            Conversation.kind == ConversationKind.DIRECT.value,
            Contact.is_internal.is_(False),
            ~noticed.exists(),
        )
        .order_by(Line.number, Contact.id)
    ):
        views.append(NoticeView(number, who, "missing", None, "nenhum aviso registrado"))
    return views
