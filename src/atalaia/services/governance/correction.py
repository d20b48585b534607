"""`atalaia subject correct`: correct a data subject's contact data (LGPD art. 18, III).

1. The subject is found as `subject export` and erasure find them (identity.py); every contact
   row behind the number (its BSUID/LID aliases too) gets the same correction.
2. The request is entered in the register as kind `correction` and closed at once (`done`).
3. Per contact row whose values change: the previous and new values are sealed together with the
   tenant's data key into a `contact_corrections` row, then the contact shows the new ones. A
   corrected name is written to `profile_name` with `name_corrected_at`, so the console, exports
   and the subject export show it, and the next webhook's profile name does not undo it.
   Messages keep the name they were sent under (`author_name`): that is chained evidence.
4. Audited as `subject_corrected` with the fields changed and the SHA-256 of each sealed value,
   never the values: the audit log outlives an erasure, personal data must not.
A legal hold does not block a correction: nothing is lost, the old values stay sealed. An erasure
later empties the sealed values along with the contact (erasure.py).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Contact, ContactCorrection, Tenant
from atalaia.errors import InvalidInput
from atalaia.security.keys import open_sealed, seal
from atalaia.services import audit
from atalaia.services.governance.inputs import mask_phone, require_reason
from atalaia.services.governance.subject_requests import close_request, open_request
from atalaia.services.people import normalise_email
from atalaia.services.subject_export.identity import find_subject

MAX_NAME: Final = 200  # the column's size
MAX_EMAIL: Final = 320
MAX_NOTE: Final = 2_000
COLUMNS: Final = {"name": "profile_name", "email": "email", "note": "note"}


@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    """What the subject asked to correct; None leaves a field as it is, "" clears e-mail or note."""

    phone: str
    reason: str
    name: str | None = None
    email: str | None = None
    note: str | None = None


@dataclass(slots=True)
class CorrectionResult:
    request_id: int
    status: str
    subject: str  # the phone masked, as the register keeps it
    fields: list[str] = field(default_factory=list)  # fields whose value changed on some row
    contacts: int = 0  # contact rows changed
    corrections: list[int] = field(default_factory=list)  # contact_corrections rows written

    def as_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "status": self.status,
            "subject": self.subject,
            "fields": self.fields,
            "contacts": self.contacts,
            "corrections": self.corrections,
            "changed": bool(self.corrections),
        }


def validated(request: CorrectionRequest) -> dict[str, str | None]:
    """Field -> new value for the fields given, each checked; a clear error for anything else."""
    wanted: dict[str, str | None] = {}
    if request.name is not None:
        name = _single_line(request.name, label="nome")
        if not name:
            raise InvalidInput("O nome corrigido não pode ficar vazio.")
        if len(name) > MAX_NAME:
            raise InvalidInput(f"O nome tem no máximo {MAX_NAME} caracteres.")
        wanted["name"] = name
    if request.email is not None:
        email = request.email.strip()
        if email and len(email) > MAX_EMAIL:
            raise InvalidInput(f"O e-mail tem no máximo {MAX_EMAIL} caracteres.")
        try:
            wanted["email"] = normalise_email(_single_line(email, label="e-mail")) if email else None
        except InvalidInput:
            raise InvalidInput(f"E-mail inválido: {email[:80]!r}.") from None
    if request.note is not None:
        note = request.note.strip().replace("\x00", "")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"A observação tem no máximo {MAX_NOTE} caracteres.")
        wanted["note"] = note or None
    if not wanted:
        raise InvalidInput("Informe ao menos um dado a corrigir: --name, --email ou --note.")
    return wanted


def _single_line(value: str, *, label: str) -> str:
    text = unicodedata.normalize("NFC", value.strip())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise InvalidInput(f"O {label} não pode conter quebras de linha nem caracteres de controle.")
    return text


def correct_subject(
    session: Session,
    *,
    tenant: Tenant,
    data_key: bytes,
    request: CorrectionRequest,
    actor: str,
    user_id: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> CorrectionResult:
    """Correct one subject's contact data in the caller's transaction; see the module docstring."""
    now = now or datetime.now(UTC)
    reason = require_reason(request.reason, what="a correção")
    wanted = validated(request)
    subject = find_subject(session, tenant_id=tenant.id, query=request.phone)
    masked = mask_phone(subject.label)
    register = open_request(session, tenant_id=tenant.id, kind="correction", contact_id=subject.contact_ids[0],
                            subject=masked, reason=reason, actor=actor, now=now)  # fmt: skip
    result = CorrectionResult(request_id=register.id, status="", subject=masked)
    changed_fields: set[str] = set()
    sealed_digests: list[dict[str, Any]] = []
    contacts = session.execute(
        select(Contact).where(Contact.tenant_id == tenant.id, Contact.id.in_(subject.contact_ids)).order_by(Contact.id)
    ).scalars()
    for contact in contacts:
        before = {name: getattr(contact, column) for name, column in COLUMNS.items() if name in wanted}
        after = {name: value for name, value in wanted.items() if before[name] != value}
        if not after:
            continue
        before = {name: before[name] for name in after}
        sealed = seal(data_key, _plain(before, after), aad=correction_aad(tenant.id, contact.id))
        row = ContactCorrection(tenant_id=tenant.id, contact_id=contact.id, request_id=register.id, at=now,
                                actor=actor, reason=reason, fields=sorted(after), sealed=sealed)  # fmt: skip
        session.add(row)
        for name, value in after.items():
            setattr(contact, COLUMNS[name], value)
        if "name" in after:
            contact.name_corrected_at = now
        session.flush()
        changed_fields |= set(after)
        result.contacts += 1
        result.corrections.append(row.id)
        sealed_digests.append(
            {"id": row.id, "contact_id": contact.id, "sealed_sha256": hashlib.sha256(sealed).hexdigest()}
        )
    result.fields = sorted(changed_fields)
    close_request(register, erased=0, held=0, now=now)
    result.status = register.status
    audit.record(
        session,
        tenant_id=tenant.id,
        actor=actor,
        user_id=user_id,
        ip=ip,
        action="subject_corrected",
        object_type="subject_request",
        object_id=register.id,
        detail={"subject": masked, "reason": reason, "fields": result.fields, "corrections": sealed_digests},
    )
    return result


def correction_aad(tenant_id: int, contact_id: int) -> bytes:
    """Ties a sealed value to its tenant and contact: moved to another row, it no longer opens."""
    return f"contact-correction:{tenant_id}:{contact_id}".encode()


def _plain(before: dict[str, Any], after: dict[str, Any]) -> bytes:
    return json.dumps({"before": before, "after": after}, ensure_ascii=False, sort_keys=True).encode()


def correction_history(
    session: Session, *, tenant: Tenant, data_key: bytes, phone: str, actor: str, user_id: int | None = None
) -> list[dict[str, Any]]:
    """Every correction of the subject with the values it replaced, opened; the read is audited."""
    subject = find_subject(session, tenant_id=tenant.id, query=phone)
    rows = session.execute(
        select(ContactCorrection)
        .where(ContactCorrection.tenant_id == tenant.id, ContactCorrection.contact_id.in_(subject.contact_ids))
        .order_by(ContactCorrection.id)
    ).scalars()
    history = []
    for row in rows:
        values = (
            json.loads(open_sealed(data_key, row.sealed, aad=correction_aad(tenant.id, row.contact_id)))
            if row.sealed is not None
            else {"before": None, "after": None}  # emptied by an erasure
        )
        history.append({"id": row.id, "contact_id": row.contact_id, "request_id": row.request_id,
                        "at": row.at.isoformat(), "actor": row.actor, "reason": row.reason,
                        "fields": list(row.fields), **values})  # fmt: skip
    audit.record(session, tenant_id=tenant.id, actor=actor, user_id=user_id, action="read_subject_corrections",
                 object_type="subject", object_id=mask_phone(subject.label),
                 detail={"corrections": [h["id"] for h in history]})  # fmt: skip
    return history
