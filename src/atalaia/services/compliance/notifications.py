"""`compliance.notify`: deliver one alert event to everyone it is routed to, recording every delivery.

1. Route: a new alert goes to the managers of its line's team, to the compliance officers, to the
   tenant's mailing lists and webhooks; an escalated one skips the managers (it comes from them).
2. Write one `notifications` row per recipient (unique, so a rerun adds none) before sending.
3. For each delivery still due: record the attempt (committed), send, record the outcome. A
   delivery already sent is never sent again by a retried job; one interrupted mid-send is sent
   again (at least once: webhook receivers dedupe on `X-Atalaia-Delivery`).
4. Transient failures make the job fail softly, so the queue retries it with back-off (only the
   deliveries still due); permanent ones are recorded and left. On the job's last attempt what
   is still due is marked failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from atalaia.db.engine import transaction
from atalaia.db.models import Alert, AlertHit, Job, Line, ManagedTeam, Message, Notification, Team, Tenant, User
from atalaia.db.upsert import insert_ignore
from atalaia.domain.enums import Role
from atalaia.jobs.queue import ClaimedJob, JobFailed
from atalaia.notify.base import AlertNotice, DeliveryError, Notifier, Recipient
from atalaia.notify.email import EmailNotifier, SmtpConfig
from atalaia.notify.webhook import WebhookNotifier
from atalaia.policies.redact import excerpt, redact_match
from atalaia.runtime import Runtime
from atalaia.services.compliance.channels import EMAIL, WEBHOOK, active_channels, webhook_secret
from atalaia.services.compliance.privacy import Pseudonyms
from atalaia.services.compliance.scanning import NOTIFY_KIND

log = logging.getLogger(__name__)

KIND: Final = NOTIFY_KIND
DUE: Final = ("pending", "sending", "retrying")
NOTIFICATIONS: Table = Notification.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class _Delivery:
    id: int
    channel: str
    recipient: Recipient


def notify_alert(runtime: Runtime, job: ClaimedJob, *, notifiers: dict[str, Notifier] | None = None) -> None:
    """The job handler; `notifiers` replaces the channels built from settings (tests)."""
    alert_id = int(job.payload["alert_id"])
    event = str(job.payload.get("event") or "created")
    with transaction(runtime.sessions) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise JobFailed(f"alert {alert_id} no longer exists", permanent=True)
        tenant = session.get(Tenant, alert.tenant_id)
        assert tenant is not None
        data_key = runtime.data_key(tenant)
        public_url = runtime.settings.public_url
        notice = build_notice(
            session, alert=alert, tenant=tenant, event=event, data_key=data_key, public_url=public_url
        )
        due = _plan(session, alert=alert, event=event, data_key=data_key)
        row = session.get(Job, job.id)
        last_try = row is None or job.attempts >= row.max_attempts
    channels = notifiers if notifiers is not None else _channels(runtime)
    retry = 0
    for delivery in due:
        notifier = channels.get(delivery.channel)
        if notifier is None:
            _finish(runtime, delivery.id, status="skipped", error=f"{delivery.channel}: not configured")
            continue
        _attempt(runtime, delivery.id)
        try:
            notifier.send(notice, recipient=delivery.recipient, delivery=str(delivery.id))
        except DeliveryError as exc:
            again = not exc.permanent and not last_try
            retry += again
            _finish(runtime, delivery.id, status="retrying" if again else "failed", error=str(exc))
            log.warning("alert %s: %s delivery %s failed: %s", alert_id, delivery.channel, delivery.id, exc)
        else:
            _finish(runtime, delivery.id, status="sent")
    if retry:
        raise JobFailed(f"{retry} delivery(ies) of alert {alert_id} will be retried")


def build_notice(
    session: Session, *, alert: Alert, tenant: Tenant, event: str, data_key: bytes, public_url: str
) -> AlertNotice:
    """What may leave the archive about this alert: its facts, a pseudonym, one redacted excerpt."""
    line = session.get(Line, alert.line_id)
    team = session.get(Team, alert.team_id) if alert.team_id is not None else None
    return AlertNotice(
        alert_id=alert.id,
        event=event,
        tenant=tenant.slug,
        url=f"{public_url.rstrip('/')}/alerts/{alert.id}",
        policy=alert.policy,
        title=alert.title,
        rule=alert.rule,
        severity=alert.severity,
        category=alert.category,
        status=alert.status,
        employee=Pseudonyms(data_key).label(alert.employee_id),
        team=team.name if team else None,
        line=line.number if line else "",
        conversation_id=alert.conversation_id,
        first_hit_at=alert.first_hit_at,
        last_hit_at=alert.last_hit_at,
        hit_count=alert.hit_count,
        excerpt=_excerpt(session, alert),
        timezone=tenant.timezone,
    )


def _excerpt(session: Session, alert: Alert) -> str:
    row = session.execute(
        select(AlertHit, Message.text)
        .join(Message, Message.id == AlertHit.message_id)
        .where(AlertHit.alert_id == alert.id)
        .order_by(AlertHit.at, AlertHit.id)
        .limit(1)
    ).first()
    if row is None:
        return ""
    hit, text = row
    if hit.source == "text" and text:
        return excerpt(text, start=hit.start, end=hit.end)
    if hit.source == "attachment":
        return f"Arquivo: {redact_match('file_type', hit.match)}"
    if hit.source == "timestamp":
        return f"Mensagem enviada em {hit.match.replace('T', ' ')} ({hit.detail or 'fora do horário'})"
    return hit.match  # already redacted


def _plan(session: Session, *, alert: Alert, event: str, data_key: bytes) -> list[_Delivery]:
    """Write a row per recipient (once), then return the deliveries still due, oldest first."""
    recipients: dict[tuple[str, str], Recipient] = {}
    if event != "escalated":
        team_id = session.execute(select(Line.team_id).where(Line.id == alert.line_id)).scalar_one_or_none()
        for email, name in session.execute(
            select(User.email, User.name)
            .join(ManagedTeam, ManagedTeam.user_id == User.id)
            .where(ManagedTeam.team_id == team_id, User.role == Role.MANAGER.value, User.is_active.is_(True))
        ):
            recipients[(EMAIL, email)] = Recipient(address=email, name=name)
    for email, name in session.execute(
        select(User.email, User.name).where(
            User.tenant_id == alert.tenant_id, User.role == Role.COMPLIANCE.value, User.is_active.is_(True)
        )
    ):
        recipients[(EMAIL, email)] = Recipient(address=email, name=name)
    for channel in active_channels(session, tenant_id=alert.tenant_id):
        if channel.kind == EMAIL:
            recipients.setdefault((EMAIL, channel.target), Recipient(address=channel.target))
        elif channel.kind == WEBHOOK:
            secret = webhook_secret(channel, data_key=data_key)
            recipients[(WEBHOOK, channel.target)] = Recipient(address=channel.target, secret=secret)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {
            "tenant_id": alert.tenant_id,
            "alert_id": alert.id,
            "event": event,
            "channel": channel,
            "recipient": address,
            "status": "pending",
            "attempts": 0,
            "last_error": None,
            "created_at": now,
            "sent_at": None,
        }
        for (channel, address) in recipients
    ]
    insert_ignore(session, NOTIFICATIONS, rows, conflict_columns=["alert_id", "event", "channel", "recipient"])
    due = session.execute(
        select(Notification.id, Notification.channel, Notification.recipient)
        .where(Notification.alert_id == alert.id, Notification.event == event, Notification.status.in_(DUE))
        .order_by(Notification.id)
    ).all()
    return [
        _Delivery(
            id=n.id, channel=n.channel, recipient=recipients.get((n.channel, n.recipient), Recipient(n.recipient))
        )
        for n in due
    ]


def _attempt(runtime: Runtime, notification_id: int) -> None:
    """Record the attempt before sending: a crash mid-send leaves a trace and a retry."""
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(status="sending", attempts=Notification.attempts + 1)
        )


def _finish(runtime: Runtime, notification_id: int, *, status: str, error: str | None = None) -> None:
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(
                status=status,
                last_error=error[:2000] if error else None,
                sent_at=datetime.now(UTC) if status == "sent" else None,
            )
        )


def _channels(runtime: Runtime) -> dict[str, Notifier]:
    channels: dict[str, Notifier] = {WEBHOOK: WebhookNotifier()}
    smtp_url = runtime.settings.smtp_url
    if smtp_url is not None and smtp_url.get_secret_value().strip():
        try:
            channels[EMAIL] = EmailNotifier(SmtpConfig.from_url(smtp_url.get_secret_value()))
        except ValueError as exc:
            log.error("alert e-mail disabled: %s", exc)  # the message never contains the password
    return channels
