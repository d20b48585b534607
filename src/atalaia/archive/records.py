"""Which columns of each archived record are hashed, shared by the writer and `verify`.

Only immutable columns are listed. Columns filled in later on purpose (a message's
`edited_at`/`revoked_at`, an edit's `message_id` once its message arrives) stay outside, since
they are derivable from chained records and would otherwise look like tampering. A purge
removes rows and an erasure rewrites them on purpose; both are chained records of their own
whose tombstones say what changed (archive/tombstones.py), so `verify` tells them from tampering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Table

from atalaia.db.models import (
    Attachment,
    DeliveryStatusRecord,
    Erasure,
    Message,
    Purge,
    Reaction,
    Revision,
    Revocation,
)
from atalaia.domain.chain import record_hash
from atalaia.domain.enums import RecordType

HASHED_COLUMNS: Final[dict[RecordType, tuple[str, ...]]] = {
    RecordType.MESSAGE: (
        "id", "tenant_id", "line_id", "conversation_id", "provider_message_id", "direction",
        "author_contact_id", "author_name", "sent_by_user_id", "kind", "text", "sent_at",
        "received_at", "reply_to", "forwarded", "frequently_forwarded", "referral", "raw",
    ),
    RecordType.REVISION: (
        "id", "tenant_id", "line_id", "target_message_id", "provider_event_id", "text", "edited_at", "raw",
    ),
    RecordType.REVOCATION: (
        "id", "tenant_id", "line_id", "target_message_id", "provider_event_id", "by_line", "revoked_at",
        "raw",
    ),
    RecordType.REACTION: (
        "id", "tenant_id", "line_id", "target_message_id", "provider_event_id", "author_contact_id",
        "emoji", "reacted_at", "raw",
    ),
    RecordType.STATUS: (
        "id", "tenant_id", "line_id", "target_message_id", "status", "at", "recipient", "errors", "raw",
    ),
    RecordType.ATTACHMENT: (
        "id", "tenant_id", "message_id", "position", "file_name", "mime_type", "caption",
        "provider_media_id", "declared_sha256", "sha256", "size", "blob_key",
    ),
    RecordType.PURGE: ("id", "tenant_id", "at", "actor", "reason", "records", "digest", "detail"),
    RecordType.ERASURE: ("id", "tenant_id", "request_id", "at", "actor", "reason", "records", "digest", "detail"),
}  # fmt: skip

TABLES: Final[dict[RecordType, Table]] = {
    RecordType.MESSAGE: Message.__table__,  # type: ignore[dict-item]
    RecordType.REVISION: Revision.__table__,  # type: ignore[dict-item]
    RecordType.REVOCATION: Revocation.__table__,  # type: ignore[dict-item]
    RecordType.REACTION: Reaction.__table__,  # type: ignore[dict-item]
    RecordType.STATUS: DeliveryStatusRecord.__table__,  # type: ignore[dict-item]
    RecordType.ATTACHMENT: Attachment.__table__,  # type: ignore[dict-item]
    RecordType.PURGE: Purge.__table__,  # type: ignore[dict-item]
    RecordType.ERASURE: Erasure.__table__,  # type: ignore[dict-item]
}

# Records a purge may remove or an erasure rewrite; purge and erasure records themselves stay.
GOVERNED: Final = frozenset(TABLES) - {RecordType.PURGE, RecordType.ERASURE}


def content_hash(record_type: RecordType, row: Mapping[str, Any]) -> str:
    return record_hash({name: row[name] for name in HASHED_COLUMNS[record_type]})


AUDIT_HASHED: Final = (
    "tenant_id", "seq", "at", "actor", "user_id", "action", "object_type", "object_id", "outcome",
    "detail", "ip", "prev_hash",
)  # fmt: skip


def audit_hash(row: dict[str, Any]) -> str:
    return record_hash({name: row[name] for name in AUDIT_HASHED})
