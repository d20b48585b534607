"""The weekly report to each manager, for each team they manage, sent from the worker's periodic checks.

From Monday 08:00 in the tenant's time zone, the ISO week before is due for every (active manager,
managed team) pair. Each pair and week is claimed before anything is sent:
1. a pair with no row is claimed by inserting one (`sending`); the unique (user, team, week) key
   makes a second worker's insert fail, so it sends nothing;
2. a pair whose last delivery failed for a reason that may pass (`retrying`), or whose sender died
   mid-way (`sending` for longer than `LEASE`), is claimed by a conditional UPDATE, at most
   `MAX_ATTEMPTS` times in all; a 5xx about the message or its recipient is `failed` at once.
Then the figures are computed, the e-mail (with the PDF) goes through `notify.email.deliver`, and
the outcome is recorded. Nothing runs while ATALAIA_SMTP_URL is unset or ATALAIA_WEEKLY_REPORTS is off.
A sender that dies after the SMTP server accepted the message and before recording it may send
that week again after the lease: at least once over at most once when the machine fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from atalaia.analytics import Period, ReportOptions, Scope, build_report
from atalaia.db.engine import transaction
from atalaia.db.models import Line, ManagedTeam, Team, Tenant, User, WeeklyReport
from atalaia.notify.base import DeliveryError
from atalaia.notify.email import SmtpConfig, deliver
from atalaia.reports.document import gather
from atalaia.reports.pdf import render_pdf
from atalaia.reports.weekly_mail import WeeklyMail, render
from atalaia.runtime import Runtime
from atalaia.services import audit

log = logging.getLogger(__name__)
SEND_FROM: Final = time(8, 0)  # Monday, tenant's local time
MAX_ATTEMPTS: Final = 5
LEASE: Final = timedelta(minutes=30)  # a `sending` row older than this was left by a dead sender
SYSTEM_ACTOR: Final = "atalaia"


@dataclass(frozen=True, slots=True)
class Due:
    tenant_id: int
    user_id: int
    team_id: int
    week_start: date  # Monday of the week reported
    timezone: str


def smtp_config(runtime: Runtime) -> SmtpConfig | None:
    """The SMTP server when weekly reports are on and configured, else None (and why, in the log)."""
    settings = runtime.settings
    url = settings.smtp_url.get_secret_value().strip() if settings.smtp_url is not None else ""
    if not settings.weekly_reports or not url:
        return None
    try:
        return SmtpConfig.from_url(url)
    except ValueError as exc:
        log.warning("weekly reports not sent: %s", exc)  # never contains the password
        return None


def reported_week(now: datetime, timezone: str) -> date | None:
    """The Monday of the week due at `now`: the ISO week before the current one, once it is Monday 08:00."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, SEND_FROM, tzinfo=local.tzinfo):
        return None
    return monday - timedelta(days=7)


def week_period(week_start: date, timezone: str) -> Period:
    zone = ZoneInfo(timezone)
    start = datetime.combine(week_start, time(0), tzinfo=zone)
    return Period(start=start, end=datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=zone),
                  timezone=timezone)  # fmt: skip


def send_weekly_reports(runtime: Runtime, *, now: datetime, config: SmtpConfig | None = None) -> list[Due]:
    """Send every weekly report due now that this process manages to claim; returns those sent."""
    config = config or smtp_config(runtime)
    if config is None:
        return []
    sent = []
    for item in due_reports(runtime, now=now):
        if claim(runtime, item, now=now) and _send(runtime, item, config, now=now):
            sent.append(item)
    return sent


def due_reports(runtime: Runtime, *, now: datetime) -> list[Due]:
    """Pairs whose week is due and that have no row yet or one worth another attempt (read without locks)."""
    due: list[Due] = []
    with transaction(runtime.sessions) as session:
        for tenant_id, zone in session.execute(select(Tenant.id, Tenant.timezone).order_by(Tenant.id)).all():
            week = reported_week(now, zone)
            if week is None:
                continue
            done = (
                select(WeeklyReport.id)
                .where(WeeklyReport.user_id == User.id, WeeklyReport.team_id == ManagedTeam.team_id,
                       WeeklyReport.week_start == week, or_(WeeklyReport.status.in_(("sent", "failed")),
                       and_(WeeklyReport.status == "sending", WeeklyReport.claimed_at > now - LEASE)))
                .exists()
            )  # fmt: skip
            pairs = session.execute(
                select(User.id, ManagedTeam.team_id)
                .join(ManagedTeam, ManagedTeam.user_id == User.id)
                .where(User.tenant_id == tenant_id, User.role == "manager", User.is_active.is_(True), ~done)
                .order_by(User.id, ManagedTeam.team_id)
            ).all()
            due += [Due(tenant_id, user_id, team_id, week, zone) for user_id, team_id in pairs]
    return due


def claim(runtime: Runtime, item: Due, *, now: datetime) -> bool:
    """Whether this process won the right to send `item` now (see the module's docstring)."""
    key = _key(item)
    with transaction(runtime.sessions) as session:
        exists = session.execute(select(WeeklyReport.id).where(*key)).first() is not None
    if not exists:
        try:
            with transaction(runtime.sessions) as session:
                row = WeeklyReport(
                    tenant_id=item.tenant_id, user_id=item.user_id, team_id=item.team_id,
                    week_start=item.week_start, status="sending", attempts=1, claimed_at=now,
                )  # fmt: skip
                session.add(row)
            return True
        except IntegrityError:
            return False  # another worker inserted it first: theirs to send
    with transaction(runtime.sessions) as session:
        result = session.execute(
            update(WeeklyReport)
            .where(*key, WeeklyReport.attempts < MAX_ATTEMPTS,
                   or_(WeeklyReport.status == "retrying",
                       and_(WeeklyReport.status == "sending", WeeklyReport.claimed_at <= now - LEASE)))
            .values(status="sending", attempts=WeeklyReport.attempts + 1, claimed_at=now, last_error=None)
        )  # fmt: skip
        return cast(CursorResult[Any], result).rowcount == 1


def _send(runtime: Runtime, item: Due, config: SmtpConfig, *, now: datetime) -> bool:
    try:
        message = _compose(runtime, item, config, now=now)
    except Exception as exc:  # a bug or a vanished team must not leave the row claimed for the whole lease
        log.exception("weekly report for user %s, team %s could not be built", item.user_id, item.team_id)
        _record(runtime, item, status="retrying", error=f"{type(exc).__name__}: {exc}")
        return False
    try:
        deliver(config, message)
    except DeliveryError as exc:
        attempts = _attempts(runtime, item)
        final = exc.permanent or attempts >= MAX_ATTEMPTS
        log.warning("weekly report to user %s, team %s, attempt %s: %s", item.user_id, item.team_id, attempts, exc)
        _record(runtime, item, status="failed" if final else "retrying", error=str(exc))
        return False
    _record(runtime, item, status="sent", error=None, sent_at=now)
    return True


def _compose(runtime: Runtime, item: Due, config: SmtpConfig, *, now: datetime) -> Any:
    with transaction(runtime.sessions) as session:
        user = session.get(User, item.user_id)
        team = session.get(Team, item.team_id)
        tenant = session.get(Tenant, item.tenant_id)
        if user is None or team is None or tenant is None:
            raise LookupError("user, team or tenant no longer exists")
        line_ids = frozenset(
            session.execute(select(Line.id).where(Line.tenant_id == item.tenant_id, Line.team_id == team.id)).scalars()
        )
        scope = Scope(tenant_id=item.tenant_id, line_ids=line_ids, team=team.name)
        period = week_period(item.week_start, item.timezone)
        document = gather(session, scope=scope, period=period, now=now)
        previous = build_report(session, scope=scope, period=week_period(item.week_start - timedelta(days=7),
                                item.timezone), options=ReportOptions(), now=now)  # fmt: skip
        audit.record(session, tenant_id=item.tenant_id, actor=SYSTEM_ACTOR, action="analytics_report_sent",
                     object_type="team", object_id=team.id,
                     detail={"to": user.email, "user_id": user.id, "week": item.week_start.isoformat(),
                             "via": "weekly_email"})  # fmt: skip
        mail = WeeklyMail(to=user.email, name=user.name, company=tenant.name, team=team.name,
                          week_start=item.week_start, current=document.report, previous=previous,
                          public_url=runtime.settings.public_url, pdf=render_pdf(document))  # fmt: skip
    delivery = f"weekly-{item.tenant_id}-{item.user_id}-{item.team_id}-{item.week_start.isoformat()}"
    return render(mail, sender=config.sender, delivery=delivery)


def _attempts(runtime: Runtime, item: Due) -> int:
    with transaction(runtime.sessions) as session:
        return session.execute(select(WeeklyReport.attempts).where(*_key(item))).scalar_one()


def _record(runtime: Runtime, item: Due, *, status: str, error: str | None, sent_at: datetime | None = None) -> None:
    with transaction(runtime.sessions) as session:
        session.execute(
            update(WeeklyReport)
            .where(*_key(item), WeeklyReport.status == "sending")
            .values(status=status, last_error=error[:300] if error else None, sent_at=sent_at)
        )


def _key(item: Due) -> tuple[Any, ...]:
    return (WeeklyReport.user_id == item.user_id, WeeklyReport.team_id == item.team_id,
            WeeklyReport.week_start == item.week_start)  # fmt: skip
