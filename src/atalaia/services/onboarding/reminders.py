"""Reminders to employees who were invited and have not accepted the rules in force.

Run by the worker's periodic checks. An employee is reminded when, for the version in force, they
have no acceptance and their latest link (invitation or reminder) either
- was sent at least ATALAIA_ONBOARDING_REMINDER_DAYS ago, or
- was about an older version (a new version was published since: they are told at once), or
- failed to go out for a reason that may pass (SMTP down: `retrying`).
So one person gets at most one e-mail per period for the same version.

1. Find who is due, per tenant, without locks.
2. Claim each one by superseding their latest link with a conditional UPDATE: when several workers
   run the check together, only one wins and only one reminder goes out.
3. In the same transaction issue the new link (audited), commit, then e-mail it and record how
   the delivery went (sending.deliver).
Nothing is sent while SMTP is not configured: no link would reach anyone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from atalaia.db.engine import transaction
from atalaia.db.models import Acceptance, Employee, Invitation, Tenant
from atalaia.runtime import Runtime
from atalaia.services.onboarding.invitations import employee_line, invitation_link, issue
from atalaia.services.onboarding.mail import Mailer, OnboardingMail
from atalaia.services.onboarding.sending import deliver, settings_mailer
from atalaia.services.onboarding.usage_rules import current_rules

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "atalaia"


@dataclass(frozen=True, slots=True)
class _Due:
    tenant_id: int
    employee_id: int
    latest_id: int
    reason: str  # reminder | new_version


def due_reminders(runtime: Runtime, *, now: datetime) -> list[_Due]:
    every = timedelta(days=runtime.settings.onboarding_reminder_days)
    due: list[_Due] = []
    with transaction(runtime.sessions) as session:
        tenants = session.execute(select(Invitation.tenant_id).distinct()).scalars().all()
        for tenant_id in tenants:
            rules = current_rules(session, tenant_id=tenant_id)
            latest = (
                select(func.max(Invitation.id).label("id"))
                .where(Invitation.tenant_id == tenant_id)
                .group_by(Invitation.employee_id)
                .subquery()
            )
            accepted = select(Acceptance.employee_id).where(Acceptance.version_id == rules.id)
            rows = session.execute(
                select(Invitation)
                .join(latest, latest.c.id == Invitation.id)
                .where(Invitation.employee_id.not_in(accepted))
                .order_by(Invitation.id)
            ).scalars()
            for invitation in rows:
                if invitation.rules_version < rules.version:
                    reason = "new_version"
                elif invitation.created_at <= now - every or invitation.email_status == "retrying":
                    reason = "reminder"
                else:
                    continue
                due.append(_Due(tenant_id, invitation.employee_id, invitation.id, reason))
    return due


def send_due_reminders(runtime: Runtime, *, now: datetime, mailer: Mailer | None = None) -> list[int]:
    """Send every reminder due now; returns the new invitations' ids."""
    if mailer is None:
        mailer, why = settings_mailer(runtime.settings)
        if mailer is None:
            log.debug("onboarding reminders skipped: %s", why)
            return []
    sent: list[int] = []
    for item in due_reminders(runtime, now=now):
        mail = _claim(runtime, item, now=now)
        if mail is None:
            continue  # another worker, or a new invitation, got there first
        invitation_id, message = mail
        deliver(runtime, invitation_id=invitation_id, mail=message, mailer=mailer)
        sent.append(invitation_id)
    return sent


class _Lost(Exception):
    """Raised inside the claim's transaction to roll it back: someone else reminded or invited first."""


def _claim(runtime: Runtime, item: _Due, *, now: datetime) -> tuple[int, OnboardingMail] | None:
    try:
        return _claim_or_raise(runtime, item, now=now)
    except _Lost:
        return None


def _claim_or_raise(runtime: Runtime, item: _Due, *, now: datetime) -> tuple[int, OnboardingMail]:
    with transaction(runtime.sessions) as session:
        claimed = session.execute(
            update(Invitation)
            .where(Invitation.id == item.latest_id, Invitation.superseded_at.is_(None))
            .values(superseded_at=now)
        )
        newer = session.execute(
            select(Invitation.id).where(Invitation.employee_id == item.employee_id, Invitation.id > item.latest_id)
        ).first()
        if cast(CursorResult[Any], claimed).rowcount != 1 or newer is not None:
            raise _Lost
        previous = session.get(Invitation, item.latest_id)
        employee = session.get(Employee, item.employee_id)
        tenant = session.get(Tenant, item.tenant_id)
        assert previous is not None
        assert employee is not None
        assert tenant is not None
        rules = current_rules(session, tenant_id=tenant.id)
        invitation, token = issue(session, employee=employee, line_id=previous.line_id, kind="reminder",
                                  rules_version=rules.version, actor=SYSTEM_ACTOR, now=now,
                                  days=runtime.settings.invitation_days)  # fmt: skip
        line = employee_line(session, employee_id=employee.id, line_id=previous.line_id)
        return invitation.id, OnboardingMail(
            to=employee.email, name=employee.name, company=tenant.name,
            link=invitation_link(runtime.settings.public_url, token), expires_at=invitation.expires_at,
            reason=item.reason, rules_version=rules.version, line=line.number if line else None,
            timezone=tenant.timezone,
        )  # fmt: skip
