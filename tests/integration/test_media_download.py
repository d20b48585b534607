"""Cloud API media is downloaded by a job from a real local Graph server, checked and chained."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from atalaia.archive.verify import verify_tenant
from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, Job, Line
from atalaia.domain.events import AttachmentRef
from atalaia.jobs.worker import run_once
from atalaia.runtime import Runtime
from atalaia.services.line_connections import connect_cloud
from atalaia.settings import Settings
from tests.conftest import ArchiveSetup
from tests.factories import inbound
from tests.graph_server import FakeGraph, running_graph

PDF = b"%PDF-1.4\nproposta assinada\n"


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with running_graph() as state:
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", state.base_url)
        monkeypatch.setenv("ATALAIA_CLOUD_ACCESS_TOKEN", state.token)
        yield state


@pytest.fixture
def worker_runtime(graph: FakeGraph, archive_setup: ArchiveSetup) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(Settings(), migrate=False)
    yield runtime
    runtime.close()


def archive_document(setup: ArchiveSetup, *, sha256: str | None) -> None:
    ref = AttachmentRef(file_name="proposta.pdf", mime_type="application/pdf", provider_media_id="1003383421387256",
                        sha256=sha256)  # fmt: skip
    setup.archive([inbound("wamid.DOC", "segue", attachments=(ref,))])


def attachment(setup: ArchiveSetup) -> Attachment:
    with setup.runtime.sessions() as session:
        return session.execute(select(Attachment)).scalar_one()


def test_the_message_is_archived_at_once_and_its_media_by_the_job(
    archive_setup: ArchiveSetup, graph: FakeGraph, worker_runtime: Runtime
) -> None:
    graph.media["1003383421387256"] = PDF
    archive_document(archive_setup, sha256=hashlib.sha256(PDF).hexdigest())
    assert attachment(archive_setup).download_status == "pending"

    assert run_once(worker_runtime) is True
    assert run_once(worker_runtime) is True  # the text extraction the download queued
    assert run_once(worker_runtime) is False

    stored = attachment(archive_setup)
    assert (stored.download_status, stored.size) == ("stored", len(PDF))
    tenant = archive_setup.tenant
    assert worker_runtime.blobs.get(tenant_id=tenant.id, data_key=worker_runtime.data_key(tenant),
                                    sha256=stored.sha256 or "") == PDF  # fmt: skip
    with worker_runtime.sessions() as session:
        report = verify_tenant(session, tenant_id=tenant.id, public_key=tenant.signing_public_key)
    assert report.ok
    assert report.records == 2


def test_a_transient_failure_is_retried_with_back_off(
    archive_setup: ArchiveSetup, graph: FakeGraph, worker_runtime: Runtime
) -> None:
    graph.media["1003383421387256"] = PDF
    graph.failures_left = 1
    archive_document(archive_setup, sha256=None)

    run_once(worker_runtime)

    with worker_runtime.sessions() as session:
        job = session.execute(select(Job)).scalar_one()
    assert (job.status, job.attempts) == ("queued", 1)
    assert "503" in (job.last_error or "")
    assert attachment(archive_setup).download_status == "retrying"


def test_bytes_that_do_not_match_the_declared_hash_are_refused(
    archive_setup: ArchiveSetup, graph: FakeGraph, worker_runtime: Runtime
) -> None:
    graph.media["1003383421387256"] = PDF
    archive_document(archive_setup, sha256="00" * 32)

    run_once(worker_runtime)

    with worker_runtime.sessions() as session:
        job = session.execute(select(Job)).scalar_one()
    assert job.status == "failed"
    assert attachment(archive_setup).download_status == "mismatch"
    assert attachment(archive_setup).blob_key is None


def test_a_missing_media_object_fails_permanently(
    archive_setup: ArchiveSetup, graph: FakeGraph, worker_runtime: Runtime
) -> None:
    archive_document(archive_setup, sha256=None)

    run_once(worker_runtime)

    with worker_runtime.sessions() as session:
        assert session.execute(select(Job.status)).scalar_one() == "failed"


def test_a_line_with_its_own_meta_app_downloads_with_its_own_token(
    archive_setup: ArchiveSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No installation-wide token: the line's own (decision 0021) opens the Graph API."""
    with running_graph() as graph:
        graph.token = "token-do-app-da-linha"
        graph.media["1003383421387256"] = PDF
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", graph.base_url)
        monkeypatch.delenv("ATALAIA_CLOUD_ACCESS_TOKEN", raising=False)
        runtime = Runtime.from_settings(Settings(), migrate=False)
        try:
            with transaction(runtime.sessions) as session:
                line = session.get_one(Line, archive_setup.line.id)
                connect_cloud(session, line=line, phone_number_id=line.phone_number_id or "",
                              access_token=graph.token, data_key=runtime.data_key(archive_setup.tenant),
                              now=datetime.now(UTC))  # fmt: skip
            archive_document(archive_setup, sha256=hashlib.sha256(PDF).hexdigest())

            assert run_once(runtime) is True
        finally:
            runtime.close()

    assert attachment(archive_setup).download_status == "stored"
