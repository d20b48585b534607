"""`/policies`: the tenant's compliance policies — list, each one's YAML, edit, test on sample text.

Compliance and administrators edit; auditors and managers read (a manager must know the rules his
team is held to). Saving goes through `import_policies`, the same validation as the CLI and the API:
an error is shown in place with its line and field and nothing is stored; a valid file becomes a new
version, audited. The tester scans pasted text in memory (services/compliance/policy_view.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession
from atalaia.domain.enums import Role
from atalaia.errors import InvalidInput, NotFound
from atalaia.policies import PolicyError
from atalaia.services.access import Principal
from atalaia.services.compliance.policies import MAX_POLICY_CHARS, import_policies, list_versions, version_text
from atalaia.services.compliance.policy_view import (
    MAX_SAMPLE_CHARS,
    SampleResult,
    error_line,
    parsed,
    policy_yaml,
    scan_sample,
    summaries,
)
from atalaia.web.console.gate import require_roles
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
READERS: Final = (Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR, Role.MANAGER)
EDITORS: Final = (Role.ADMIN, Role.COMPLIANCE)
DIRECTIONS: Final = {"": "qualquer", "inbound": "recebida", "outbound": "enviada"}


def _active_text(session: Session, tenant_id: int) -> tuple[int | None, str]:
    active = next((v for v in list_versions(session, tenant_id=tenant_id) if v.active), None)
    if active is None:
        return None, ""
    return active.version, version_text(session, tenant_id=tenant_id, version=active.version)


def _base(principal: Principal, login: LoginSession) -> dict[str, Any]:
    return {"principal": principal, "csrf_token": login.csrf_token, "can_edit": principal.role in EDITORS}


def _list_page(request: Request, session: Session, principal: Principal, login: LoginSession, *,
               sample: str = "", direction: str = "", tested: SampleResult | None = None, error: str | None = None,
               done: str | None = None, status: int = 200) -> Response:  # fmt: skip
    version, text = _active_text(session, principal.tenant_id)
    context = {
        **_base(principal, login),
        "version": version,
        "policies": summaries(parsed(text)) if text else [],
        "versions": list(reversed(list_versions(session, tenant_id=principal.tenant_id))),
        "sample": sample,
        "direction": direction,
        "directions": DIRECTIONS,
        "tested": tested,
        "error": error,
        "done": done,
        "max_sample": MAX_SAMPLE_CHARS,
    }
    return templates.TemplateResponse(request, "pages/policies.html", context, status_code=status)


@router.get("/policies", response_class=HTMLResponse)
def policies(request: Request, session: SessionDep, user: CurrentUser, done: str = "") -> Response:
    principal, login = user
    require_roles(principal, *READERS)
    return _list_page(request, session, principal, login, done="Nova versão salva." if done == "saved" else None)


@router.post("/policies/test", response_class=HTMLResponse)
def try_policies(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    sample: Annotated[str, Form(max_length=4 * MAX_SAMPLE_CHARS)] = "",
    direction: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A POST (CSRF-checked) so the pasted text never lands in a URL, a log line or the history."""
    principal, login = user
    require_roles(principal, *READERS)
    try:
        tested = scan_sample(session, tenant_id=principal.tenant_id, text=sample, direction=direction or None,
                             actor=principal.email, user_id=principal.user_id, ip=client_ip(request))  # fmt: skip
    except InvalidInput as exc:
        return _list_page(request, session, principal, login, sample=sample, direction=direction, error=exc.message,
                          status=exc.status)  # fmt: skip
    return _list_page(request, session, principal, login, sample=sample, direction=direction, tested=tested)


def _edit_page(request: Request, principal: Principal, login: LoginSession, *, version: int | None, text: str,
               error: str | None = None, status: int = 200) -> Response:  # fmt: skip
    line = error_line(error) if error else None
    lines = text.splitlines()
    context = {
        **_base(principal, login),
        "version": version,
        "text": text,
        "error": f"Linha {line}: {error.split(':', 2)[2].strip()}" if error and line else error,
        "error_line": line,
        "error_source": lines[line - 1] if line and 0 < line <= len(lines) else None,
        "max_chars": MAX_POLICY_CHARS,
    }
    return templates.TemplateResponse(request, "pages/policy_edit.html", context, status_code=status)


@router.get("/policies/edit", response_class=HTMLResponse)
def edit_form(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    require_roles(principal, *EDITORS)
    version, text = _active_text(session, principal.tenant_id)
    return _edit_page(request, principal, login, version=version, text=text)


@router.post("/policies/edit", response_class=HTMLResponse)
def save(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    yaml_text: Annotated[str, Form(max_length=MAX_POLICY_CHARS)] = "",
) -> Response:
    principal, login = user
    require_roles(principal, *EDITORS)
    text = yaml_text.replace("\r\n", "\n")  # browsers send CRLF; the stored file keeps the editor's lines
    try:
        if not text.strip():
            raise InvalidInput("o arquivo está vazio; é preciso 'policies:' com uma lista de políticas")
        import_policies(session, tenant_id=principal.tenant_id, yaml_text=text, actor=principal.email,
                        user_id=principal.user_id, source="linha")  # fmt: skip
    except (InvalidInput, PolicyError) as exc:
        version, _ = _active_text(session, principal.tenant_id)
        return _edit_page(request, principal, login, version=version, text=text, error=exc.message, status=422)
    return RedirectResponse("/policies?done=saved", status_code=303)


@router.get("/policies/{policy_id}", response_class=HTMLResponse)
def policy_page(request: Request, session: SessionDep, user: CurrentUser, policy_id: str) -> Response:
    principal, login = user
    require_roles(principal, *READERS)
    version, text = _active_text(session, principal.tenant_id)
    found = next((p for p in parsed(text) if p.id == policy_id), None) if text else None
    if found is None:
        raise NotFound("política não encontrada na versão em vigor")
    context = {
        **_base(principal, login),
        "version": version,
        "policy": found,
        "summary": summaries([found])[0],
        "yaml": policy_yaml(text, policy_id) or "",
    }
    return templates.TemplateResponse(request, "pages/policy.html", context)
