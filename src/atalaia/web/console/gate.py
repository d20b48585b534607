"""Role checks for console pages that are not about archived content (users, the audit log).

Archived content is scoped in the query layer (services/access.py); these pages are simply
closed to the roles that have no business there, with a 403.
"""

from __future__ import annotations

from atalaia.domain.enums import Role
from atalaia.errors import Forbidden
from atalaia.services.access import Principal

NOT_ALLOWED = "Acesso negado: esta página é restrita a outro papel."


def require_roles(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise Forbidden(NOT_ALLOWED)
