"""Compliance: policies versioned per tenant, scanning into grouped alerts, cases, privacy, notifications.

Ingestion calls `scan_new_messages` in its archiving transaction, the attachment-text job calls
`scan_attachment_texts`; the web and the command line call the rest. Why it is built this way:
docs/decisions/0007-alerts-and-cases.md.
"""

from atalaia.services.compliance.actor import Actor, actor_for_user, alert_scope
from atalaia.services.compliance.backfill import BackfillResult, backfill, messages_after
from atalaia.services.compliance.cases import assign, comment, escalate, move, reopen, resolve, start_review
from atalaia.services.compliance.channels import add_email, add_webhook
from atalaia.services.compliance.policies import (
    ImportResult,
    PolicySet,
    active_policy_set,
    import_default_policies,
    import_policies,
    list_versions,
)
from atalaia.services.compliance.precision import RulePrecision, rule_precision
from atalaia.services.compliance.privacy import Pseudonyms, Revealed, reveal
from atalaia.services.compliance.scanning import NOTIFY_KIND, ScanOutcome, scan_attachment_texts, scan_new_messages
from atalaia.services.compliance.views import AlertDetail, AlertView, alert_detail, list_alerts

__all__ = [
    "NOTIFY_KIND",
    "Actor",
    "AlertDetail",
    "AlertView",
    "BackfillResult",
    "ImportResult",
    "PolicySet",
    "Pseudonyms",
    "Revealed",
    "RulePrecision",
    "ScanOutcome",
    "active_policy_set",
    "actor_for_user",
    "add_email",
    "add_webhook",
    "alert_detail",
    "alert_scope",
    "assign",
    "backfill",
    "comment",
    "escalate",
    "import_default_policies",
    "import_policies",
    "list_alerts",
    "list_versions",
    "messages_after",
    "move",
    "reopen",
    "resolve",
    "reveal",
    "rule_precision",
    "scan_attachment_texts",
    "scan_new_messages",
    "start_review",
]
