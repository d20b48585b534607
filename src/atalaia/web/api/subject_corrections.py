"""`POST /api/v1/subject-corrections`: correct a data subject's contact data (LGPD art. 18, III).

For the roles that answer data subjects (admin, compliance); others get 403. The work and its
audit are `services/governance/correction.py`'s, in the request's transaction.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from atalaia.db.models import Tenant
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden
from atalaia.services.governance import CorrectionRequest, correct_subject
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, RuntimeDep, SessionDep, client_ip

CORRECTORS: Final = frozenset({Role.ADMIN, Role.COMPLIANCE})
router = APIRouter(
    tags=["api"], responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)


class SubjectCorrectionIn(BaseModel):
    phone: str = Field(min_length=1, max_length=64, description="The subject's number (+55...) or WhatsApp id.")
    reason: str = Field(min_length=1, max_length=2000, description="The request being served; audited.")
    name: str | None = Field(default=None, max_length=1000, description="The correct name, shown from now on.")
    email: str | None = Field(default=None, max_length=1000, description='The correct e-mail; "" clears it.')
    note: str | None = Field(default=None, max_length=5000, description='A note on the contact; "" clears it.')


class SubjectCorrectionOut(BaseModel):
    request_id: int
    status: str
    subject: str = Field(description="The phone masked, as the request register keeps it.")
    fields: list[str] = Field(description="Fields whose value changed.")
    contacts: int
    corrections: list[int]
    changed: bool


@router.post("/subject-corrections", response_model=SubjectCorrectionOut,
             summary="Correct a data subject's contact data (LGPD art. 18, III)")  # fmt: skip
def subject_correction(
    body: SubjectCorrectionIn, request: Request, session: SessionDep, runtime: RuntimeDep, principal: ApiUser
) -> SubjectCorrectionOut:
    if principal.role not in CORRECTORS:
        raise Forbidden("só administradores e compliance corrigem dados de titulares")
    tenant = session.get_one(Tenant, principal.tenant_id)
    result = correct_subject(
        session,
        tenant=tenant,
        data_key=runtime.data_key(tenant),
        request=CorrectionRequest(
            phone=body.phone, reason=body.reason, name=body.name, email=body.email, note=body.note
        ),
        actor=principal.email,
        user_id=principal.user_id,
        ip=client_ip(request),
    )
    return SubjectCorrectionOut(**result.as_dict())
