"""What the transcript page adds for the live view and the step-in form (kept out of routes.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from atalaia.db.models import Tenant
from atalaia.runtime import Runtime
from atalaia.services.access import ConversationData, Principal
from atalaia.services.step_in import MAX_TEXT_CHARS, SENDERS, refusal, senders_of


def step_in_context(session: Session, runtime: Runtime, principal: Principal, data: ConversationData) -> dict[str, Any]:
    """Who sent which console message, the last message id the live view polls after, and whether
    (or why not) this user may send: the form is shown to senders only, the reason to them too."""
    tenant = session.get(Tenant, principal.tenant_id)
    may_send = principal.role in SENDERS
    reason = None
    if may_send and tenant is not None:
        reason = refusal(session, principal=principal, conversation_id=data["id"], data_key=runtime.data_key(tenant))
    return {
        "sent_by": senders_of(session, tenant_id=principal.tenant_id, conversation_id=data["id"]),
        "last_message_id": max((m["id"] for m in data["messages"]), default=0),
        "may_send": may_send,
        "send_refusal": reason,
        "max_step_in": MAX_TEXT_CHARS,
    }
