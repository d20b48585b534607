"""`media.download`: fetch an attachment's bytes from its provider, store them, chain the record.

The message was archived long before; only the attachment waits. A failure is retried with
back-off and shows on the attachment (`download_status`), never holding the message back.
"""

from __future__ import annotations

import hashlib
from typing import Final

from sqlalchemy import select

from atalaia.archive.chain import PendingRecord, append
from atalaia.archive.records import HASHED_COLUMNS
from atalaia.connectors.cloud_api.graph import GraphClient, GraphError
from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, Line, Message, Tenant
from atalaia.domain.enums import Provider, RecordType
from atalaia.jobs.queue import ClaimedJob, JobFailed
from atalaia.runtime import Runtime

KIND: Final = "media.download"


def download_media(runtime: Runtime, job: ClaimedJob, *, graph: GraphClient | None = None) -> None:
    attachment_id = int(job.payload["attachment_id"])
    with runtime.sessions() as session:
        row = session.execute(
            select(Attachment, Line, Tenant)
            .join(Message, Message.id == Attachment.message_id)
            .join(Line, Line.id == Message.line_id)
            .join(Tenant, Tenant.id == Line.tenant_id)
            .where(Attachment.id == attachment_id)
        ).one_or_none()
    if row is None:
        raise JobFailed(f"attachment {attachment_id} no longer exists", permanent=True)
    attachment, line, tenant = row
    if attachment.sha256 is not None:
        return  # already stored (a retried job after a crash)
    if line.provider != Provider.CLOUD.value or not attachment.provider_media_id:
        raise JobFailed(f"no download method for {line.provider} media", permanent=True)
    token = runtime.settings.cloud_access_token
    if token is None:
        raise JobFailed("ATALAIA_CLOUD_ACCESS_TOKEN is not configured")
    client = graph or GraphClient(base_url=runtime.settings.graph_base_url, access_token=token.get_secret_value())
    try:
        info = client.media_info(attachment.provider_media_id)
        data = client.download(info.url)
    except GraphError as exc:
        _set_status(runtime, attachment_id, "failed" if exc.permanent else "retrying")
        raise JobFailed(str(exc), permanent=exc.permanent) from exc
    finally:
        if graph is None:
            client.close()
    digest = hashlib.sha256(data).hexdigest()
    declared = attachment.declared_sha256
    if declared and declared != digest:
        _set_status(runtime, attachment_id, "mismatch")
        raise JobFailed("downloaded bytes do not match the declared SHA-256", permanent=True)
    stored = runtime.blobs.put(tenant_id=tenant.id, data_key=runtime.data_key(tenant), data=data)
    with transaction(runtime.sessions) as session:
        current = session.get(Attachment, attachment_id)
        if current is None or current.sha256 is not None:
            return
        current.sha256, current.size, current.blob_key = stored.sha256, stored.size, stored.key
        current.mime_type = current.mime_type or info.mime_type
        current.download_status = "stored"
        session.flush()
        record = {name: getattr(current, name) for name in HASHED_COLUMNS[RecordType.ATTACHMENT]}
        signer = runtime.signer(tenant)
        append(
            session,
            tenant_id=tenant.id,
            records=[PendingRecord(RecordType.ATTACHMENT, record)],
            signer=lambda: signer,
            checkpoint_every=runtime.settings.checkpoint_every,
        )


def _set_status(runtime: Runtime, attachment_id: int, status: str) -> None:
    with transaction(runtime.sessions) as session:
        current = session.get(Attachment, attachment_id)
        if current is not None and current.sha256 is None:
            current.download_status = status
