"""One report: every metric for a scope and period, in the order of the `atalaia report --json` contract.

The same function serves the command line and, later, the dashboards and e-mailed reports, so a
figure cannot differ between them. Each metric reads its facts in one place (hour buckets, chat
walks, alert and referral rows); see docs/decisions/0013-analytics-metrics.md for the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.analytics.alerts import alert_summary
from atalaia.analytics.buckets import hour_buckets
from atalaia.analytics.campaigns import find_campaigns
from atalaia.analytics.contacts import new_contacts
from atalaia.analytics.conversations import active_conversations
from atalaia.analytics.hours import HoursFor, business_seconds, hours_by_line
from atalaia.analytics.period import Period
from atalaia.analytics.responses import walk_chats
from atalaia.analytics.scope import Scope
from atalaia.analytics.tally import Clock, ResponseTally
from atalaia.analytics.volumes import fold_buckets, share
from atalaia.db.models import Line, Tenant

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class ReportOptions:
    business_hours: bool = False  # response and waiting times count business seconds only
    unanswered_hours: float = 24.0  # a customer waiting longer than this is unanswered
    session_gap_hours: float = 24.0  # silence after which a message opens a new exchange

    def as_json(self) -> dict[str, Any]:
        return {
            "business_hours": self.business_hours,
            "unanswered_hours": self.unanswered_hours,
            "session_gap_hours": self.session_gap_hours,
        }


def build_report(
    session: Session,
    *,
    scope: Scope,
    period: Period,
    options: ReportOptions | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The contract's keys first, then the extra figures; JSON-ready."""
    options = options or ReportOptions()
    now = now or datetime.now(UTC)
    hours_for = _hours_for(session, scope.tenant_id)
    volumes = fold_buckets(hour_buckets(session, scope, period), hours_for)
    chats = active_conversations(session, scope, period)
    campaigns = find_campaigns(session, scope, period)
    tally = ResponseTally(clock=_clock(hours_for, business=options.business_hours),
                          unanswered_after=options.unanswered_hours * HOUR)  # fmt: skip
    walk_chats(
        session,
        scope,
        period,
        tally,
        gap=timedelta(hours=options.session_gap_hours),
        campaigns=campaigns.of_message,
        as_of=min(period.end, now),
    )
    media = volumes.media
    return {
        "messages_in": volumes.messages_in,
        "messages_out": volumes.messages_out,
        "conversations": sum(chats.values()),
        "new_contacts": new_contacts(session, scope, period),
        "first_response_seconds": tally.first_response(),
        "unanswered": tally.unanswered,
        "after_hours_share": volumes.after_hours_share(),
        "by_hour": volumes.heat_map(),
        "alerts": alert_summary(session, scope, period),
        "campaigns": campaigns.as_json(tally.campaign_first_response),
        # Beyond the contract:
        "period": period.as_json(),
        "scope": scope.describe(),
        "options": options.as_json(),
        "conversations_started": dict(tally.openings),
        "response_seconds": tally.response(),
        "customer_spoke_last": tally.spoke_last,
        "after_hours": volumes.after_hours,
        "media": {
            "messages": media,
            "share": share(media, volumes.total),
            "by_kind": dict(sorted(volumes.by_kind.items())),
        },
        "by_conversation_kind": {
            kind: {"messages": volumes.by_conversation_kind.get(kind, 0), "conversations": n}
            for kind, n in chats.items()
        },
    }


def _hours_for(session: Session, tenant_id: int) -> HoursFor:
    zones = dict(session.execute(select(Line.id, Line.timezone).where(Line.tenant_id == tenant_id)).all())
    tenant_zone = session.execute(select(Tenant.timezone).where(Tenant.id == tenant_id)).scalar_one()
    return hours_by_line(zones, tenant_zone)


def _clock(hours_for: HoursFor, *, business: bool) -> Clock:
    if business:
        return lambda line_id, start, end: business_seconds(start, end, hours_for(line_id))
    return lambda _line_id, start, end: (end - start).total_seconds()
