"""Evolution and WAHA media are downloaded by the job from real local servers, and only from allowed origins.

Personas: Bruno (team Vendas) has two corporate lines, one on Evolution API (media in its MinIO)
and one on WAHA (media at WAHA's /api/files, behind its API key); Maria is a customer sending
him a receipt and a spreadsheet. `outsider` is a server nobody listed: an attacker's, or an
internal service a forged media URL tries to reach. It must never receive a request.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from atalaia.archive import archive_events
from atalaia.archive.verify import verify_tenant
from atalaia.connectors.evolution.parse import parse_envelope
from atalaia.connectors.waha.parse import parse_webhook
from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, Job
from atalaia.jobs.media import KIND
from atalaia.jobs.worker import run_once
from atalaia.runtime import Runtime
from atalaia.services.lines import add_line
from atalaia.settings import Settings
from tests.conftest import ArchiveSetup
from tests.media_server import ENDLESS_BYTES, FakeMediaHost, running_media_host

SAMPLES = Path(__file__).parents[1] / "samples"
WAHA_KEY = "waha-api-key-de-teste-0123456789"
MAX_MEDIA = 1024 * 1024
RECEIPT = b"\xff\xd8\xff\xe0comprovante do PIX" * 40
SHEET = b"PK\x03\x04planilha de clientes" * 40
# What MinIO's presignedGetObject gives Evolution: longer than the 200-character column.
PRESIGNED = (
    "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=minioadmin%2F20240301%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20240301T140500Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=" + "ab" * 32
)
EVOLUTION_PATH = "/evolution/evolution-api/evo-bruno/5521988887777@s.whatsapp.net/imageMessage/3EB0IMG000111.jpeg"
WAHA_PATH = "/api/files/vendas-bruno/false_5521988887777@c.us_3EB0MEDIA000000000001.xlsx"


@dataclass(frozen=True)
class Hosts:
    minio: FakeMediaHost  # Evolution's S3, listed in ATALAIA_GATEWAY_MEDIA_ORIGINS
    waha: FakeMediaHost  # ATALAIA_WAHA_URL, wants the API key
    outsider: FakeMediaHost  # listed nowhere


@dataclass(frozen=True)
class Gateways:
    setup: ArchiveSetup
    worker: Runtime
    hosts: Hosts
    evolution_line: int
    waha_line: int


@pytest.fixture
def hosts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hosts]:
    with (
        running_media_host() as minio,
        running_media_host(FakeMediaHost(api_key=WAHA_KEY)) as waha,
        running_media_host() as outsider,
    ):
        monkeypatch.setenv("ATALAIA_GATEWAY_MEDIA_ORIGINS", minio.origin)
        monkeypatch.setenv("ATALAIA_WAHA_URL", waha.origin)
        monkeypatch.setenv("ATALAIA_WAHA_API_KEY", WAHA_KEY)
        monkeypatch.setenv("ATALAIA_MAX_MEDIA_BYTES", str(MAX_MEDIA))
        yield Hosts(minio, waha, outsider)


@pytest.fixture
def gateways(archive_setup: ArchiveSetup, hosts: Hosts) -> Iterator[Gateways]:
    with transaction(archive_setup.runtime.sessions) as session:
        tenant_id = archive_setup.tenant.id
        evolution = add_line(session, tenant_id=tenant_id, number="+55 21 99999-1111", provider="evolution",
                             instance="evo-bruno", team="Vendas")  # fmt: skip
        waha = add_line(session, tenant_id=tenant_id, number="+55 21 99999-2222", provider="waha",
                        instance="vendas-bruno", team="Vendas")  # fmt: skip
    worker = Runtime.from_settings(Settings(), migrate=False)
    yield Gateways(archive_setup, worker, hosts, evolution.line.id, waha.line.id)
    worker.close()


def declared(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


def evolution_image(gw: Gateways, url: str, *, sha_of: bytes = RECEIPT) -> None:
    """Maria's receipt as Evolution posts it when media go to S3: `mediaUrl`, no inline base64."""
    body: dict[str, Any] = json.loads((SAMPLES / "evolution" / "upsert_image_base64.json").read_text())
    message = body["data"]["message"]
    del message["base64"]
    message["mediaUrl"] = url
    message["imageMessage"]["fileSha256"] = declared(sha_of)
    archive(gw, gw.evolution_line, parse_envelope(body).events)


def waha_document(gw: Gateways, url: str, *, sha_of: bytes | None = SHEET) -> None:
    """Maria's spreadsheet as WAHA posts it: `media.url` on WAHA's own server."""
    body: dict[str, Any] = json.loads((SAMPLES / "waha" / "message_media.json").read_text())
    body["payload"]["media"]["url"] = url
    if sha_of is None:
        del body["payload"]["_data"]["filehash"]
    else:
        body["payload"]["_data"]["filehash"] = declared(sha_of)
    archive(gw, gw.waha_line, parse_webhook(body).events)


def archive(gw: Gateways, line_id: int, events: list[Any]) -> None:
    assert events
    runtime = gw.setup.runtime
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(gw.setup.tenant, line_id=line_id), events)


def attachment(gw: Gateways) -> Attachment:
    with gw.worker.sessions() as session:
        return session.execute(select(Attachment)).scalar_one()


def job(gw: Gateways) -> Job:
    with gw.worker.sessions() as session:
        return session.execute(select(Job).where(Job.kind == KIND)).scalar_one()


def stored_bytes(gw: Gateways) -> bytes:
    tenant = gw.setup.tenant
    sha = attachment(gw).sha256 or ""
    return gw.worker.blobs.get(tenant_id=tenant.id, data_key=gw.worker.data_key(tenant), sha256=sha)


def assert_chain_ok(gw: Gateways) -> None:
    tenant = gw.setup.tenant
    with gw.worker.sessions() as session:
        report = verify_tenant(session, tenant_id=tenant.id, public_key=tenant.signing_public_key)
    assert report.ok
    assert report.records == 2  # the message, then its attachment


def test_evolution_media_come_from_its_minio_even_when_the_url_outgrew_the_column(gateways: Gateways) -> None:
    minio = gateways.hosts.minio
    minio.files[EVOLUTION_PATH] = RECEIPT
    url = minio.url(EVOLUTION_PATH + PRESIGNED)
    assert len(url) > 200
    evolution_image(gateways, url)
    assert attachment(gateways).download_status == "pending"

    assert run_once(gateways.worker) is True

    stored = attachment(gateways)
    assert (stored.download_status, stored.size, stored.mime_type) == ("stored", len(RECEIPT), "image/jpeg")
    assert stored_bytes(gateways) == RECEIPT
    assert_chain_ok(gateways)
    [(path, headers)] = minio.requests
    assert path == EVOLUTION_PATH + PRESIGNED  # the signature at the end survived
    assert "x-api-key" not in headers  # WAHA's key is WAHA's alone


def test_waha_media_are_fetched_with_the_api_key(gateways: Gateways) -> None:
    waha = gateways.hosts.waha
    waha.files[WAHA_PATH] = SHEET
    waha_document(gateways, waha.url(WAHA_PATH))

    run_once(gateways.worker)

    assert attachment(gateways).download_status == "stored"
    assert stored_bytes(gateways) == SHEET
    assert_chain_ok(gateways)
    assert [h["x-api-key"] for _, h in waha.requests] == [WAHA_KEY]


def test_bytes_that_do_not_match_the_declared_hash_are_refused(gateways: Gateways) -> None:
    minio = gateways.hosts.minio
    minio.files[EVOLUTION_PATH] = RECEIPT
    evolution_image(gateways, minio.url(EVOLUTION_PATH), sha_of=b"another file")

    run_once(gateways.worker)

    assert job(gateways).status == "failed"
    stored = attachment(gateways)
    assert (stored.download_status, stored.blob_key) == ("mismatch", None)


def test_a_body_past_the_size_cap_is_cut_off_while_streaming(gateways: Gateways) -> None:
    waha = gateways.hosts.waha
    waha.endless.add(WAHA_PATH)  # no Content-Length: only counting the bytes can stop it
    waha_document(gateways, waha.url(WAHA_PATH), sha_of=None)

    run_once(gateways.worker)

    failed = job(gateways)
    assert failed.status == "failed"
    assert f"larger than {MAX_MEDIA} bytes" in (failed.last_error or "")
    assert attachment(gateways).download_status == "too_large"
    assert waha.streamed < ENDLESS_BYTES // 2  # hung up early, not after reading it all


def test_a_5xx_is_retried_with_back_off_and_then_stored(gateways: Gateways) -> None:
    waha = gateways.hosts.waha
    waha.files[WAHA_PATH] = SHEET
    waha.failures_left = 1
    waha_document(gateways, waha.url(WAHA_PATH))

    run_once(gateways.worker)

    retried = job(gateways)
    assert (retried.status, retried.attempts) == ("queued", 1)
    assert "503" in (retried.last_error or "")
    assert retried.run_after.replace(tzinfo=UTC) > datetime.now(UTC)
    assert attachment(gateways).download_status == "retrying"
    assert run_once(gateways.worker) is False  # backing off

    with transaction(gateways.worker.sessions) as session:
        session.execute(update(Job).where(Job.kind == KIND).values(run_after=datetime.now(UTC) - timedelta(seconds=1)))
    assert run_once(gateways.worker) is True

    assert attachment(gateways).download_status == "stored"
    assert job(gateways).status == "done"
    assert stored_bytes(gateways) == SHEET


def test_a_url_outside_the_allowlist_is_never_requested(gateways: Gateways) -> None:
    outsider = gateways.hosts.outsider
    outsider.files[WAHA_PATH] = SHEET
    waha_document(gateways, outsider.url(WAHA_PATH))

    run_once(gateways.worker)

    failed = job(gateways)
    assert failed.status == "failed"
    assert f"media origin {outsider.origin} is not allowed" in (failed.last_error or "")
    assert attachment(gateways).download_status == "refused"
    assert outsider.requests == []


def test_a_redirect_to_another_origin_is_refused_and_the_key_stays_home(gateways: Gateways) -> None:
    waha, outsider = gateways.hosts.waha, gateways.hosts.outsider
    outsider.files["/loot"] = SHEET
    waha.redirects[WAHA_PATH] = outsider.url("/loot")
    waha_document(gateways, waha.url(WAHA_PATH))

    run_once(gateways.worker)

    failed = job(gateways)
    assert failed.status == "failed"
    assert "redirect to" in (failed.last_error or "")
    assert attachment(gateways).download_status == "refused"
    assert outsider.requests == []
    assert len(waha.requests) == 1


def test_a_redirect_within_the_origin_is_followed(gateways: Gateways) -> None:
    minio = gateways.hosts.minio
    minio.files[EVOLUTION_PATH] = RECEIPT
    minio.redirects["/old-bucket/receipt.jpeg"] = EVOLUTION_PATH  # relative Location, same origin
    evolution_image(gateways, minio.url("/old-bucket/receipt.jpeg"))

    run_once(gateways.worker)

    assert attachment(gateways).download_status == "stored"
    assert [path for path, _ in minio.requests] == ["/old-bucket/receipt.jpeg", EVOLUTION_PATH]
