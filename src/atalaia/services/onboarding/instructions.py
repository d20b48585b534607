"""How an employee connects their corporate line, in Portuguese, by the line's provider (pure).

Shown on the onboarding page once the rules are accepted. The steps are what the employee does on
the phone; what the administrator configures (Meta, the gateway) is in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

INSTALL: Final = (
    "Instale o aplicativo WhatsApp Business (Google Play ou App Store). Ele convive com o seu WhatsApp "
    "pessoal no mesmo celular, cada um com o seu número."
)
REGISTER: Final = "Abra o WhatsApp Business e registre o número corporativo {number} com o código de verificação que chegar por SMS ou ligação."  # noqa: E501
PROFILE: Final = "Use o nome e a foto de perfil definidos pela empresa."


@dataclass(frozen=True, slots=True)
class Instructions:
    title: str
    steps: tuple[str, ...]
    note: str | None = None


def connection_instructions(*, provider: str | None, number: str | None) -> Instructions:
    """The steps for this provider; without a line, what to expect next."""
    if provider is None or number is None:
        return Instructions(
            title="Aguarde a sua linha corporativa",
            steps=(
                "Ainda não há uma linha corporativa atribuída a você. O administrador enviará as instruções "
                "de conexão quando ela estiver pronta.",
            ),
        )
    register = REGISTER.format(number=number)
    if provider == "cloud":
        return Instructions(
            title=f"Conecte a linha {number} (API oficial do WhatsApp Business)",
            steps=(
                INSTALL,
                register,
                PROFILE,
                "Quando o administrador pedir, confirme no WhatsApp Business a conexão da conta com a plataforma "
                "oficial da empresa (Configurações → Ferramentas comerciais). Depois disso, continue usando o "
                "aplicativo normalmente: as conversas passam a ser arquivadas.",
            ),
            note="Não desinstale o aplicativo nem troque de número sem falar com o administrador.",
        )
    if provider in ("evolution", "waha"):
        return Instructions(
            title=f"Conecte a linha {number} (aparelho conectado)",
            steps=(
                INSTALL,
                register,
                PROFILE,
                "No WhatsApp Business, toque em Configurações → Aparelhos conectados → Conectar um aparelho.",
                "Escaneie o QR code que o administrador mostrar no console do Atalaia (ele muda a cada poucos "
                "segundos; peça um novo se expirar).",
                "Mantenha o celular com internet: se a conexão cair, o administrador será avisado e pode pedir "
                "que você escaneie o QR code de novo.",
            ),
            note="Nunca escaneie um QR code recebido por mensagem: só o que o administrador mostrar pessoalmente.",
        )
    return Instructions(
        title=f"Use a linha {number} e exporte as conversas",
        steps=(
            INSTALL,
            register,
            PROFILE,
            "Quando o administrador pedir, exporte cada conversa (abra a conversa → Mais → Exportar conversa, "
            "com mídia) e entregue o arquivo pelo canal seguro indicado pela empresa.",
        ),
    )
