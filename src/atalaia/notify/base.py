"""What every channel shares: the notice, the recipient, the protocol and the error with its retry policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SEVERITY_PT: Final = {"low": "baixa", "medium": "média", "high": "alta", "critical": "crítica"}
CATEGORY_PT: Final = {"risk": "risco", "opportunity": "oportunidade"}
EVENT_PT: Final = {"created": "novo alerta", "escalated": "alerta escalado para a conformidade"}


class DeliveryError(Exception):
    """A delivery that failed; `permanent` ones (a refused mailbox, a 404) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class AlertNotice:
    """Everything a channel may tell about an alert: no message content beyond the redacted excerpt."""

    alert_id: int
    event: str  # created | escalated
    tenant: str  # slug
    url: str  # the alert in the console
    policy: str
    title: str  # the policy's name
    rule: str
    severity: str
    category: str
    status: str
    employee: str  # the pseudonym, never the name
    team: str | None
    line: str
    conversation_id: int
    first_hit_at: datetime
    last_hit_at: datetime
    hit_count: int
    excerpt: str  # redacted: ***.456.789-**
    timezone: str = "America/Sao_Paulo"

    @property
    def severity_pt(self) -> str:
        return SEVERITY_PT.get(self.severity, self.severity)

    @property
    def category_pt(self) -> str:
        return CATEGORY_PT.get(self.category, self.category)

    @property
    def event_pt(self) -> str:
        return EVENT_PT.get(self.event, self.event)

    def local(self, moment: datetime) -> str:
        """`dd/mm/aaaa hh:mm` in the tenant's time zone."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("America/Sao_Paulo")
        return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.alert_id,
            "url": self.url,
            "policy": self.policy,
            "title": self.title,
            "rule": self.rule,
            "severity": self.severity,
            "category": self.category,
            "status": self.status,
            "employee": self.employee,
            "team": self.team,
            "line": self.line,
            "conversation_id": self.conversation_id,
            "first_hit_at": self.first_hit_at.isoformat(),
            "last_hit_at": self.last_hit_at.isoformat(),
            "hit_count": self.hit_count,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str  # an e-mail address or a webhook URL
    name: str = ""
    secret: str | None = field(default=None, repr=False)  # a webhook's signing secret


class Notifier(Protocol):
    """One channel. `send` returns when the recipient's server accepted the notice."""

    channel: str

    def send(self, notice: AlertNotice, *, recipient: Recipient, delivery: str | None = None) -> None:
        """Deliver or raise DeliveryError (permanent=True when retrying cannot help).

        `delivery` identifies this delivery across retries (the notification's id), so a receiver
        can recognise a duplicate.
        """
        ...
