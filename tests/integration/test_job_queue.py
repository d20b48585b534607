"""The job queue hands out people-facing jobs (notices, alert e-mails) before bulk work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atalaia.db.engine import transaction
from atalaia.jobs.queue import claim_next, enqueue, finish
from tests.conftest import ArchiveSetup


def claim_all(setup: ArchiveSetup) -> list[str]:
    order = []
    while True:
        with transaction(setup.runtime.sessions) as session:
            job = claim_next(session, worker="test")
            if job is None:
                return order
            finish(session, job.id)
        order.append(str(job.payload["name"]))


def test_an_urgent_job_goes_before_the_bulk_queued_earlier(archive_setup: ArchiveSetup) -> None:
    tenant_id = archive_setup.tenant.id
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    with transaction(archive_setup.runtime.sessions) as session:
        for n in range(3):
            enqueue(
                session, tenant_id=tenant_id, kind="attachment.extract", payload={"name": f"ocr{n}"}, run_after=earlier
            )
        enqueue(session, tenant_id=tenant_id, kind="notice.send", payload={"name": "notice"}, urgent=True)
        enqueue(session, tenant_id=tenant_id, kind="alert.notify", payload={"name": "alert"}, urgent=True)
        enqueue(session, tenant_id=tenant_id, kind="notice.send", payload={"name": "later"}, urgent=True,
                run_after=datetime.now(UTC) + timedelta(hours=1))  # fmt: skip

    assert claim_all(archive_setup) == ["notice", "alert", "ocr0", "ocr1", "ocr2"]  # "later" is not due yet
