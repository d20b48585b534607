"""The notice to third parties: every contact is told, once per line, that the chat is recorded.

The LGPD asks that people know their data is processed; the brief asks that whoever talks to a
corporate line is told the conversation is recorded and monitored (docs/decisions/0012).
1. Live traffic only: when a one-to-one chat with an outside contact gets a message sent in the
   last 24 hours, and the line never noticed that contact (or not within the tenant's
   `notice_every_days`), a notice is owed. A history backfill or an import owes nothing.
2. Cloud API lines send it themselves (`notice.send` job): free text inside WhatsApp's 24-hour
   window, the tenant's template outside it. The sent notice is archived as an outbound message
   of the conversation, so its delivery and reading arrive as ordinary statuses.
3. Lines that cannot send from Atalaia (exports, gateways for now) get a `manual` notice: the text
   the employee must send, listed for follow-up.
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
from atalaia.db.engine import transaction
from atalaia.db.models import Contact, Conversation, DeliveryStatusRecord, Line, Message, Notice, Tenant
from atalaia.domain.enums import ConversationKind, Direction, LineStatus, MessageKind, Provider
from atalaia.domain.events import ContactRef, ConversationRef, MessageEvent
from atalaia.jobs.queue import ClaimedJob, JobFailed, enqueue
from atalaia.runtime import Runtime

KIND: Final = "notice.send"
RECENT: Final = timedelta(hours=24)  # only messages this fresh owe a notice (not a backfill)
SERVICE_WINDOW: Final = timedelta(hours=24)  # WhatsApp's customer-service window for free text
DEFAULT_TEXT: Final = (
    "Olá! Para sua segurança e em cumprimento à Lei Geral de Proteção de Dados (LGPD), informamos que "
    "as conversas com a {empresa} neste WhatsApp são registradas e podem ser monitoradas. "
    "Saiba como tratamos seus dados: {privacidade}"
)
STATUS_ORDER: Final = ("sent", "delivered", "read", "played")


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
        sends = candidate.provider == Provider.CLOUD.value
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
            enqueue(session, tenant_id=tenant.id, kind=KIND, payload={"notice_id": notice.id})
        created += 1
    return created


def send_notice(runtime: Runtime, job: ClaimedJob, *, graph: GraphClient | None = None) -> None:
    """`notice.send`: send a pending notice on its Cloud API line and archive it as sent."""
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
    recipient = contact.wa_id or (contact.phone or "").lstrip("+")
    if not recipient or not line.phone_number_id:
        _finish(runtime, notice_id, status="failed", reason="o contato não tem número de WhatsApp conhecido")
        raise JobFailed("the contact has no wa_id to send to", permanent=True)
    token = runtime.settings.cloud_access_token
    if token is None:
        raise JobFailed("ATALAIA_CLOUD_ACCESS_TOKEN is not configured")
    now = datetime.now(UTC)
    inside_window = last_inbound is not None and last_inbound >= now - SERVICE_WINDOW
    if not inside_window and not tenant.notice_template:
        reason = "fora da janela de 24 horas e sem modelo (template) de aviso configurado"
        _finish(runtime, notice_id, status="failed", reason=reason)
        raise JobFailed("outside the 24-hour window and no notice template configured", permanent=True)
    client = graph or GraphClient(base_url=runtime.settings.graph_base_url, access_token=token.get_secret_value())
    try:
        if inside_window:
            wamid = client.send_text(phone_number_id=line.phone_number_id, to=recipient, body=notice.text)
        else:
            wamid = client.send_template(
                phone_number_id=line.phone_number_id,
                to=recipient,
                name=tenant.notice_template or "",
                language=tenant.notice_language,
            )
    except GraphError as exc:
        if exc.permanent:
            _finish(runtime, notice_id, status="failed", reason=str(exc)[:300])
        raise JobFailed(str(exc), permanent=exc.permanent) from exc
    finally:
        if graph is None:
            client.close()
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
        raw={"notice_id": notice_id, "template": None if inside_window else tenant.notice_template},
    )
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(tenant, line_id=line.id), [sent])
        current = session.get(Notice, notice_id)
        if current is not None:
            current.status, current.provider_message_id, current.sent_at = "sent", wamid, now


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
