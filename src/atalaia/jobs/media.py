"""`media.download`: fetch an attachment's bytes from its provider, store them, chain the record.

The message was archived long before; only the attachment waits. Cloud API media come through
the Graph API; Evolution and WAHA media from the URL the gateway gave, and only from an origin
configured for it (connectors/gateway_media.py, docs/decisions/0008). Either way the bytes are
checked against the declared SHA-256, stored encrypted and chained by one shared step. A failure
is retried with back-off and shows on the attachment (`download_status`), never holding the
message back.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from sqlalchemy import select

from atalaia.archive.chain import PendingRecord, append
from atalaia.archive.records import HASHED_COLUMNS
from atalaia.connectors.cloud_api.graph import GraphClient, GraphError
from atalaia.connectors.gateway_media import Fetched, GatewayMediaClient, GatewayMediaError
from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, Job, Line, Message, Tenant
from atalaia.domain.enums import Provider, RecordType
from atalaia.jobs.gateway_source import media_policy, media_url
from atalaia.jobs.queue import ClaimedJob, JobFailed
from atalaia.runtime import Runtime
from atalaia.services.line_connections import cloud_access_token, line_secrets

KIND: Final = "media.download"


def download_media(runtime: Runtime, job: ClaimedJob, *, graph: GraphClient | None = None) -> None:
    attachment_id = int(job.payload["attachment_id"])
    with runtime.sessions() as session:
        row = session.execute(
            select(Attachment, Line, Tenant, Message.raw)
            .join(Message, Message.id == Attachment.message_id)
            .join(Line, Line.id == Message.line_id)
            .join(Tenant, Tenant.id == Line.tenant_id)
            .where(Attachment.id == attachment_id)
        ).one_or_none()
    if row is None:
        raise JobFailed(f"attachment {attachment_id} no longer exists", permanent=True)
    attachment, line, tenant, raw = row
    if attachment.sha256 is not None:
        return  # already stored (a retried job after a crash)
    media_id = attachment.provider_media_id
    if line.provider == Provider.CLOUD.value and media_id:
        with runtime.sessions() as session:
            secrets = line_secrets(session, line, data_key=runtime.data_key(tenant))
        token = cloud_access_token(secrets, runtime.settings.cloud_access_token)
        fetched = _from_graph(runtime, job, attachment_id, media_id, token=token, graph=graph)
    elif line.provider in (Provider.EVOLUTION.value, Provider.WAHA.value) and media_id:
        fetched = _from_gateway(runtime, job, attachment_id, media_id, provider=Provider(line.provider), raw=raw)
    else:
        raise JobFailed(f"no download method for {line.provider} media", permanent=True)
    declared = attachment.declared_sha256
    if declared and declared.lower() != hashlib.sha256(fetched.data).hexdigest():
        raise _failed(runtime, job, attachment_id, "downloaded bytes do not match the declared SHA-256",
                      permanent=True, status="mismatch")  # fmt: skip
    _store_and_chain(runtime, tenant, attachment_id, fetched)


def _from_graph(
    runtime: Runtime,
    job: ClaimedJob,
    attachment_id: int,
    media_id: str,
    *,
    token: str | None,
    graph: GraphClient | None,
) -> Fetched:
    if token is None:
        raise JobFailed("ATALAIA_CLOUD_ACCESS_TOKEN is not configured and the line has no token of its own")
    client = graph or GraphClient(base_url=runtime.settings.graph_base_url, access_token=token)
    try:
        info = client.media_info(media_id)
        return Fetched(client.download(info.url), info.mime_type)
    except GraphError as exc:
        raise _failed(runtime, job, attachment_id, str(exc), permanent=exc.permanent) from exc
    finally:
        if graph is None:
            client.close()


def _from_gateway(
    runtime: Runtime, job: ClaimedJob, attachment_id: int, media_id: str, *, provider: Provider, raw: Any
) -> Fetched:
    """Evolution/WAHA media by URL; the origin allowlist is enforced by the client, before any request."""
    client = GatewayMediaClient(media_policy(runtime.settings, provider))
    try:
        return client.download(media_url(media_id, raw=raw, provider=provider))
    except GatewayMediaError as exc:
        raise _failed(runtime, job, attachment_id, str(exc), permanent=exc.permanent, status=exc.status) from exc
    finally:
        client.close()


def _store_and_chain(runtime: Runtime, tenant: Tenant, attachment_id: int, fetched: Fetched) -> None:
    """Bytes into the encrypted blob store, then the attachment row completed and chained, once."""
    stored = runtime.blobs.put(tenant_id=tenant.id, data_key=runtime.data_key(tenant), data=fetched.data)
    with transaction(runtime.sessions) as session:
        current = session.get(Attachment, attachment_id)
        if current is None or current.sha256 is not None:
            return
        current.sha256, current.size, current.blob_key = stored.sha256, stored.size, stored.key
        current.mime_type = current.mime_type or fetched.mime_type
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
        from atalaia.jobs.extraction import enqueue_extraction  # its text, now that the bytes are here

        enqueue_extraction(session, tenant_id=tenant.id, attachment_ids=[attachment_id])


def _failed(
    runtime: Runtime, job: ClaimedJob, attachment_id: int, message: str, *, permanent: bool, status: str | None = None
) -> JobFailed:
    """The JobFailed to raise, once the attachment shows the outcome: `status`, failed, or retrying."""
    with transaction(runtime.sessions) as session:
        row = session.get(Job, job.id)
        last = permanent or row is None or job.attempts >= row.max_attempts  # no retry left either way
        current = session.get(Attachment, attachment_id)
        if current is not None and current.sha256 is None:
            current.download_status = status or ("failed" if last else "retrying")
    return JobFailed(message, permanent=permanent)
