"""Hash-chain arithmetic with no I/O: how a record is hashed and how links follow each other.

1. A record's hash is SHA-256 over a canonical JSON of its immutable fields (sorted keys,
   UTC ISO timestamps, bytes as hex), so any later change to one of them shows.
2. A link's hash covers the previous link's hash, the record's type and id and the record's
   hash, so removing, inserting or reordering links breaks the chain. The sequence number is
   left out on purpose: a link moved to another position stays self-consistent and is then
   reported as reordered (its predecessor is wrong), not merely as altered.
3. A checkpoint is an Ed25519 signature over (tenant, sequence, link hash): a chain truncated
   or rebuilt behind the application's back no longer matches the last signature.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

GENESIS_HASH: Final = "0" * 64


def _encode(value: Any) -> Any:
    """JSON has no datetime or bytes: UTC ISO text and hex stand in for them."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical_json(fields: Mapping[str, Any]) -> bytes:
    """The exact bytes hashed for a record; stable across Python versions and databases."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_encode).encode("ascii")


def record_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def link_hash(*, prev_hash: str, record_type: str, record_id: int, content_hash: str) -> str:
    material = f"{prev_hash}|{record_type}|{record_id}|{content_hash}".encode("ascii")
    return hashlib.sha256(material).hexdigest()


def checkpoint_message(*, tenant_id: int, seq: int, head_hash: str) -> bytes:
    """The bytes a checkpoint signs."""
    return f"atalaia-checkpoint-v1|{tenant_id}|{seq}|{head_hash}".encode("ascii")
