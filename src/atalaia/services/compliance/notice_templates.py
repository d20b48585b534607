"""The tenant's template for the notice to an employee: whitelisted fields, versioned, never evaluated.

A template is plain text with `{campo}` placeholders from a fixed list (FIELDS); saving refuses
any other `{nome}` so a typo is caught by the administrator rather than mailed. Rendering is one
regex pass that swaps known names for values: nothing in the template or in a value is ever
evaluated (no Jinja, no `str.format`, so `{{ ''.__class__ }}` or `{0.__init__}` stay literal
text), and a value that itself looks like `{politica}` is not substituted again. The HTML part
escapes everything. The built-in default (version 0) says what was detected in general terms,
the policy's name and the date, and never the message text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaia.db.models import EmployeeNoticeTemplate
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden, InvalidInput
from atalaia.services import audit
from atalaia.services.compliance.actor import Actor

MAX_SUBJECT_CHARS: Final = 200
MAX_BODY_CHARS: Final = 10_000
MAX_VALUE_CHARS: Final = 200  # a field's value, as filled in (names and titles are bounded anyway)
FIELDS: Final = {
    "colaborador": "nome do colaborador",
    "empresa": "nome da empresa",
    "politica": "nome da política que gerou o alerta",
    "data": "data da ocorrência (dd/mm/aaaa)",
    "alerta": "número do alerta",
    "contato": "e-mail de quem envia o aviso (a conformidade)",
}
SAMPLE: Final = {
    "colaborador": "Maria da Silva",
    "empresa": "Empresa Exemplo",
    "politica": "Dados pessoais",
    "data": "01/03/2026",
    "alerta": "123",
    "contato": "conformidade@exemplo.com.br",
}
DEFAULT_SUBJECT: Final = "Aviso de conformidade: uso do WhatsApp corporativo"
DEFAULT_BODY: Final = """\
Olá, {colaborador}.

A equipe de conformidade da {empresa} identificou, em {data}, uma situação no seu WhatsApp
corporativo relacionada à política "{politica}" (alerta nº {alerta}).

Este aviso não é uma acusação: é um lembrete das regras de uso da linha corporativa, que você
aceitou. Por favor, revise essas regras e evite enviar dados pessoais, documentos confidenciais ou
conteúdos que contrariem a política pelo WhatsApp.

Se tiver dúvidas, ou se entender que o alerta não procede, fale com a conformidade: {contato}.

Atenciosamente,
Equipe de conformidade da {empresa}
"""
_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LINE_BREAKS: Final = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class NoticeTemplate:
    version: int  # 0: the built-in default
    subject: str
    body: str
    created_by: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    subject: str
    text: str


def current_template(session: Session, *, tenant_id: int) -> NoticeTemplate:
    """The highest saved version, or the built-in default (version 0)."""
    row = session.execute(
        select(EmployeeNoticeTemplate)
        .where(EmployeeNoticeTemplate.tenant_id == tenant_id)
        .order_by(EmployeeNoticeTemplate.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return NoticeTemplate(version=0, subject=DEFAULT_SUBJECT, body=DEFAULT_BODY)
    return NoticeTemplate(row.version, row.subject, row.body, row.created_by, row.created_at)


def check_template(subject: str, body: str) -> tuple[str, str]:
    """The cleaned subject and body, or InvalidInput naming what is wrong."""
    subject = _LINE_BREAKS.sub(" ", subject or "").strip()
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not subject:
        raise InvalidInput("informe o assunto do aviso")
    if not body:
        raise InvalidInput("informe o texto do aviso")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise InvalidInput(f"o assunto passa de {MAX_SUBJECT_CHARS} caracteres")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput(f"o texto passa de {MAX_BODY_CHARS} caracteres")
    if "\x00" in body:
        raise InvalidInput("o texto contém caracteres inválidos")
    unknown = sorted({name for name in _PLACEHOLDER.findall(subject + "\n" + body) if name not in FIELDS})
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in FIELDS)
        raise InvalidInput(f"campo desconhecido: {', '.join(f'{{{n}}}' for n in unknown)}; use apenas {allowed}")
    return subject, body


def save_template(session: Session, *, tenant_id: int, actor: Actor, subject: str, body: str) -> NoticeTemplate:
    """A new version (administrators only); the previous ones stay, as the history names them."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("somente administradores editam o modelo de aviso ao colaborador")
    subject, body = check_template(subject, body)
    latest = session.execute(
        select(func.max(EmployeeNoticeTemplate.version)).where(EmployeeNoticeTemplate.tenant_id == tenant_id)
    ).scalar_one_or_none()
    now = datetime.now(UTC)
    row = EmployeeNoticeTemplate(tenant_id=tenant_id, version=(latest or 0) + 1, subject=subject, body=body,
                                 created_by=actor.label[:320], created_at=now)  # fmt: skip
    session.add(row)
    session.flush()  # a concurrent save of the same version fails on the unique key: nothing lost
    audit.record(session, tenant_id=tenant_id, actor=actor.label, user_id=actor.user_id,
                 action="employee_notice_template_save", object_type="employee_notice_template",
                 object_id=row.version, detail={"version": row.version, "subject": subject})  # fmt: skip
    return NoticeTemplate(row.version, subject, body, row.created_by, now)


def render(template: NoticeTemplate, values: dict[str, str]) -> RenderedNotice:
    """Fill the whitelisted fields, in one pass; anything else stays as written."""
    clean = {name: _LINE_BREAKS.sub(" ", values.get(name, "")).strip()[:MAX_VALUE_CHARS] for name in FIELDS}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return clean[name] if name in clean else match.group(0)

    subject = _LINE_BREAKS.sub(" ", _PLACEHOLDER.sub(fill, template.subject)).strip()[:MAX_SUBJECT_CHARS]
    return RenderedNotice(subject=subject, text=_PLACEHOLDER.sub(fill, template.body))


def preview(subject: str, body: str) -> RenderedNotice:
    """The template as an employee would read it, with sample values; checked as a save would be."""
    subject, body = check_template(subject, body)
    return render(NoticeTemplate(version=0, subject=subject, body=body), dict(SAMPLE))


def local_date(moment: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("America/Sao_Paulo")
    return moment.astimezone(zone).strftime("%d/%m/%Y")
