"""What the console shows before an LGPD request is served: who the number is, and how much is held.

Counts only, no content; but looking a person up is itself worth a trace, so each preview is
audited as `subject_lookup` (with the number masked, as the request register keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Message
from atalaia.errors import NotFound
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.governance import held
from atalaia.services.governance.inputs import mask_phone, subject_phone
from atalaia.services.subject_export.identity import find_subject


@dataclass(frozen=True, slots=True)
class SubjectPreview:
    phone: str  # E.164, as typed by the DPO and normalised
    masked: str
    contacts: int  # contact rows behind the number (phone, WhatsApp ids, privacy ids)
    messages: int  # messages they wrote
    held: int  # of those, under an active legal hold


def preview_subject(
    session: Session, *, principal: Principal, phone: str, ip: str | None = None, now: datetime | None = None
) -> SubjectPreview:
    e164 = subject_phone(phone[:64])
    masked = mask_phone(e164)
    try:
        subject = find_subject(session, tenant_id=principal.tenant_id, query=e164)
    except NotFound:
        _audit(session, principal, masked, "failed", {"error": "NotFound"}, ip)
        raise NotFound(f"nenhum contato com o número {masked} no arquivo") from None
    contacts = list(subject.contact_ids)
    ids = list(
        session.execute(
            select(Message.id).where(Message.tenant_id == principal.tenant_id, Message.author_contact_id.in_(contacts))
        ).scalars()
    )
    kept = len(held(session, principal.tenant_id, ids, now=now or datetime.now(UTC)))
    _audit(session, principal, masked, "ok", {"contacts": len(contacts), "messages": len(ids), "held": kept}, ip)
    return SubjectPreview(phone=e164, masked=masked, contacts=len(contacts), messages=len(ids), held=kept)


def _audit(session: Session, principal: Principal, masked: str, outcome: str, detail: dict[str, int | str],
           ip: str | None) -> None:  # fmt: skip
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
        action="subject_lookup", object_type="subject", object_id=masked, outcome=outcome,
        detail={"role": principal.role.value, **detail}, ip=ip,
    )  # fmt: skip
