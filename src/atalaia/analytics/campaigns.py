"""Click-to-WhatsApp ads: the chats their clicks opened, from the Cloud API `referral` of inbound messages.

A campaign is one ad (`source_id`; the ad's URL, then its headline, when Meta sends no id). Its
conversations are the distinct chats with a referral message from it in the period and scope;
its response time is that of the customer turns those messages belong to. Keyword campaigns
(terms or links in a customer's first message) and the conversion marker come later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from atalaia.analytics.buckets import counted_messages
from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.db.models import Message
from atalaia.domain.enums import Direction

FIELDS = ("source_id", "source_type", "source_url", "headline")


@dataclass(slots=True)
class Campaign:
    key: str
    source_id: str | None
    source_type: str | None
    source_url: str | None
    headline: str | None
    messages: int = 0
    conversations: set[int] = field(default_factory=set)

    def as_json(self, first_response: dict[str, float | None]) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "source_type": self.source_type,
            "source_url": self.source_url,
            "headline": self.headline,
            "conversations": len(self.conversations),
            "messages": self.messages,
            "first_response_seconds": first_response,
        }


@dataclass(slots=True)
class Campaigns:
    by_key: dict[str, Campaign] = field(default_factory=dict)
    of_message: dict[int, str] = field(default_factory=dict)  # referral message id -> campaign key

    def as_json(self, first_response: Callable[[str], dict[str, float | None]]) -> list[dict[str, Any]]:
        """Most conversations first, then by ad id."""
        ordered = sorted(self.by_key.values(), key=lambda c: (-len(c.conversations), c.key))
        return [c.as_json(first_response(c.key)) for c in ordered]


def find_campaigns(session: Session, scope: Scope, period: Period) -> Campaigns:
    fields = [Message.referral[name].as_string().label(name) for name in FIELDS]
    rows = session.execute(
        select(Message.id, Message.conversation_id, *fields)
        .where(
            *counted_messages(scope, period),
            Message.direction == Direction.INBOUND.value,
            or_(*(f.is_not(None) for f in fields if f.name != "source_type")),
        )
        .order_by(Message.sent_at, Message.id)
    )
    found = Campaigns()
    for row in rows:
        key = row.source_id or row.source_url or row.headline
        campaign = found.by_key.get(key)
        if campaign is None:
            campaign = found.by_key[key] = Campaign(key, row.source_id, row.source_type, row.source_url, row.headline)
        campaign.messages += 1
        campaign.conversations.add(row.conversation_id)
        found.of_message[row.id] = key
    return found
