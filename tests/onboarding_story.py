"""Shared helpers for the onboarding tests: a tenant with a free gateway line, an SMTP box, links from e-mails.

- elisa: a new salesperson, invited to the tenant's free Evolution line.
- fabio: holds the Suporte line already; elisa may not be invited to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from pydantic import SecretStr

from atalaia.db.engine import transaction
from atalaia.db.models import Tenant
from atalaia.runtime import Runtime
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from tests.smtp_server import Mailbox

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ELISA = "elisa@exemplo.com.br"
FREE_LINE = "+5521988887777"
FABIO_LINE = "+5511977776666"
_LINK = re.compile(r"https?://[^\s\"<>]+/onboarding/(onb_[A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class Company:
    runtime: Runtime
    tenant: Tenant


def company(runtime: Runtime) -> Company:
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        add_line(session, tenant_id=tenant.id, number=FREE_LINE, provider="evolution", instance="vendas-1")
        add_line(session, tenant_id=tenant.id, number=FABIO_LINE, provider="cloud", phone_number_id="555",
                 team="Suporte", employee_email="fabio@exemplo.com.br", employee_name="Fábio")  # fmt: skip
    return Company(runtime, tenant)


def use_smtp(runtime: Runtime, box: Mailbox) -> None:
    runtime.settings.smtp_url = SecretStr(box.url)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def token_in(message: EmailMessage) -> str:
    text, html = parts(message)
    found_text, found_html = _LINK.findall(text), _LINK.findall(html)
    assert len(set(found_text)) == 1, found_text
    assert set(found_html) == set(found_text)  # the same single link in both parts
    return str(found_text[0])
