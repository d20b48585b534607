"""Cloud API bodies signed by a line's own Meta app, not the installation's.

A company may connect numbers through more than one Meta app (one per business unit, or a
partner's app), so a line can carry its own app secret and verify token (services/
line_connections.py, decision 0021). A body the installation's secret did not sign is accepted
only if it names at least one line and the app secret of *every* line it names signs it: a secret
known for one line never lets a body speak for another (another team's, or another tenant's).
Only bodies that failed the installation's check reach this path, so the common case pays nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.connectors.cloud_api.content import as_dict, as_str
from atalaia.connectors.cloud_api.signature import signature_valid
from atalaia.db.models import Line, LineConnection, Tenant
from atalaia.runtime import Runtime
from atalaia.security.tokens import hash_token
from atalaia.services.line_connections import open_secrets

MAX_LINES_PER_BODY = 100  # Meta batches a few changes; more is not a body worth decrypting secrets for


def signed_by_their_lines(runtime: Runtime, bodies: Sequence[tuple[bytes, str | None]]) -> list[bool]:
    """For each (raw body, X-Hub-Signature-256 header): signed by the app secret of every line it names."""
    named = [_phone_number_ids(body) for body, _ in bodies]
    wanted = {pid for ids in named for pid in ids}
    if not wanted:
        return [False] * len(bodies)
    with runtime.sessions() as session:
        secrets = _app_secrets(session, runtime, wanted)
    return [
        bool(ids)
        and all(pid in secrets and signature_valid(body=body, header=header, app_secret=secrets[pid]) for pid in ids)
        for (body, header), ids in zip(bodies, named, strict=True)
    ]


def verify_token_known(session: Session, token: str) -> bool:
    """Meta's handshake for a line connected with its own verify token (stored hashed)."""
    digest = hash_token(token)
    query = select(LineConnection.id).where(LineConnection.kind == "cloud", LineConnection.verify_token_hash == digest)
    return session.execute(query).first() is not None


def _phone_number_ids(body: bytes) -> set[str]:
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError):
        return set()
    ids: set[str] = set()
    for entry in _items(as_dict(payload).get("entry")):
        for change in _items(as_dict(entry).get("changes")):
            metadata = as_dict(as_dict(as_dict(change).get("value")).get("metadata"))
            pid = as_str(metadata.get("phone_number_id"))
            if pid:
                ids.add(pid[:64])
    return ids if len(ids) <= MAX_LINES_PER_BODY else set()


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _app_secrets(session: Session, runtime: Runtime, phone_number_ids: set[str]) -> Mapping[str, str]:
    rows = session.execute(
        select(Line, LineConnection, Tenant)
        .join(LineConnection, LineConnection.line_id == Line.id)
        .join(Tenant, Tenant.id == Line.tenant_id)
        .where(Line.phone_number_id.in_(phone_number_ids), LineConnection.kind == "cloud")
    ).all()
    found: dict[str, str] = {}
    for line, connection, tenant in rows:
        secret = open_secrets(line, connection, data_key=runtime.data_key(tenant)).get("app_secret")
        if secret and line.phone_number_id:
            found[line.phone_number_id] = secret
    return found
