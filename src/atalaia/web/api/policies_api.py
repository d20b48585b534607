"""`/api/v1/policies`: read the tenant's policy versions, and import a new one (validated, versioned, audited).

Reading is for the roles that review conduct (admin, compliance, auditor); importing for admin and
compliance. A file with errors is refused with the loader's message (line and field), nothing stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from fastapi import APIRouter
from pydantic import BaseModel, Field

from atalaia.domain.enums import Role
from atalaia.errors import Forbidden
from atalaia.services.compliance.policies import MAX_POLICY_CHARS, import_policies, list_versions, version_text
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, SessionDep

READERS: Final = frozenset({Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR})
WRITERS: Final = frozenset({Role.ADMIN, Role.COMPLIANCE})
ERRORS = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]


class PolicyVersionOut(BaseModel):
    version: int
    sha256: str
    active: bool
    created_by: str
    created_at: datetime
    policies: list[str]


class PoliciesOut(BaseModel):
    active: PolicyVersionOut | None
    yaml: str | None = Field(description="The active version's YAML, as imported.")
    versions: list[PolicyVersionOut]


class PolicyImportIn(BaseModel):
    yaml: str = Field(min_length=1, max_length=MAX_POLICY_CHARS, description="The policy file (SPEC.md format).")


class PolicyImportOut(BaseModel):
    version: int
    sha256: str
    changed: bool = Field(description="False when this exact file was already the active version.")
    policies: list[str]
    rules: int


@router.get("/policies", response_model=PoliciesOut, summary="Policy versions and the active YAML")
def policies(session: SessionDep, principal: ApiUser) -> PoliciesOut:
    if principal.role not in READERS:
        raise Forbidden("as políticas são lidas por administradores, compliance e auditores")
    versions = [
        PolicyVersionOut(version=v.version, sha256=v.sha256, active=v.active, created_by=v.created_by,
                         created_at=v.created_at, policies=list(v.policies))
        for v in list_versions(session, tenant_id=principal.tenant_id)
    ]  # fmt: skip
    active = next((v for v in versions if v.active), None)
    text = version_text(session, tenant_id=principal.tenant_id, version=active.version) if active else None
    return PoliciesOut(active=active, yaml=text, versions=versions)


@router.post("/policies", response_model=PolicyImportOut, summary="Import and activate a policy file")
def import_policy_file(body: PolicyImportIn, session: SessionDep, principal: ApiUser) -> PolicyImportOut:
    if principal.role not in WRITERS:
        raise Forbidden("só administradores e compliance alteram as políticas")
    result = import_policies(session, tenant_id=principal.tenant_id, yaml_text=body.yaml, actor=principal.email,
                             user_id=principal.user_id, source="<api>")  # fmt: skip
    return PolicyImportOut(version=result.version, sha256=result.sha256, changed=result.changed,
                           policies=list(result.policies), rules=result.rules)  # fmt: skip
