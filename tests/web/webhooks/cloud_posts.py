"""What the Cloud API webhook tests share: a signed POST and the archive's counts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from atalaia.connectors.cloud_api.signature import sign
from atalaia.services.stats import tenant_stats
from tests.conftest import ArchiveSetup

SECRET = "segredo-do-app-meta"
SAMPLES = Path(__file__).parents[2] / "samples" / "cloud_api"


def post(client: TestClient, body: bytes, *, secret: str = SECRET, **headers: str) -> object:
    """`POST /webhooks/cloud` as Meta sends it, signed with `secret`."""
    return client.post(
        "/webhooks/cloud",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body=body, app_secret=secret),
            **headers,
        },
    )


def counts(setup: ArchiveSetup) -> dict[str, object]:
    with setup.runtime.sessions() as session:
        return tenant_stats(session, tenant_id=setup.tenant.id, include_unrouted=True)
