"""Master-key rotation and checking: tenants' wrapped keys move to a new master key; blobs stay as they are.

Blobs, TOTP secrets and gateway tokens are sealed with each tenant's data key, which never
changes; only the two small wrapped keys on the tenant's row depend on the master key. Rotating
therefore re-wraps two values per tenant (docs/decisions/0016):

1. Before anything changes, every tenant must open with the key rotated to or with one of the
   keys rotated from; otherwise nothing is touched (a mistyped key must not half-rotate).
2. Each tenant is rotated in its own transaction, with its row locked: both keys re-wrapped,
   checked to open again to the same bytes (and the signing key to match the public key that
   verifies its checkpoints), written, and audited. A failure rolls back that tenant entirely.
3. A tenant already under the new key is skipped, so an interrupted rotation is resumed by
   running it again. Tenants created meanwhile by processes still on the old key are picked up
   by a second pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from atalaia.db.engine import transaction
from atalaia.db.models import Tenant
from atalaia.errors import ConfigurationError, TamperedData
from atalaia.security.keys import Keyring, TenantKeys
from atalaia.services import audit

MAX_PASSES: Final = 3  # the second pass catches tenants created during the first; a third means trouble


class KeyProblem(StrEnum):
    PREVIOUS_KEY = "previous_key"  # opens only with ATALAIA_PREVIOUS_SECRET_KEY: rotation unfinished
    UNREADABLE = "unreadable"  # opens with no configured key
    PUBLIC_KEY_MISMATCH = "public_key_mismatch"  # the signing key is not the one checkpoints verify with


@dataclass(frozen=True, slots=True)
class RotationResult:
    key_id: str  # of the key every tenant is now under
    from_key_ids: tuple[str, ...]
    tenants: int
    rotated: tuple[str, ...]  # slugs re-wrapped by this run
    already: tuple[str, ...]  # slugs that were under the new key already

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "key_id": self.key_id,
            "from_key_ids": list(self.from_key_ids),
            "tenants": self.tenants,
            "rotated": len(self.rotated),
            "already": len(self.already),
            "rotated_tenants": list(self.rotated),
        }


@dataclass(slots=True)
class CheckResult:
    key_id: str
    tenants: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "key_id": self.key_id, "tenants": self.tenants, "problems": self.problems}


def _open(tenant: Tenant, keyrings: Sequence[Keyring]) -> tuple[Keyring, TenantKeys] | None:
    """The first keyring that opens both of the tenant's wrapped keys, with what they hold."""
    for keyring in keyrings:
        try:
            keys = keyring.unwrap(
                tenant.slug, data_key_wrapped=tenant.data_key_wrapped, signing_key_wrapped=tenant.signing_key_wrapped
            )
        except ConfigurationError:
            continue
        return keyring, keys
    return None


def _tenant_ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))


def _unreadable(sessions: sessionmaker[Session], keyrings: Sequence[Keyring]) -> list[str]:
    with sessions() as session:
        return [
            tenant.slug for tenant in session.scalars(select(Tenant).order_by(Tenant.id)) if not _open(tenant, keyrings)
        ]


def rotate_master_key(
    sessions: sessionmaker[Session], *, sources: Sequence[Keyring], target: Keyring, actor: str = "cli"
) -> RotationResult:
    """Re-wrap every tenant's keys from any of `sources` to `target`; see the module's steps."""
    keyrings = [target, *sources]
    unreadable = _unreadable(sessions, keyrings)
    if unreadable:
        raise ConfigurationError(
            "nada foi alterado: as chaves de " + ", ".join(unreadable) + " não abrem com a chave configurada "
            "nem com a nova; confira ATALAIA_SECRET_KEY (a chave atual deve continuar configurada durante a rotação)"
        )
    rotated: list[str] = []
    already: list[str] = []
    seen: set[int] = set()
    for _ in range(MAX_PASSES):
        pending = [tenant_id for tenant_id in _tenant_ids(sessions) if tenant_id not in seen]
        if not pending:
            break
        for tenant_id in pending:
            with transaction(sessions) as session:
                slug, changed = _rotate_one(session, tenant_id, keyrings, target, actor)
            (rotated if changed else already).append(slug)
            seen.add(tenant_id)
    left = _unreadable(sessions, [target])
    if left:
        raise ConfigurationError("a rotação não terminou: ainda fora da nova chave: " + ", ".join(left))
    return RotationResult(
        key_id=target.key_id,
        from_key_ids=tuple(keyring.key_id for keyring in sources),
        tenants=len(seen),
        rotated=tuple(rotated),
        already=tuple(already),
    )


def _rotate_one(
    session: Session, tenant_id: int, keyrings: Sequence[Keyring], target: Keyring, actor: str
) -> tuple[str, bool]:
    """Inside the caller's transaction: (slug, whether it was re-wrapped). Raises rather than half-write."""
    tenant = session.execute(select(Tenant).where(Tenant.id == tenant_id).with_for_update()).scalar_one()
    opened = _open(tenant, keyrings)
    if opened is None:
        raise ConfigurationError(f"as chaves do tenant {tenant.slug} não abrem com nenhuma chave configurada")
    source, keys = opened
    if source is target:
        return tenant.slug, False
    if keys.signing_public_key() != tenant.signing_public_key:
        raise TamperedData(f"a chave de assinatura do tenant {tenant.slug} não corresponde à sua chave pública")
    material = target.wrap(tenant.slug, keys)
    reopened = target.unwrap(
        tenant.slug, data_key_wrapped=material.data_key_wrapped, signing_key_wrapped=material.signing_key_wrapped
    )
    if reopened != keys:  # never write a wrapped key that was not just seen to open to the same bytes
        raise TamperedData(f"a nova embalagem das chaves do tenant {tenant.slug} não confere")
    tenant.data_key_wrapped = material.data_key_wrapped
    tenant.signing_key_wrapped = material.signing_key_wrapped
    audit.record(
        session, tenant_id=tenant.id, actor=actor, action="keys_rotated", object_type="tenant", object_id=tenant.slug,
        detail={"from_key_id": source.key_id, "to_key_id": target.key_id},
    )  # fmt: skip
    return tenant.slug, True


def check_keys(sessions: sessionmaker[Session], *, current: Keyring, previous: Keyring | None = None) -> CheckResult:
    """Does every tenant's pair of wrapped keys open with the configured master key, and fit its public key?"""
    result = CheckResult(key_id=current.key_id)
    with sessions() as session:
        for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
            result.tenants += 1
            opened = _open(tenant, [current] if previous is None else [current, previous])
            if opened is None:
                result.problems.append(
                    {"tenant": tenant.slug, "kind": KeyProblem.UNREADABLE.value,
                     "detail": "as chaves não abrem com a chave mestra configurada"}
                )  # fmt: skip
                continue
            keyring, keys = opened
            if keys.signing_public_key() != tenant.signing_public_key:
                result.problems.append(
                    {"tenant": tenant.slug, "kind": KeyProblem.PUBLIC_KEY_MISMATCH.value,
                     "detail": "a chave de assinatura não corresponde à chave pública que verifica os checkpoints"}
                )  # fmt: skip
            if keyring is not current:
                result.problems.append(
                    {"tenant": tenant.slug, "kind": KeyProblem.PREVIOUS_KEY.value,
                     "detail": "abre só com ATALAIA_PREVIOUS_SECRET_KEY: rode `atalaia keys rotate`"}
                )  # fmt: skip
    return result
