"""A real server on a loopback port and a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from atalaia.runtime import Runtime
from atalaia.web.app import create_app

CHROMIUM = os.environ.get("ATALAIA_CHROMIUM", "/usr/bin/chromium")
DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
Screenshot = Callable[[Any, str], Path]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail(f"Chromium is required under CI=true and is missing at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def screenshot(tmp_path: Path) -> Screenshot:
    """Take a full-page screenshot: into docs/screenshots with ATALAIA_SCREENSHOTS=1 (to refresh
    the documentation), else into the test's temporary folder (a test run leaves the tree clean)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("ATALAIA_SCREENSHOTS") == "1" else tmp_path

    def take(page: Any, name: str) -> Path:
        path = folder / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
