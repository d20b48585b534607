"""Usage rules, onboarding invitations and acceptances (docs/decisions/0022-usage-rules-and-onboarding.md).

The public face: the rest stays in its modules.
"""

from atalaia.services.onboarding.invitations import (
    AcceptedInvitation,
    InvitationRefused,
    OpenedInvitation,
    accept,
    open_invitation,
)
from atalaia.services.onboarding.markdown import render_markdown
from atalaia.services.onboarding.reminders import send_due_reminders
from atalaia.services.onboarding.report import AcceptanceReport, acceptance_report, read_acceptances
from atalaia.services.onboarding.sending import SentInvitation, invite_employee
from atalaia.services.onboarding.usage_rules import current_rules, get_version, publish_rules, rules_history

__all__ = [
    "AcceptanceReport",
    "AcceptedInvitation",
    "InvitationRefused",
    "OpenedInvitation",
    "SentInvitation",
    "accept",
    "acceptance_report",
    "current_rules",
    "get_version",
    "invite_employee",
    "open_invitation",
    "publish_rules",
    "read_acceptances",
    "render_markdown",
    "rules_history",
    "send_due_reminders",
]
