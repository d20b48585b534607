"""Tenants: every installation starts with one, `default`; more can be added."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.archive.chain import new_head
from atalaia.db.models import Tenant
from atalaia.errors import InvalidInput, NotFound
from atalaia.security.keys import Keyring

DEFAULT_TENANT_SLUG: Final = "default"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def ensure_tenant(
    session: Session, *, keyring: Keyring, slug: str = DEFAULT_TENANT_SLUG, name: str | None = None
) -> Tenant:
    """The tenant with this slug, created with fresh keys and an empty chain when absent."""
    if not _SLUG.match(slug):
        raise InvalidInput(f"invalid tenant slug {slug!r}: use lowercase letters, digits and dashes")
    tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is not None:
        return tenant
    keys = keyring.new_tenant_keys(slug)
    tenant = Tenant(
        slug=slug,
        name=name or ("Organização padrão" if slug == DEFAULT_TENANT_SLUG else slug),
        timezone="America/Sao_Paulo",
        data_key_wrapped=keys.data_key_wrapped,
        signing_key_wrapped=keys.signing_key_wrapped,
        signing_public_key=keys.signing_public_key,
        created_at=datetime.now(UTC),
    )
    session.add(tenant)
    session.flush()
    tenant.tenant_id = tenant.id
    session.add(new_head(tenant.id))
    session.flush()
    return tenant


def get_tenant(session: Session, slug: str) -> Tenant:
    tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise NotFound(f"no tenant {slug!r}")
    return tenant
