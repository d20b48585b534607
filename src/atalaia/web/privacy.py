"""`GET /privacidade/{tenant}`: the public privacy-policy page the notice to third parties links to.

Anyone may read it (the customers who got the notice are not users); it shows only the tenant's
name and its own policy text, never archived content.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from atalaia.db.models import Tenant
from atalaia.errors import NotFound
from atalaia.web.deps import get_runtime
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False)
DEFAULT_POLICY = (
    "As conversas com esta empresa pelo WhatsApp corporativo são registradas e arquivadas para cumprir "
    "obrigações legais e regulatórias e para proteger clientes e colaboradores.\n\n"
    "Os dados tratados são as mensagens, anexos, números de telefone e nomes de perfil trocados com a "
    "empresa, guardados de forma criptografada e acessíveis apenas a pessoas autorizadas, com registro de "
    "cada acesso.\n\n"
    "Você pode pedir acesso, correção ou eliminação dos seus dados, nos termos da Lei Geral de Proteção "
    "de Dados (Lei 13.709/2018), pelo mesmo canal em que recebeu este aviso."
)


@router.get("/privacidade/{slug}", response_class=HTMLResponse)
def privacy_page(request: Request, slug: str) -> Response:
    if len(slug) > 64:
        raise NotFound("Página não encontrada.")
    with get_runtime(request).sessions() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
        if tenant is None:
            raise NotFound("Página não encontrada.")
        paragraphs = [p.strip() for p in (tenant.privacy_text or DEFAULT_POLICY).split("\n\n") if p.strip()]
        context = {"company": tenant.name, "paragraphs": paragraphs}
    return templates.TemplateResponse(request, "pages/privacy.html", context)
