"""What the console's and the API's alert routes share: the tenant's pseudonyms, and Portuguese labels."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from atalaia.db.models import Tenant
from atalaia.errors import NotFound
from atalaia.runtime import Runtime
from atalaia.services.compliance.privacy import Pseudonyms


def pseudonyms_for(session: Session, runtime: Runtime, tenant_id: int) -> Pseudonyms:
    """Labels keyed with the tenant's data key (the runtime caches the unwrapped key per process)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("organização não encontrada")
    return Pseudonyms(runtime.data_key(tenant))


STATUS: Final = {"open": "aberto", "in_review": "em análise", "resolved": "resolvido"}
RESOLUTION: Final = {"confirmed": "confirmado", "false_positive": "falso positivo"}
SEVERITY: Final = {"low": "baixa", "medium": "média", "high": "alta", "critical": "crítica"}
CATEGORY: Final = {"risk": "risco", "opportunity": "oportunidade"}
SOURCE: Final = {
    "text": "no texto da mensagem",
    "attachment_text": "no texto extraído do anexo",
    "attachment": "no arquivo anexado",
    "timestamp": "no horário de envio",
}
EVENT: Final = {
    "status": "mudança de situação",
    "assign": "atribuição",
    "comment": "comentário",
    "reveal": "colaborador revelado",
    "escalate": "escalado",
    "evidence": "evidência anexada",
    "evidence_withdrawn": "evidência retirada",
    "notice": "aviso ao colaborador",
}
LABELS: Final = {
    "status": STATUS,
    "resolution": RESOLUTION,
    "severity": SEVERITY,
    "category": CATEGORY,
    "source": SOURCE,
    "event": EVENT,
}
