"""`atalaia serve --workers 2`: two server processes on one port, one archive, nothing twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from atalaia.connectors.cloud_api.signature import sign
from atalaia.settings import Settings
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup

SECRET = "segredo-do-app-meta-para-processos"
SAMPLE = Path(__file__).parents[1] / "samples" / "cloud_api" / "batch_media_reply_status.json"


@pytest.fixture
def served(settings: Settings, archive_setup: ArchiveSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ATALAIA_CLOUD_APP_SECRET", SECRET)
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "atalaia", "serve", "--workers", "2", "--no-worker", "--port", str(port)],
        env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else "serve exited"
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield url
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_two_processes_archive_concurrent_retries_once(served: str, atalaia: Invoke) -> None:
    body = SAMPLE.read_bytes()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body=body, app_secret=SECRET)}
    answers = []
    for _ in range(6):  # new connections, so both processes get some of them
        with httpx.Client(base_url=served, trust_env=False) as client:
            answers.append(client.post("/webhooks/cloud", content=body, headers=headers).json())
    stats = json_of(atalaia("stats", "--json"))

    assert all(a["ok"] for a in answers)
    # The sample's first change carries four messages and a reaction (a follow-up, not a message).
    assert sum(a["new"] for a in answers) == stats["messages"] == 4
    assert sum(a["duplicates"] for a in answers) == 5 * 4
    assert stats["journal"]["accepted"] == 6
