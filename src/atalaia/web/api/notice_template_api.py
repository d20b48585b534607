"""`/api/v1/employee-notice-template`: the tenant's notice to an employee, read and versioned by API too.

The console edits it at /admin/employee-notice; scripts get the same rules here: everyone signed
in may read the current version (it holds no personal data), only administrators save a new one,
the same validation refuses unknown `{campo}` fields and line breaks in the subject (422).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.notice_templates import (
    FIELDS,
    MAX_BODY_CHARS,
    MAX_SUBJECT_CHARS,
    NoticeTemplate,
    current_template,
    save_template,
)
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, SessionDep

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses={code: {"model": ErrorOut} for code in (401, 403, 422)})


class NoticeTemplateIn(BaseModel):
    subject: str = Field(max_length=4 * MAX_SUBJECT_CHARS)  # bounds the body; the service says what is wrong
    body: str = Field(max_length=4 * MAX_BODY_CHARS)


class NoticeTemplateOut(BaseModel):
    version: int  # 0: the built-in Portuguese default
    subject: str
    body: str
    fields: list[str]
    created_by: str | None
    created_at: datetime | None


def _out(template: NoticeTemplate) -> NoticeTemplateOut:
    return NoticeTemplateOut(version=template.version, subject=template.subject, body=template.body,
                             fields=sorted(FIELDS), created_by=template.created_by,
                             created_at=template.created_at)  # fmt: skip


@router.get("/employee-notice-template", response_model=NoticeTemplateOut, summary="The current notice template")
def read_template(session: SessionDep, principal: ApiUser) -> NoticeTemplateOut:
    return _out(current_template(session, tenant_id=principal.tenant_id))


@router.put("/employee-notice-template", response_model=NoticeTemplateOut, summary="Save a new version (admins)")
def write_template(body: NoticeTemplateIn, session: SessionDep, principal: ApiUser) -> NoticeTemplateOut:
    saved = save_template(session, tenant_id=principal.tenant_id, actor=Actor.from_principal(principal),
                          subject=body.subject, body=body.body)  # fmt: skip
    return _out(saved)
