"""Policies as code, versioned in the database: import a file, keep each distinct text once, scan with the active one.

1. `import_policies` validates the YAML with the loader (errors carry line numbers) before
   storing anything, then stores the text as a new version only when no version of the tenant
   has exactly this text; an older identical version is made active again instead.
2. Exactly one version per tenant is active; imports lock the tenant's chain head row, so two
   imports at once cannot leave two active versions.
3. `active_policy_set` answers with the compiled engine of the active version, compiled once per
   process and text (cached by SHA-256): ingestion asks for it on every batch.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Final

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from atalaia.db.models import ChainHead, PolicyVersion
from atalaia.domain.policy import Policy
from atalaia.errors import InvalidInput, NotFound
from atalaia.policies import PolicyEngine, PolicyError, compile_policies, load_policies
from atalaia.services import audit

log = logging.getLogger(__name__)

MAX_POLICY_CHARS: Final = 1_000_000  # a policy file with 5,000 keywords is ~100 kB
CACHE_SIZE: Final = 32  # compiled policy sets kept per process (one per distinct text)
DEFAULT_PACK: Final = "default_policies.yml"


@dataclass(frozen=True, slots=True)
class ImportResult:
    version: int
    sha256: str
    changed: bool  # False: this text was already the active version
    reactivated: bool  # True: an older version with this text is active again
    policies: tuple[str, ...]  # the policy ids, in file order
    rules: int


@dataclass(frozen=True, slots=True)
class PolicySet:
    """The active version of a tenant, compiled."""

    version_id: int
    version: int
    sha256: str
    engine: PolicyEngine
    policies: dict[str, Policy]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    version: int
    sha256: str
    created_by: str
    created_at: datetime
    active: bool
    policies: tuple[str, ...]


_cache: OrderedDict[str, tuple[PolicyEngine, dict[str, Policy]]] = OrderedDict()
_cache_lock = threading.Lock()


def text_sha256(yaml_text: str) -> str:
    return hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()


def import_policies(
    session: Session,
    *,
    tenant_id: int,
    yaml_text: str,
    actor: str,
    user_id: int | None = None,
    source: str = "<policies>",
) -> ImportResult:
    """Validate, store (once per distinct text) and activate a policy file; audited."""
    if len(yaml_text) > MAX_POLICY_CHARS:
        raise InvalidInput(f"{source}: policy file too large (more than {MAX_POLICY_CHARS} characters)")
    try:
        policies = load_policies(yaml_text, source=source)
    except PolicyError as exc:
        raise InvalidInput(str(exc)) from None
    digest = text_sha256(yaml_text)
    ids = tuple(p.id for p in policies)
    rules = sum(len(p.rules) for p in policies)
    # Serialise imports per tenant: the row lock lasts until this transaction ends.
    session.execute(select(ChainHead.tenant_id).where(ChainHead.tenant_id == tenant_id).with_for_update())
    same = session.execute(
        select(PolicyVersion).where(PolicyVersion.tenant_id == tenant_id, PolicyVersion.sha256 == digest)
    ).scalar_one_or_none()
    if same is not None and same.active:
        return ImportResult(same.version, digest, changed=False, reactivated=False, policies=ids, rules=rules)
    session.execute(
        update(PolicyVersion)
        .where(PolicyVersion.tenant_id == tenant_id, PolicyVersion.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    if same is not None:
        same.active = True
        action, version = "policies_activated", same.version
    else:
        latest = session.execute(
            select(func.max(PolicyVersion.version)).where(PolicyVersion.tenant_id == tenant_id)
        ).scalar_one()
        version = (latest or 0) + 1
        session.add(
            PolicyVersion(
                tenant_id=tenant_id,
                version=version,
                yaml_text=yaml_text,
                sha256=digest,
                created_by=actor[:320],
                created_at=datetime.now(UTC),
                active=True,
            )
        )
        action = "policies_imported"
    session.flush()
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        user_id=user_id,
        action=action,
        object_type="policy_version",
        object_id=version,
        detail={"version": version, "sha256": digest, "policies": list(ids), "rules": rules},
    )
    return ImportResult(version, digest, changed=True, reactivated=same is not None, policies=ids, rules=rules)


def import_default_policies(session: Session, *, tenant_id: int, actor: str) -> ImportResult:
    """The Portuguese pack shipped with Atalaia (used by the demo tenant)."""
    text = default_policy_text()
    return import_policies(session, tenant_id=tenant_id, yaml_text=text, actor=actor, source=DEFAULT_PACK)


def default_policy_text() -> str:
    return resources.files(__package__).joinpath(DEFAULT_PACK).read_text(encoding="utf-8")


def active_policy_set(session: Session, tenant_id: int) -> PolicySet | None:
    """The tenant's active policies, compiled; None (one indexed query, nothing else) when there are none."""
    row = session.execute(
        select(PolicyVersion.id, PolicyVersion.version, PolicyVersion.sha256).where(
            PolicyVersion.tenant_id == tenant_id, PolicyVersion.active.is_(True)
        )
    ).first()
    if row is None:
        return None
    with _cache_lock:
        compiled = _cache.get(row.sha256)
        if compiled is not None:
            _cache.move_to_end(row.sha256)
    if compiled is None:
        text = session.execute(select(PolicyVersion.yaml_text).where(PolicyVersion.id == row.id)).scalar_one()
        compiled = _compile(text, source=f"policy version {row.version}")
        with _cache_lock:
            _cache[row.sha256] = compiled
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    engine, policies = compiled
    return PolicySet(version_id=row.id, version=row.version, sha256=row.sha256, engine=engine, policies=policies)


def list_versions(session: Session, *, tenant_id: int) -> list[VersionInfo]:
    rows = session.execute(
        select(PolicyVersion).where(PolicyVersion.tenant_id == tenant_id).order_by(PolicyVersion.version)
    ).scalars()
    return [
        VersionInfo(
            id=row.id,
            version=row.version,
            sha256=row.sha256,
            created_by=row.created_by,
            created_at=row.created_at,
            active=row.active,
            policies=_policy_ids(row.yaml_text),
        )
        for row in rows
    ]


def version_text(session: Session, *, tenant_id: int, version: int) -> str:
    text = session.execute(
        select(PolicyVersion.yaml_text).where(PolicyVersion.tenant_id == tenant_id, PolicyVersion.version == version)
    ).scalar_one_or_none()
    if text is None:
        raise NotFound(f"no policy version {version}")
    return text


def reset_cache() -> None:
    """For tests only."""
    with _cache_lock:
        _cache.clear()


def _compile(text: str, *, source: str) -> tuple[PolicyEngine, dict[str, Policy]]:
    policies = load_policies(text, source=source)  # stored texts were validated on import
    engine = compile_policies(policies, on_warning=lambda message: log.warning("%s: %s", source, message))
    return engine, {p.id: p for p in policies}


def _policy_ids(text: str) -> tuple[str, ...]:
    try:
        return tuple(p.id for p in load_policies(text))
    except PolicyError:  # pragma: no cover - stored texts were validated on import
        return ()
