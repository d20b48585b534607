"""Who may see and act on the governance pages (legal holds, the LGPD request register).

Compliance officers (the DPO) and administrators act; auditors read; managers have no business
here (a hold or a request names people and matters across every team).
"""

from __future__ import annotations

from typing import Final

from atalaia.domain.enums import Role
from atalaia.services.access import Principal
from atalaia.web.console.gate import require_roles

VIEW: Final = (Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR)
ACT: Final = (Role.ADMIN, Role.COMPLIANCE)


def require_view(principal: Principal) -> None:
    require_roles(principal, *VIEW)


def require_act(principal: Principal) -> None:
    require_roles(principal, *ACT)


def can_act(principal: Principal) -> bool:
    return principal.role in ACT
